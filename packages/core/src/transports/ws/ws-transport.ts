import type { NetConnectOpts } from "node:net"
import { zmqError } from "../../common/errors.js"
import type { ZapConnector } from "../../engine/zap-channel.js"
import type { StreamAddressing } from "../stream/stream-addressing.js"
import { listenOn } from "../stream/stream-listener.js"
import { refuseIpv6WithoutOption, streamTransport } from "../stream/stream-transport.js"
import type { Transport } from "../transport.js"
import { formatWsEndpoint, parseWsEndpoint, type WsEndpoint } from "./ws-endpoint.js"
import { upgradeWs } from "./ws-upgrade.js"

const addressing: StreamAddressing<WsEndpoint> = {
  async listen(server, endpoint, options) {
    const wildcard = endpoint.host === "*"
    let listenHost = wildcard ? (options.ipv6 ? "::" : "0.0.0.0") : endpoint.host
    if (listenHost === "localhost" && !options.ipv6) listenHost = "127.0.0.1"
    const port = endpoint.port === "*" ? 0 : endpoint.port
    await listenOn(server, { host: listenHost, port, backlog: options.backlog, ipv6Only: false }, endpoint.address)
    const address = server.address()
    if (address === null || typeof address === "string") throw zmqError("EINVAL", "ws server has no address", endpoint.address)
    return formatWsEndpoint(address.address, address.port, endpoint.path)
  },
  connectOptions(endpoint, options): NetConnectOpts {
    return { host: endpoint.host, port: endpoint.port as number, family: options.ipv6 ? 0 : 4, noDelay: true }
  },
  peerAddress(socket, boundEndpoint) {
    return socket.remoteAddress !== undefined && socket.remotePort !== undefined
      ? formatWsEndpoint(socket.remoteAddress, socket.remotePort, "")
      : boundEndpoint
  },
  peerHost: (socket) => socket.remoteAddress ?? "",
  upgrade: upgradeWs,
}

/**
 * `ws://` (ZWS 2.0, RFC 45): ZMTP over WebSocket, our own RFC 6455 framing (docs/decisions/0012). A tcp
 * stream, the HTTP/1.1 upgrade, then the same session and engine as tcp with the codec in ZWS mode. For
 * now one socket per port: the request path is not checked (as libzmq's server does not check it).
 */
export function wsTransport(zap: ZapConnector): Transport<WsEndpoint> {
  return streamTransport(parseWsEndpoint, addressing, zap, refuseIpv6WithoutOption)
}
