import type { SocketType } from "@zmq-ts/zmtp"
import type { Context } from "./context.js"
import type { SocketEvent } from "./observer.js"
import type { SocketOptionValues } from "./options.js"
import type { PipeEnd, PipeListener } from "./pipe.js"

/**
 * What a socket shows its transports. Transports move bytes (tcp, ipc) or whole messages (inproc) and
 * hand the socket pipes; they never see routing. The socket type's name is here only so the session can
 * put it in the handshake.
 */
export interface SocketHost {
  readonly type: SocketType
  readonly options: Readonly<SocketOptionValues>
  readonly context: Context
  readonly closed: boolean
  /** ROUTER-like sockets need the peer's routing id before a pipe is attached. */
  readonly requiresPeerIdentity: boolean
  /** The socket, as the listener of its pipe ends. */
  readonly listener: PipeListener
  /** Gives the socket a pipe end to a peer. */
  attachPipe(pipe: PipeEnd): void
  emit(event: SocketEvent): void
}

/** A bound endpoint: a listening server, or an inproc name. */
export interface TransportBinding {
  /** The endpoint as bound, with wildcards resolved (ZMQ_LAST_ENDPOINT). */
  readonly endpoint: string
  close(): Promise<void>
}

/** A connected endpoint: reconnects by itself until closed. */
export interface TransportConnection {
  /** Stops reconnecting; queued messages are flushed for up to `linger` ms. */
  close(linger: number): void
}
