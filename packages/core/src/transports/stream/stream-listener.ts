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
  const sessions = new Set<StreamSession>()
  /** Accepted streams still in their upgrade (ws), destroyed by close(). */
  const upgrading = new Set<NetSocket>()
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

  server.on("connection", (socket: NetSocket) => {
    if (host.closed) {
      socket.destroy()
      return
    }
    const peerAddress = addressing.peerAddress(socket, boundEndpoint)
    socket.unref()
    applyKeepalive(socket, host.options)
    const start = (zws?: ZwsFraming): void => {
      if (host.closed || socket.destroyed) {
        socket.destroy()
        return
      }
      const session = new StreamSession(host, boundEndpoint, false, undefined, zap)
      sessions.add(session)
      session.onDone = () => sessions.delete(session)
      session.onEngineClosed = () => {
        sessions.delete(session)
      }
      session.startEngine(socket, peerAddress, addressing.peerHost(socket), zws)
    }
    host.emit({ type: "accept", address: boundEndpoint })
    if (addressing.upgrade === undefined) {
      start()
      return
    }
    // ws: the upgrade first; a peer refused there never reaches a session (libzmq's ws_engine fails the
    // handshake the same way: ZMQ_EVENT_HANDSHAKE_FAILED_*, then the stream closes).
    upgrading.add(socket)
    addressing.upgrade(socket, "server", endpoint, host.options).then(
      (zws) => {
        upgrading.delete(socket)
        start(zws)
      },
      (error: unknown) => {
        upgrading.delete(socket)
        socket.destroy()
        host.emit({ type: "handshake:error:other", address: boundEndpoint, error: error instanceof Error ? error : new Error(String(error)) })
        host.emit({ type: "disconnect", address: boundEndpoint })
      },
    )
  })
  server.on("error", (error) => host.emit({ type: "accept:error", address: boundEndpoint, error }))

  return {
    endpoint: boundEndpoint,
    close: async () => {
      for (const session of sessions) session.stop()
      sessions.clear()
      for (const socket of upgrading) socket.destroy()
      upgrading.clear()
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
function reportBindFailure(host: SocketHost, address: string, error: unknown): void {
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
