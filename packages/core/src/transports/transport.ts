import type { Buffer } from "#platform/buffer"
import type { SocketHost } from "../pipes/socket-host.js"

/** An endpoint as its transport parsed it. */
export interface TransportEndpoint {
  /** The endpoint as the application wrote it, `scheme://…`. */
  readonly address: string
}

/**
 * A transport: what binds and connects the endpoints of one scheme (`tcp://`, `ipc://`, `inproc://`).
 * Each Context makes its own instance of each transport on first use (see registry.ts), so a transport
 * keeps per-context state as its own fields (inproc's names). Transports give sockets pipes through their
 * `SocketHost` and know nothing of socket types.
 */
export interface Transport<E extends TransportEndpoint = TransportEndpoint> {
  /**
   * Reads `rest`, the part of `address` after `scheme://`, for a bind or a connect. Throws EINVAL (or
   * ENOTSUP) when it is malformed; called before anything is bound or connected.
   */
  parse(address: string, rest: string, role: "bind" | "connect"): E
  /** Starts accepting peers at `endpoint`; rejects (EADDRINUSE, …) when it cannot. */
  bind(host: SocketHost, endpoint: E): Promise<TransportBinding>
  /** Starts connecting to `endpoint`, and reconnecting where the transport can; `routingId` names the pipe. */
  connect(host: SocketHost, endpoint: E, routingId: Buffer | undefined): TransportConnection
  /** The context was terminated (inproc tells the context's other threads). */
  terminate?(): void
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
