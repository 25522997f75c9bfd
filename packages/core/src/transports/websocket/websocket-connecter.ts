import type { Buffer } from "#platform/buffer"
import { zmqError } from "../../common/errors.js"
import type { SocketOptionValues } from "../../common/options.js"
import { StreamSession } from "../../engine/stream-session.js"
import { WebSocketEngine, type PlatformWebSocket } from "../../engine/websocket-engine.js"
import type { SocketHost } from "../../pipes/socket-host.js"
import { reconnectLoop } from "../reconnect-loop.js"
import type { TransportConnection } from "../transport.js"
import type { WebSocketEndpoint } from "./websocket-endpoint.js"

/** The one subprotocol a WHATWG WebSocket can offer libzmq ("/" is not a token character): no mechanism. */
const BARE_ZWS = "ZWS2.0"

type WebSocketConstructor = new (url: string, protocols: string[]) => PlatformWebSocket

/**
 * A connected `ws://`/`wss://` endpoint over the platform's WebSocket: one persistent session, reconnecting
 * as the stream connecter does (reconnectInterval, reconnectIntervalMax, reconnectStop's HANDSHAKE_FAILED),
 * with its events: `connect:delay` as an attempt starts, `connect` when the WebSocket opens, `close` and
 * `connect:retry` when an attempt fails, `handshake`, `disconnect`. A browser says nothing of why an
 * attempt failed (refused, TLS, HTTP status), so reconnectStop's CONN_REFUSED never applies here.
 */
export function connectWebSocket(host: SocketHost, endpoint: WebSocketEndpoint, routingId: Buffer | undefined): TransportConnection {
  const options = host.options
  const address = endpoint.address
  refuseMechanism(options, address)
  const Platform = (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket
  if (Platform === undefined) throw zmqError("EPROTONOSUPPORT", `no WebSocket in this runtime for ${address}`, address)
  // No ZAP: bare ZWS2.0 runs no mechanism, so nothing asks the context's handler.
  const session = new StreamSession(host, address, true, routingId, () => undefined)
  /** The attempt in progress, until it opens or fails. */
  let opening: PlatformWebSocket | undefined
  const loop = reconnectLoop(host, session, address, () => attempt(), () => abandonOpening())
  const { active, scheduleReconnect } = loop

  const attempt = (): void => {
    if (!active()) return
    let ws: PlatformWebSocket
    try {
      ws = new Platform(endpoint.url, [BARE_ZWS])
    } catch (error) {
      // A URL the platform refuses (a page served over https may not open ws://, for one).
      host.emit({ type: "handshake:error:other", address, error: error instanceof Error ? error : new Error(String(error)) })
      loop.stop()
      session.abandon()
      return
    }
    ws.binaryType = "arraybuffer"
    opening = ws
    host.emit({ type: "connect:delay", address })
    let connectTimer: ReturnType<typeof setTimeout> | undefined
    if (options.connectTimeout > 0) connectTimer = setTimeout(() => ws.close(), options.connectTimeout)
    ws.onerror = () => {} // the close event follows, with no more detail than this one
    ws.onclose = () => {
      if (connectTimer !== undefined) clearTimeout(connectTimer)
      if (opening !== ws) return
      opening = undefined
      host.emit({ type: "close", address })
      scheduleReconnect()
    }
    ws.onopen = () => {
      if (connectTimer !== undefined) clearTimeout(connectTimer)
      opening = undefined
      ws.onclose = null
      if (!active()) {
        ws.close(1000)
        return
      }
      host.emit({ type: "connect", address })
      if (ws.protocol !== BARE_ZWS) {
        // The server took no ZWS subprotocol: not a ZeroMQ ws endpoint (libzmq refuses such a client).
        const error = zmqError("EPROTO", `the server at ${address} chose subprotocol ${JSON.stringify(ws.protocol)}, not ${BARE_ZWS}`, address)
        host.emit({ type: "handshake:error:other", address, error })
        ws.close(1000)
        session.onEngineClosed?.(false)
        return
      }
      session.attach(new WebSocketEngine(ws, session.engineOptions(address, endpoint.host), session))
    }
  }

  /** Closed before the attempt in progress opened: it closes as soon as the platform lets it. */
  const abandonOpening = (): void => {
    const ws = opening
    if (ws === undefined) return
    opening = undefined
    ws.onopen = () => ws.close(1000)
    ws.onclose = null
    try {
      ws.close(1000)
    } catch {
      // not yet open in a platform that refuses close() then: onopen closes it
    }
  }

  attempt()

  return loop.connection
}

/**
 * PLAIN and CURVE need the subprotocols "ZWS2.0/PLAIN" and "ZWS2.0/CURVE", which a WHATWG WebSocket cannot
 * offer: refuse them at connect rather than reach a server that would answer with 400.
 */
function refuseMechanism(options: SocketOptionValues, address: string): void {
  const mechanism = options.curve !== null ? "CURVE" : options.plainServer || options.plainUsername !== null ? "PLAIN" : undefined
  if (mechanism === undefined) return
  throw zmqError(
    "ENOTSUP",
    `${mechanism} over ${address} needs the subprotocol ZWS2.0/${mechanism}, which a browser's WebSocket cannot offer ("/" is not allowed in a subprotocol); only NULL (bare ZWS2.0) works from a browser`,
    address,
  )
}
