import { createServer, type Server, type Socket as NetSocket } from "node:net"
import { fromSystemError } from "../../common/errors.js"
import { StreamSession } from "../../engine/stream-session.js"
import type { SocketEvent } from "../../common/events.js"
import type { SocketHost } from "../../pipes/socket-host.js"
import type { ZapConnector } from "../../engine/zap-channel.js"
import type { TransportBinding, TransportEndpoint } from "../transport.js"
import { applyKeepalive } from "./keepalive.js"
import type { StreamAddressing } from "./stream-addressing.js"
import type { ZwsFraming } from "@zmq-ts/zmtp"

/**
 * Gives the streams accepted for one bound endpoint their sessions, each living and dying with its
 * connection. listenStream owns one per server; ws:// has one per path on a shared port (ws-listener.ts).
 */
export class StreamAcceptor {
  readonly #host: SocketHost
  readonly #boundEndpoint: string
  readonly #zap: ZapConnector
  readonly #sessions = new Set<StreamSession>()

  constructor(host: SocketHost, boundEndpoint: string, zap: ZapConnector) {
    this.#host = host
    this.#boundEndpoint = boundEndpoint
    this.#zap = zap
  }

  /** Starts a session on `socket` (already upgraded when `zws` is given). */
  start(socket: NetSocket, peerAddress: string, peerHost: string, zws?: ZwsFraming): void {
    if (this.#host.closed || socket.destroyed) {
      socket.destroy()
      return
    }
    const session = new StreamSession(this.#host, this.#boundEndpoint, false, undefined, this.#zap)
    const sessions = this.#sessions
    sessions.add(session)
    session.onDone = () => sessions.delete(session)
    session.onEngineClosed = () => {
      sessions.delete(session)
    }
    session.startEngine(socket, peerAddress, peerHost, zws)
  }

  /** A peer refused before it reached a session (a ws upgrade): libzmq's ZMQ_EVENT_HANDSHAKE_FAILED_*, then the close. */
  refused(error: unknown): void {
    this.#host.emit({ type: "handshake:error:other", address: this.#boundEndpoint, error: error instanceof Error ? error : new Error(String(error)) })
    this.#host.emit({ type: "disconnect", address: this.#boundEndpoint })
  }

  stop(): void {
    for (const session of this.#sessions) session.stop()
    this.#sessions.clear()
  }
}

/**
 * A bound byte-stream endpoint (libzmq's `tcp_listener`/`ipc_listener`): accepts connections and gives each
 * its own session, which lives and dies with that connection.
 */
export async function listenStream<E extends TransportEndpoint>(
  host: SocketHost,
  endpoint: E,
  addressing: StreamAddressing<E>,
  zap: ZapConnector,
): Promise<TransportBinding> {
  const server = createServer({ noDelay: true, pauseOnConnect: false })
  let boundEndpoint: string
  try {
    boundEndpoint = await addressing.listen(server, endpoint, host.options)
  } catch (error) {
    reportBindFailure(host, endpoint.address, error)
    throw error
  }
  // tcp_listener.cpp/ipc_listener.cpp: ZMQ_EVENT_LISTENING, with the endpoint as bound (wildcards resolved).
  host.emit({ type: "bind", address: boundEndpoint })
  // An idle bound socket does not keep the thread alive (zeromq.js); operations in progress do.
  server.unref()
  const acceptor = new StreamAcceptor(host, boundEndpoint, zap)

  server.on("connection", (socket: NetSocket) => {
    if (host.closed) {
      socket.destroy()
      return
    }
    socket.unref()
    applyKeepalive(socket, host.options)
    host.emit({ type: "accept", address: boundEndpoint })
    acceptor.start(socket, addressing.peerAddress(socket, boundEndpoint), addressing.peerHost(socket))
  })
  server.on("error", (error) => host.emit({ type: "accept:error", address: boundEndpoint, error }))

  return {
    endpoint: boundEndpoint,
    close: async () => {
      acceptor.stop()
      // The listener stops at once; the callback waits for accepted connections to end. Report the close
      // now (as libzmq's ZMQ_EVENT_CLOSED), so socket.close() emits it before "end" ends the observer.
      const closed = new Promise<void>((resolve) => server.close(() => resolve()))
      host.emit({ type: "close", address: boundEndpoint })
      await closed
      addressing.released?.(boundEndpoint)
    },
  }
}

/** Failures of the listen(2) itself, after a socket was made for it (see reportBindFailure). */
const listenFailures = new WeakSet<object>()

/**
 * libzmq's events for a failed bind: when the listener's socket was made and bind(2)/listen(2) refused,
 * tcp_listener.cpp/ipc_listener.cpp close it first (ZMQ_EVENT_CLOSED with no address: the endpoint is not
 * known yet); then socket_base.cpp reports ZMQ_EVENT_BIND_FAILED with the address as given, without its
 * scheme ("127.0.0.1:5555"). An address that does not resolve fails before any socket: no `close`.
 */
export function reportBindFailure(host: SocketHost, address: string, error: unknown): void {
  const failure = error instanceof Error ? error : new Error(String(error))
  // zeromq.js's event has no `address` key at all here, though its typings declare one.
  if (listenFailures.has(failure)) host.emit({ type: "close" } as SocketEvent)
  host.emit({ type: "bind:error", address: address.slice(address.indexOf("://") + 3), error: failure })
}

/** `server.listen`, with a failure as a ZmqError for `address` (EADDRINUSE, EADDRNOTAVAIL, …). */
export function listenOn(server: Server, options: Parameters<Server["listen"]>[0], address: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      const failure = fromSystemError(error, address)
      listenFailures.add(failure)
      reject(failure)
    }
    server.once("error", onError)
    server.listen(options, () => {
      server.off("error", onError)
      resolve()
    })
  })
}
