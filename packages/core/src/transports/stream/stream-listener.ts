import { createServer, type Server, type Socket as NetSocket } from "node:net"
import { fromSystemError } from "../../common/errors.js"
import { StreamEngine } from "../../engine/stream-engine.js"
import { StreamSession } from "../../engine/stream-session.js"
import type { SocketHost } from "../../pipes/socket-host.js"
import type { TransportBinding, TransportEndpoint } from "../transport.js"
import { applyKeepalive } from "./keepalive.js"
import type { StreamAddressing } from "./stream-addressing.js"

/**
 * A bound byte-stream endpoint (libzmq's `tcp_listener`/`ipc_listener`): accepts connections and gives each
 * its own session, which lives and dies with that connection.
 */
export async function listenStream<E extends TransportEndpoint>(
  host: SocketHost,
  endpoint: E,
  addressing: StreamAddressing<E>,
): Promise<TransportBinding> {
  const server = createServer({ noDelay: true, pauseOnConnect: false })
  const sessions = new Set<StreamSession>()
  const boundEndpoint = await addressing.listen(server, endpoint, host.options)
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
    const session = new StreamSession(host, boundEndpoint, false, undefined)
    sessions.add(session)
    session.onDone = () => sessions.delete(session)
    session.onEngineClosed = () => {
      sessions.delete(session)
    }
    session.attach(new StreamEngine(socket, session.engineOptions(peerAddress), session))
    host.emit({ type: "accept", address: boundEndpoint })
  })
  server.on("error", (error) => host.emit({ type: "accept:error", address: boundEndpoint, error }))

  return {
    endpoint: boundEndpoint,
    close: async () => {
      for (const session of sessions) session.stop()
      sessions.clear()
      // The listener stops at once; the callback waits for accepted connections to end. Report the close
      // now (as libzmq's ZMQ_EVENT_CLOSED), so socket.close() emits it before "end" ends the observer.
      const closed = new Promise<void>((resolve) => server.close(() => resolve()))
      host.emit({ type: "close", address: boundEndpoint })
      await closed
    },
  }
}

/** `server.listen`, with a failure as a ZmqError for `address` (EADDRINUSE, EADDRNOTAVAIL, …). */
export function listenOn(server: Server, options: Parameters<Server["listen"]>[0], address: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => reject(fromSystemError(error, address))
    server.once("error", onError)
    server.listen(options, () => {
      server.off("error", onError)
      resolve()
    })
  })
}
