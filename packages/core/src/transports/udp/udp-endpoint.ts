import { isIP } from "node:net"
import { networkInterfaces } from "node:os"
import { zmqError } from "../../common/errors.js"

/**
 * `udp://[interface;]host:port`, as libzmq's udp_address_t reads it: `host` is the peer a RADIO sends to, the
 * address a DISH or DGRAM binds (`*` for any), or a multicast group (`239.1.2.3`, `[ff02::1]`) both send to
 * and listen on; `interface` (an address, an interface name or `*`) is allowed with a multicast group only,
 * and names the interface to join and send it on.
 */
export interface UdpEndpoint {
  readonly address: string
  readonly interface: string | undefined
  readonly host: string
  /** 0 for a `*` (or 0) port on bind: the OS picks one. */
  readonly port: number
}

/** Reads the part of a udp endpoint after `udp://`. EINVAL when malformed, as libzmq's resolver. */
export function parseUdpEndpoint(address: string, rest: string, role: "bind" | "connect"): UdpEndpoint {
  const semicolon = rest.lastIndexOf(";")
  let iface = semicolon >= 0 ? rest.slice(0, semicolon) : undefined
  if (iface?.startsWith("[") === true && iface.endsWith("]")) iface = iface.slice(1, -1)
  if (iface !== undefined && iface.length === 0) throw zmqError("EINVAL", "empty interface before ';'", address)
  const target = semicolon >= 0 ? rest.slice(semicolon + 1) : rest
  const colon = target.lastIndexOf(":")
  if (colon <= 0) throw zmqError("EINVAL", `invalid udp endpoint ${JSON.stringify(address)}: expected host:port`, address)
  let host = target.slice(0, colon)
  if (host.startsWith("[") && host.endsWith("]")) host = host.slice(1, -1)
  if (host.length === 0) throw zmqError("EINVAL", `missing host in ${address}`, address)
  const portText = target.slice(colon + 1)
  let port: number
  if (portText === "*") port = 0
  else if (/^\d{1,5}$/.test(portText) && Number(portText) <= 65535) port = Number(portText)
  else throw zmqError("EINVAL", `invalid port ${JSON.stringify(portText)} in ${address}`, address)
  if (role === "connect" && port === 0) throw zmqError("EINVAL", "cannot connect to port * or 0", address)
  if (role === "connect" && host === "*") throw zmqError("EINVAL", "cannot connect to host *", address)
  return { address, interface: iface, host, port }
}

/** An endpoint resolved for one socket: the family, what to bind, where to send, which group to join. */
export interface ResolvedUdp {
  readonly family: 4 | 6
  /** The address the receiving socket binds (any address for multicast, as libzmq binds it). */
  readonly bindHost: string
  readonly port: number
  /** The multicast group, when the target is one. */
  readonly group: string | undefined
  /**
   * The interface to join the group and send on, in Node's form (an IPv4 address, or `::%name` for IPv6);
   * undefined for the kernel's choice.
   */
  readonly multicastInterface: string | undefined
  /** Where a RADIO sends: the host as given (a name is looked up once when the engine starts). */
  readonly targetHost: string
}

function isMulticast(ip: string): boolean {
  if (isIP(ip) === 4) {
    const first = Number(ip.slice(0, ip.indexOf(".")))
    return first >= 224 && first <= 239
  }
  return isIP(ip) === 6 && /^ff/i.test(ip)
}

/** libzmq's nic-name resolution: the interface's first address of the family (IPv4 unless `ipv6`). */
function interfaceAddress(name: string, ipv6: boolean): string | undefined {
  const addresses = networkInterfaces()[name]
  return addresses?.find((entry) => ipv6 || entry.family === "IPv4")?.address
}

/**
 * libzmq's udp_address_t::resolve for `role`: the socket's `ipv6` option allows IPv6 addresses (without it,
 * one is EINVAL; a DISH binding `*` with it listens on both families); an interface needs a multicast
 * target and may not be one itself (EINVAL); IPv6 multicast needs an interface given by name or `*`
 * (ENODEV otherwise), as libzmq joins an IPv6 group by interface index.
 */
export function resolveUdp(endpoint: UdpEndpoint, role: "bind" | "connect", ipv6: boolean): ResolvedUdp {
  const { address } = endpoint
  let host = endpoint.host
  if (host === "localhost") host = ipv6 ? "::1" : "127.0.0.1"
  if (role === "bind" && host !== "*" && isIP(host) === 0) {
    const named = interfaceAddress(host, ipv6)
    if (named === undefined) throw zmqError("ENODEV", `no interface or address ${JSON.stringify(host)}`, address)
    host = named
  }
  if (isIP(host) === 6 && !ipv6) throw zmqError("EINVAL", `IPv6 address ${host} needs the ipv6 option`, address)
  const family: 4 | 6 = host === "*" ? (ipv6 ? 6 : 4) : isIP(host) === 6 ? 6 : 4
  const group = host !== "*" && isMulticast(host) ? host : undefined
  let multicastInterface: string | undefined
  if (endpoint.interface !== undefined) {
    if (group === undefined) throw zmqError("EINVAL", "an interface (iface;host:port) is allowed with a multicast address only", address)
    multicastInterface = multicastInterfaceOf(endpoint.interface, family, address)
  }
  const anyHost = family === 6 ? "::" : "0.0.0.0"
  return {
    family,
    bindHost: group !== undefined || host === "*" ? anyHost : host,
    port: endpoint.port,
    group,
    multicastInterface,
    targetHost: host,
  }
}

function multicastInterfaceOf(name: string, family: 4 | 6, address: string): string | undefined {
  if (name === "*") return undefined
  if (family === 6) {
    if (isIP(name) === 4) throw zmqError("EINVAL", `interface ${name} and group are of different families`, address)
    // IPv6 groups are joined by interface index: only a name gives one (libzmq: if_nametoindex).
    if (networkInterfaces()[name] === undefined) throw zmqError("ENODEV", `IPv6 multicast needs an interface name or *, got ${JSON.stringify(name)}`, address)
    return `::%${name}`
  }
  if (isIP(name) === 4) {
    if (isMulticast(name)) throw zmqError("EINVAL", `the interface ${name} is a multicast address`, address)
    return name
  }
  if (isIP(name) === 6) throw zmqError("EINVAL", `interface ${name} and group are of different families`, address)
  const named = interfaceAddress(name, false)
  if (named === undefined) throw zmqError("ENODEV", `no interface ${JSON.stringify(name)}`, address)
  return named
}
