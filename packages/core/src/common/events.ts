import type { ZmqError } from "./errors.js"

/**
 * Socket monitor events with zeromq.js v6's names and payloads (libzmq's ZMQ_EVENT_*). Transports and
 * sessions raise them; a socket's `Observer` delivers them to the application.
 */
export interface EventAddress {
  readonly address: string
}
export interface EventInterval {
  readonly interval: number
}
export interface EventError<E = ZmqError | Error> {
  readonly error: E
}

export type SocketEvent =
  | ({ readonly type: "accept" } & EventAddress)
  | ({ readonly type: "accept:error" } & EventAddress & EventError)
  | ({ readonly type: "bind" } & EventAddress)
  | ({ readonly type: "bind:error" } & EventAddress & EventError)
  | ({ readonly type: "connect" } & EventAddress)
  | ({ readonly type: "connect:delay" } & EventAddress)
  | ({ readonly type: "connect:retry" } & EventAddress & EventInterval)
  | ({ readonly type: "close" } & EventAddress)
  | ({ readonly type: "close:error" } & EventAddress & EventError)
  | ({ readonly type: "disconnect" } & EventAddress)
  | { readonly type: "end" }
  | ({ readonly type: "handshake" } & EventAddress)
  | ({ readonly type: "handshake:error:protocol" } & EventAddress & EventError)
  | ({ readonly type: "handshake:error:auth" } & EventAddress & EventError)
  | ({ readonly type: "handshake:error:other" } & EventAddress & EventError)

export type SocketEventType = SocketEvent["type"]
export type SocketEventOfType<T extends SocketEventType> = Extract<SocketEvent, { type: T }>
