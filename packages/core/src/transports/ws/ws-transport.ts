import { createServer, type NetConnectOpts } from "node:net"
import type { ZapConnector } from "../../engine/zap-channel.js"
import type { StreamConnecting } from "../stream/stream-addressing.js"
import { connectStream } from "../stream/stream-connecter.js"
import { refuseIpv6WithoutOption } from "../stream/stream-transport.js"
import type { Transport } from "../transport.js"
import { parseWsEndpoint, type WsEndpoint } from "./ws-endpoint.js"
import { listenWs, type WsServerKind } from "./ws-listener.js"
import { openSecure, secureServer } from "./ws-secure.js"
import { refuseStreamOverWs } from "./ws-stream-refusal.js"
import { upgradeWs } from "./ws-upgrade.js"

/** The connecting side: tcp's connect, then the HTTP upgrade (ws-upgrade.ts). Binds go to ws-listener.ts. */
const connecting: StreamConnecting<WsEndpoint> = {
  connectOptions(endpoint, options): NetConnectOpts {
    return { host: endpoint.host, port: endpoint.port as number, family: options.ipv6 ? 0 : 4, noDelay: true }
  },
  peerHost: (socket) => socket.remoteAddress ?? "",
  upgrade: upgradeWs,
}

const plain: WsServerKind = {
  scheme: "ws",
  check: () => undefined,
  create: () => createServer({ noDelay: true, pauseOnConnect: false }),
  streamEvent: "connection",
}

const secureConnecting: StreamConnecting<WsEndpoint> = { ...connecting, open: openSecure }

/**
 * `ws://` (ZWS 2.0, RFC 45): ZMTP over WebSocket, our own RFC 6455 framing (docs/decisions/0012). A tcp
 * stream, the HTTP/1.1 upgrade, then the same session and engine as tcp with the codec in ZWS mode. Bound
 * ports are shared by path (ws-listener.ts, docs/decisions/0013).
 */
export function wsTransport(zap: ZapConnector): Transport<WsEndpoint> {
  return webSocketTransport(zap, plain, connecting)
}

/**
 * `wss://`: ws:// inside TLS (node:tls), with libzmq's draft ZMQ_WSS_* options (ws-secure.ts). The same
 * path routing: a wss port is shared by the wss binds on it.
 */
export function wssTransport(zap: ZapConnector): Transport<WsEndpoint> {
  return webSocketTransport(zap, secureServer, secureConnecting)
}

/** ws:// and wss:// differ only in how the listener and the connecter open their streams. */
function webSocketTransport(zap: ZapConnector, server: WsServerKind, opening: StreamConnecting<WsEndpoint>): Transport<WsEndpoint> {
  return {
    parse: parseWsEndpoint,
    async bind(host, endpoint) {
      refuseStreamOverWs(host, endpoint.address)
      return listenWs(host, endpoint, zap, server)
    },
    connect(host, endpoint, routingId) {
      refuseStreamOverWs(host, endpoint.address)
      refuseIpv6WithoutOption(endpoint, host.options)
      return connectStream(host, endpoint, routingId, opening, zap)
    },
  }
}
