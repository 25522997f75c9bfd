import type { Transport } from "../transport.js"
import { incompatible, UdpEngine, type UdpRoles } from "./udp-engine.js"
import { parseUdpEndpoint, resolveUdp, type UdpEndpoint } from "./udp-endpoint.js"

const RADIO: UdpRoles = { send: true, receive: false, raw: false }
const DISH: UdpRoles = { send: false, receive: true, raw: false }
const DGRAM: UdpRoles = { send: true, receive: true, raw: true }

/**
 * `udp://` (libzmq's udp transport, draft): RADIO connects and sends each message as a datagram
 * [group length][group][body]; DISH binds and receives them (it filters by its groups itself); DGRAM binds
 * and sends and receives raw datagrams as [address, body]. Any other socket type, or the other direction,
 * is ENOCOMPATPROTO as in libzmq. Unicast or multicast (`udp://239.1.2.3:5555`, with an interface:
 * `udp://eth0;239.1.2.3:5555`), IPv4 and, with `ipv6`, IPv6.
 */
export function udpTransport(): Transport<UdpEndpoint> {
  return {
    parse: parseUdpEndpoint,
    async bind(host, endpoint) {
      if (host.type !== "DISH" && host.type !== "DGRAM") throw incompatible(host.type, "bind", endpoint.address)
      const resolved = resolveUdp(endpoint, "bind", host.options.ipv6)
      const prefix = `udp://${endpoint.interface === undefined ? "" : `${endpoint.interface};`}`
      const hostPart = endpoint.host.includes(":") ? `[${endpoint.host}]` : endpoint.host
      // As bound, with a `*` port resolved (libzmq reports the endpoint as given, without its scheme).
      const { engine, endpoint: bound } = await UdpEngine.bind(host, resolved, host.type === "DGRAM" ? DGRAM : DISH, (port) => `${prefix}${hostPart}:${port}`)
      return { endpoint: bound, close: () => engine.close() }
    },
    connect(host, endpoint) {
      if (host.type !== "RADIO") throw incompatible(host.type, "connect", endpoint.address)
      const engine = UdpEngine.connect(host, resolveUdp(endpoint, "connect", host.options.ipv6), RADIO, endpoint.address)
      return { close: () => void engine.close() }
    },
  }
}
