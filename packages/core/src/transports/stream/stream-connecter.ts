import type { Buffer } from "#platform/buffer"
import { RECONNECT_STOP_AFTER_DISCONNECT, RECONNECT_STOP_CONN_REFUSED } from "../../common/options.js"
import { connect as netConnect, type Socket as NetSocket } from "node:net"
import { StreamSession } from "../../engine/stream-session.js"
import type { SocketHost } from "../../pipes/socket-host.js"
import type { ZapConnector } from "../../engine/zap-channel.js"
import type { TransportConnection, TransportEndpoint } from "../transport.js"
import { applyKeepalive } from "./keepalive.js"
import { reconnectLoop } from "../reconnect-loop.js"
import type { StreamConnecting } from "./stream-addressing.js"
import type { ZwsFraming } from "@zmq-ts/zmtp"

/**
 * A connected byte-stream endpoint (libzmq's `tcp_connecter`/`ipc_connecter`): one persistent session,
 * reconnecting after `reconnectInterval` as libzmq 4.3.5 does (stream_connecter_base.cpp).
 *
 * Its events follow libzmq's: `connect:delay` when a tcp attempt starts (an ipc connect completes or fails at
 * once, so libzmq never reports it there), `close` when a failed attempt's socket is closed, then
 * `connect:retry` with the interval as the next attempt is scheduled; `connect` once the stream is up.
 *
 * ZMQ_RECONNECT_STOP ends the retries as libzmq 4.3.5's connecters do: CONN_REFUSED on a tcp attempt
 * refused (the session ends: tcp_connecter's send_conn_failed), HANDSHAKE_FAILED on a connection that
 * failed before its handshake completed (the session ends: stream_engine_base treats it as a protocol
 * error), AFTER_DISCONNECT on an ipc attempt refused once `disconnect()` was called on the socket
 * (ipc_connecter: no retry, the session stays).
 */
export function connectStream<E extends TransportEndpoint>(
  host: SocketHost,
  endpoint: E,
  routingId: Buffer | undefined,
  addressing: StreamConnecting<E>,
  zap: ZapConnector,
): TransportConnection {
  const options = host.options
  const address = endpoint.address
  const session = new StreamSession(host, address, true, routingId, zap)
  // ipc_connecter.cpp: connect(2) on a Unix socket does not return EINPROGRESS, so no ZMQ_EVENT_CONNECT_DELAYED.
  const delayedConnect = address.startsWith("tcp://")
  /** The attempt in progress, until it connects or fails. */
  let socket: NetSocket | undefined
  const loop = reconnectLoop(host, session, address, () => attempt(), () => socket?.destroy())
  const { active, scheduleReconnect } = loop

  const attempt = (): void => {
    if (!active()) return
    let connectTimer: ReturnType<typeof setTimeout> | undefined
    const connectOptions = addressing.connectOptions(endpoint, options)
    const attemptSocket = addressing.open === undefined ? netConnect(connectOptions) : addressing.open(connectOptions, endpoint, options)
    socket = attemptSocket
    attemptSocket.unref()
    let connected = false
    let failure: string | undefined
    if (delayedConnect) host.emit({ type: "connect:delay", address })
    if (options.connectTimeout > 0) {
      connectTimer = setTimeout(() => attemptSocket.destroy(new Error("connect timed out")), options.connectTimeout)
      connectTimer.unref()
    }
    const start = (zws?: ZwsFraming): void => {
      connected = true
      socket = undefined
      if (!active()) {
        attemptSocket.destroy()
        return
      }
      session.startEngine(attemptSocket, address, addressing.peerHost(attemptSocket), zws)
    }
    attemptSocket.once("connect", () => {
      if (connectTimer !== undefined) clearTimeout(connectTimer)
      if (!active()) {
        attemptSocket.destroy()
        return
      }
      if (isSelfConnect(attemptSocket)) {
        // TCP simultaneous open: a connect to a local port nobody listens on can be handed that very port as
        // its source and so reach itself. Kept, it would hold the port the real peer wants to bind; count it
        // as refused and retry from another source port (libzmq keeps such a connection).
        failure = "ECONNREFUSED"
        attemptSocket.destroy()
        return
      }
      applyKeepalive(attemptSocket, options)
      host.emit({ type: "connect", address })
      if (addressing.upgrade === undefined) {
        start()
        return
      }
      // ws: the HTTP upgrade before ZMTP; a refusal closes this attempt, and the connecter retries.
      addressing.upgrade(attemptSocket, endpoint, options).then(start, (error: unknown) => {
        host.emit({ type: "handshake:error:other", address, error: error instanceof Error ? error : new Error(String(error)) })
        attemptSocket.destroy()
      })
    })
    attemptSocket.once("error", (error: NodeJS.ErrnoException) => {
      if (connected) return // the engine reports and closes
      failure = error.code
    })
    attemptSocket.once("close", () => {
      if (connectTimer !== undefined) clearTimeout(connectTimer)
      if (connected) return
      if (socket === attemptSocket) socket = undefined
      // stream_connecter_base.cpp's close(): the failed attempt's socket is closed, ZMQ_EVENT_CLOSED.
      host.emit({ type: "close", address })
      if (failure === "ECONNREFUSED" && stopsOnRefusal()) {
        loop.stop()
        if (delayedConnect) session.abandon()
        return
      }
      scheduleReconnect()
    })
  }

  /** tcp: RECONNECT_STOP_CONN_REFUSED; ipc: RECONNECT_STOP_AFTER_DISCONNECT once disconnect() was called. */
  const stopsOnRefusal = (): boolean =>
    delayedConnect
      ? (options.reconnectStop & RECONNECT_STOP_CONN_REFUSED) !== 0
      : (options.reconnectStop & RECONNECT_STOP_AFTER_DISCONNECT) !== 0 && host.disconnected === true

  attempt()

  return loop.connection
}

/** True when a tcp connection's two ends are one address and port: the socket reached itself. */
function isSelfConnect(socket: NetSocket): boolean {
  return socket.localPort !== undefined && socket.localPort === socket.remotePort && socket.localAddress === socket.remoteAddress
}
