import type { ZmqError } from "./errors.js"

/**
 * Socket monitor events with zeromq.js v6's names and payloads (libzmq's ZMQ_EVENT_*). Transports and
 * sessions raise them; a socket's `Observer` delivers them to the application.
 *
 * As in libzmq, only the stream transports (tcp, ipc) raise events: inproc raises none at all, since libzmq
 * joins inproc sockets without a listener, a connecter or an engine to report on.
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
  // The `close` that precedes a `bind:error` has no address at run time, as in zeromq.js (whose typings
  // also declare one): libzmq's listener reports closing its socket before it knew its endpoint.
  | ({ readonly type: "close" } & EventAddress)
  | ({ readonly type: "close:error" } & EventAddress & EventError)
  | ({ readonly type: "disconnect" } & EventAddress)
  | { readonly type: "end" }
  | ({ readonly type: "handshake" } & EventAddress)
  | ({ readonly type: "handshake:error:protocol" } & EventAddress & EventError<ProtocolError>)
  | ({ readonly type: "handshake:error:auth" } & EventAddress & EventError<AuthError>)
  | ({ readonly type: "handshake:error:other" } & EventAddress & EventError)

export type SocketEventType = SocketEvent["type"]
export type SocketEventOfType<T extends SocketEventType> = Extract<SocketEvent, { type: T }>

/**
 * The `error` of `handshake:error:protocol`, as zeromq.js makes it: an `Error` whose message is "ZMTP
 * protocol error" and whose `code` names libzmq's ZMQ_PROTOCOL_ERROR_* (`ERR_ZMTP_MECHANISM_MISMATCH`, …).
 * Where libzmq has no such code (we refuse ZMTP 1.0/2.0 and oversized frames in the handshake), `code` is
 * the codec's own (`ERR_ZMTP_INVALID_SIGNATURE`, …). The codec's `ZmtpError`, with its explanation, is
 * the `cause`.
 */
export interface ProtocolError extends Error {
  readonly code: string
}

/**
 * The `error` of `handshake:error:auth`, as zeromq.js makes it: an `Error` whose `status` is the ZAP status
 * code the peer refused us with (300, 400 or 500) and whose message is libzmq's word for it
 * ("Authentication failure" for 400). The codec's `ZmtpError` is the `cause`.
 */
export interface AuthError extends Error {
  readonly status: number
}

/** What `Observer.on()`/`off()` return: the observer's EventEmitter (zeromq.js's `EventSubscriber`). */
export interface EventSubscriber {
  /** Calls `listener` with every event of `type`, after the call that caused it has returned. */
  on<T extends SocketEventType>(type: T, listener: (event: SocketEventOfType<T>) => void): EventSubscriber
  off<T extends SocketEventType>(type: T, listener: (event: SocketEventOfType<T>) => void): EventSubscriber
}
