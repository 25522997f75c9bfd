import { existsSync, lstatSync, unlinkSync } from "node:fs"
import { createServer, connect as netConnect, isIP, type Server, type Socket as NetSocket } from "node:net"
import { formatTcpEndpoint, type Endpoint } from "./endpoint.js"
import { fromSystemError, zmqError } from "./errors.js"
import { StreamEngine } from "./stream-engine.js"
import { StreamSession } from "./stream-session.js"
import type { SocketHost, TransportBinding, TransportConnection } from "./transport.js"

type StreamEndpoint = Extract<Endpoint, { transport: "tcp" | "ipc" }>

/**
 * tcp and ipc: both are byte streams that Node gives us as `net.Socket`s; they differ only in how an
 * address is listened on and connected to. Listener (libzmq's `tcp_listener`/`ipc_listener`): accepts
 * connections and gives each its own session. Connecter (`tcp_connecter`/`ipc_connecter`): one persistent
 * session, reconnecting with `reconnectInterval`, doubling up to `reconnectMaxInterval`.
 */
export async function bindStream(host: SocketHost, endpoint: StreamEndpoint): Promise<TransportBinding> {
  const server = createServer({ noDelay: true, pauseOnConnect: false })
  const sessions = new Set<StreamSession>()
  const options = host.options
  let boundEndpoint: string

  if (endpoint.transport === "tcp") {
    const wildcard = endpoint.host === "*"
    let listenHost = wildcard ? (options.ipv6 ? "::" : "0.0.0.0") : endpoint.host
    if (!wildcard && isIP(listenHost) === 6 && !options.ipv6) {
      throw zmqError("EINVAL", `binding to IPv6 address ${listenHost} needs the ipv6 option`, endpoint.address)
    }
    if (listenHost === "localhost" && !options.ipv6) listenHost = "127.0.0.1"
    const port = endpoint.port === "*" ? 0 : endpoint.port
    await listen(server, { host: listenHost, port, backlog: options.backlog, ipv6Only: false }, endpoint.address)
    const address = server.address()
    if (address === null || typeof address === "string") throw zmqError("EINVAL", "tcp server has no address", endpoint.address)
    boundEndpoint = formatTcpEndpoint(address.address, address.port)
  } else {
    // libzmq replaces a stale socket file on bind; we do too, but never a file that is not a socket.
    if (!endpoint.abstract && existsSync(endpoint.path)) {
      if (!lstatSync(endpoint.path).isSocket()) {
        throw zmqError("EADDRINUSE", `${endpoint.path} exists and is not a socket`, endpoint.address)
      }
      unlinkSync(endpoint.path)
    }
    await listen(server, { path: endpoint.path, backlog: options.backlog }, endpoint.address)
    boundEndpoint = endpoint.address
  }

  server.on("connection", (socket: NetSocket) => {
    if (host.closed) {
      socket.destroy()
      return
    }
    const peerAddress =
      endpoint.transport === "tcp" && socket.remoteAddress !== undefined && socket.remotePort !== undefined
        ? formatTcpEndpoint(socket.remoteAddress, socket.remotePort)
        : boundEndpoint
    applyKeepalive(socket, host)
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

export function connectStream(host: SocketHost, endpoint: StreamEndpoint, routingId: Buffer | undefined): TransportConnection {
  const options = host.options
  if (endpoint.transport === "tcp" && isIP(endpoint.host) === 6 && !options.ipv6) {
    throw zmqError("EINVAL", `connecting to IPv6 address ${endpoint.host} needs the ipv6 option`, endpoint.address)
  }
  const session = new StreamSession(host, endpoint.address, true, routingId)
  let stopped = false
  /** Closed with messages still queued: keep trying to connect, without holding the process open. */
  let lingering = false
  const active = (): boolean => !stopped && (lingering || !host.closed)
  let retryTimer: ReturnType<typeof setTimeout> | undefined
  let currentInterval = options.reconnectInterval
  let socket: NetSocket | undefined

  const scheduleReconnect = (): void => {
    if (!active()) return
    const interval = options.reconnectInterval
    if (interval < 0) return
    const delay = currentInterval
    host.emit({ type: "connect:delay", address: endpoint.address })
    retryTimer = setTimeout(() => {
      retryTimer = undefined
      host.emit({ type: "connect:retry", address: endpoint.address, interval: delay })
      attempt()
    }, delay)
    if (lingering) retryTimer.unref()
    // ZMQ_RECONNECT_IVL_MAX: exponential backoff up to the maximum.
    const max = options.reconnectMaxInterval
    currentInterval = max > interval ? Math.min(max, currentInterval * 2) : interval
  }

  const attempt = (): void => {
    if (!active()) return
    let connectTimer: ReturnType<typeof setTimeout> | undefined
    const target =
      endpoint.transport === "tcp"
        ? {
            host: endpoint.host,
            port: endpoint.port as number,
            family: options.ipv6 ? 0 : 4,
            noDelay: true,
            ...(endpoint.source === undefined ? {} : { localAddress: endpoint.source.host, localPort: endpoint.source.port }),
          }
        : { path: endpoint.path }
    const attemptSocket = netConnect(target as unknown as import("node:net").NetConnectOpts)
    socket = attemptSocket
    if (lingering) attemptSocket.unref()
    let connected = false
    if (options.connectTimeout > 0) {
      connectTimer = setTimeout(() => attemptSocket.destroy(new Error("connect timed out")), options.connectTimeout)
    }
    attemptSocket.once("connect", () => {
      connected = true
      if (connectTimer !== undefined) clearTimeout(connectTimer)
      if (!active()) {
        attemptSocket.destroy()
        return
      }
      applyKeepalive(attemptSocket, host)
      session.attach(new StreamEngine(attemptSocket, session.engineOptions(endpoint.address), session))
      host.emit({ type: "connect", address: endpoint.address })
    })
    attemptSocket.once("error", () => {
      if (connected) return // the engine reports and closes
    })
    attemptSocket.once("close", () => {
      if (connectTimer !== undefined) clearTimeout(connectTimer)
      if (socket === attemptSocket) socket = undefined
      if (!connected) scheduleReconnect()
    })
  }

  session.onEngineClosed = (handshakeSucceeded) => {
    if (handshakeSucceeded) currentInterval = options.reconnectInterval
    scheduleReconnect()
  }

  attempt()

  return {
    close: () => {
      session.stop()
      const stop = (): void => {
        stopped = true
        if (retryTimer !== undefined) clearTimeout(retryTimer)
        if (session.engine === undefined && socket !== undefined) socket.destroy()
      }
      if (!session.waitingToFlush) {
        stop()
        return
      }
      lingering = true
      retryTimer?.unref()
      socket?.unref()
      session.onDone = stop
    },
  }
}

function applyKeepalive(socket: NetSocket, host: SocketHost): void {
  const { tcpKeepalive, tcpKeepaliveIdle } = host.options
  if (tcpKeepalive === 1) socket.setKeepAlive(true, tcpKeepaliveIdle > 0 ? tcpKeepaliveIdle * 1000 : 0)
  else if (tcpKeepalive === 0) socket.setKeepAlive(false)
}

function listen(server: Server, options: Parameters<Server["listen"]>[0], address: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => reject(fromSystemError(error, address))
    server.once("error", onError)
    server.listen(options, () => {
      server.off("error", onError)
      resolve()
    })
  })
}
