import type { NetConnectOpts } from "node:net"
import { zmqError } from "../../common/errors.js"
import { listenHostFor } from "../stream/listen-host.js"
import type { StreamAddressing } from "../stream/stream-addressing.js"
import { listenOn } from "../stream/stream-listener.js"
import { refuseIpv6WithoutOption, streamTransport } from "../stream/stream-transport.js"
import type { Transport } from "../transport.js"
import type { ZapConnector } from "../../engine/zap-channel.js"
import { formatTcpEndpoint, parseTcpEndpoint, type TcpEndpoint } from "./tcp-endpoint.js"

const addressing: StreamAddressing<TcpEndpoint> = {
  async listen(server, endpoint, options) {
    const listenHost = listenHostFor(endpoint.host, options.ipv6, endpoint.address)
    const port = endpoint.port === "*" ? 0 : endpoint.port
    await listenOn(server, { host: listenHost, port, backlog: options.backlog, ipv6Only: false }, endpoint.address)
    const address = server.address()
    if (address === null || typeof address === "string") throw zmqError("EINVAL", "tcp server has no address", endpoint.address)
    return formatTcpEndpoint(address.address, address.port)
  },
  connectOptions(endpoint, options): NetConnectOpts {
    return {
      host: endpoint.host,
      port: endpoint.port as number,
      // Without ipv6, names resolve to IPv4 addresses only, as libzmq's resolver does.
      family: options.ipv6 ? 0 : 4,
      noDelay: true,
      ...(endpoint.source === undefined ? {} : { localAddress: endpoint.source.host }),
      ...(endpoint.source === undefined || endpoint.source.port === 0 ? {} : { localPort: endpoint.source.port }),
    }
  },
  peerAddress(socket, boundEndpoint) {
    return socket.remoteAddress !== undefined && socket.remotePort !== undefined
      ? formatTcpEndpoint(socket.remoteAddress, socket.remotePort)
      : boundEndpoint
  },
  // libzmq: getnameinfo(NI_NUMERICHOST) of the peer, e.g. "127.0.0.1" or "::1".
  peerHost: (socket) => socket.remoteAddress ?? "",
}

/**
 * `tcp://`: IPv4 and IPv6 (with `ipv6`), `*` interfaces and ports, host names, a source address on connect.
 * One per context: its sessions reach that context's ZAP handler through `zap`.
 */
export function tcpTransport(zap: ZapConnector): Transport<TcpEndpoint> {
  return streamTransport(parseTcpEndpoint, addressing, zap, refuseIpv6WithoutOption)
}
