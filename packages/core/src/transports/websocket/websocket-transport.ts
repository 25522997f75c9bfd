import type { Buffer } from "#platform/buffer"
import type { SocketHost } from "../../pipes/socket-host.js"
import type { Transport, TransportBinding, TransportConnection } from "../transport.js"
import { refuseStreamOverWs } from "../ws/ws-stream-refusal.js"
import { connectWebSocket } from "./websocket-connecter.js"
import { bindRefusal, parseWebSocketEndpoint, type WebSocketEndpoint } from "./websocket-endpoint.js"

/**
 * `ws://` and `wss://` in a browser (schemes.browser.ts): the platform's WebSocket, bare ZWS2.0 (NULL), connect
 * only. TLS for wss:// is the platform's; so are the masking, pings and pongs of RFC 6455.
 */
export function webSocketTransport(): Transport<WebSocketEndpoint> {
  return {
    parse: (address: string, _rest: string, role: "bind" | "connect") => parseWebSocketEndpoint(address, role),
    // parse() already refuses every bind; this is for a caller that skips it.
    bind: (_host: SocketHost, endpoint: WebSocketEndpoint): Promise<TransportBinding> => Promise.reject(bindRefusal(endpoint.address)),
    connect: (host: SocketHost, endpoint: WebSocketEndpoint, routingId: Buffer | undefined): TransportConnection => {
      refuseStreamOverWs(host, endpoint.address)
      return connectWebSocket(host, endpoint, routingId)
    },
  }
}
