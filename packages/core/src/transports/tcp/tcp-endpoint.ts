import { zmqError } from "../../common/errors.js"

/** `tcp://[source-host:source-port;]host:port`; host may be `[ipv6]`, `*`, a name or an interface address. */
export interface TcpEndpoint {
  readonly address: string
  readonly host: string
  readonly port: number | "*"
  /** The local address to connect from (libzmq's `tcp://src;dst`). */
  readonly source?: { host: string; port: number }
}

/** Reads the part of a tcp endpoint after `tcp://`, as libzmq's `tcp_address_t::resolve` accepts it. */
export function parseTcpEndpoint(address: string, rest: string, role: "bind" | "connect"): TcpEndpoint {
  let target = rest
  let source: { host: string; port: number } | undefined
  const semicolon = rest.indexOf(";")
  if (semicolon >= 0) {
    if (role === "bind") throw zmqError("EINVAL", "a source address is only allowed when connecting", address)
    const from = splitHostPort(rest.slice(0, semicolon), address, true)
    // A source port of `*` (or 0) lets the OS pick, as libzmq's tcp_address does.
    source = { host: from.host, port: from.port === "*" ? 0 : from.port }
    target = rest.slice(semicolon + 1)
  }
  const { host, port } = splitHostPort(target, address, role === "bind")
  if (role === "connect" && (port === "*" || port === 0)) {
    throw zmqError("EINVAL", "cannot connect to port * or 0", address)
  }
  if (role === "connect" && host === "*") throw zmqError("EINVAL", "cannot connect to host *", address)
  return source === undefined ? { address, host, port } : { address, host, port, source }
}

function splitHostPort(text: string, address: string, wildcardPort: boolean): { host: string; port: number | "*" } {
  const colon = text.lastIndexOf(":")
  if (colon <= 0) throw zmqError("EINVAL", `invalid tcp endpoint ${JSON.stringify(address)}: expected host:port`, address)
  let host = text.slice(0, colon)
  const portText = text.slice(colon + 1)
  if (host.startsWith("[") && host.endsWith("]")) host = host.slice(1, -1)
  let port: number | "*"
  if (portText === "*" || portText === "0") {
    if (!wildcardPort) throw zmqError("EINVAL", `invalid port ${portText} in ${address}`, address)
    port = "*"
  } else if (/^\d{1,5}$/.test(portText) && Number(portText) <= 65535) {
    port = Number(portText)
  } else {
    throw zmqError("EINVAL", `invalid port ${JSON.stringify(portText)} in ${address}`, address)
  }
  if (host.length === 0) throw zmqError("EINVAL", `missing host in ${address}`, address)
  return { host, port }
}

/** The endpoint libzmq would report as ZMQ_LAST_ENDPOINT for a bound tcp address. */
export function formatTcpEndpoint(host: string, port: number): string {
  return host.includes(":") ? `tcp://[${host}]:${port}` : `tcp://${host}:${port}`
}
