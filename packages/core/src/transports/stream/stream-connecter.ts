import type { Buffer } from "node:buffer"
import { connect as netConnect, type Socket as NetSocket } from "node:net"
import { StreamEngine } from "../../engine/stream-engine.js"
import { StreamSession } from "../../engine/stream-session.js"
import type { SocketHost } from "../../pipes/socket-host.js"
import type { TransportConnection, TransportEndpoint } from "../transport.js"
import { applyKeepalive } from "./keepalive.js"
import type { StreamAddressing } from "./stream-addressing.js"

/**
 * A connected byte-stream endpoint (libzmq's `tcp_connecter`/`ipc_connecter`): one persistent session,
 * reconnecting with `reconnectInterval`, doubling up to `reconnectMaxInterval`.
 */
export function connectStream<E extends TransportEndpoint>(
  host: SocketHost,
  endpoint: E,
  routingId: Buffer | undefined,
  addressing: StreamAddressing<E>,
): TransportConnection {
  const options = host.options
  const session = new StreamSession(host, endpoint.address, true, routingId)
  let stopped = false
  /** Closed with messages still queued: keep trying to connect, within linger. */
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
    // Connecting holds nothing open: a waiting operation does (keep-alive.ts), or queued messages at exit.
    retryTimer.unref()
    // ZMQ_RECONNECT_IVL_MAX: exponential backoff up to the maximum.
    const max = options.reconnectMaxInterval
    currentInterval = max > interval ? Math.min(max, currentInterval * 2) : interval
  }

  const attempt = (): void => {
    if (!active()) return
    let connectTimer: ReturnType<typeof setTimeout> | undefined
    const attemptSocket = netConnect(addressing.connectOptions(endpoint, options))
    socket = attemptSocket
    attemptSocket.unref()
    let connected = false
    if (options.connectTimeout > 0) {
      connectTimer = setTimeout(() => attemptSocket.destroy(new Error("connect timed out")), options.connectTimeout)
      connectTimer.unref()
    }
    attemptSocket.once("connect", () => {
      connected = true
      if (connectTimer !== undefined) clearTimeout(connectTimer)
      if (!active()) {
        attemptSocket.destroy()
        return
      }
      applyKeepalive(attemptSocket, options)
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
      session.onDone = stop
    },
  }
}
