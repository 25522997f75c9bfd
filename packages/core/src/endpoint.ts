import { zmqError } from "./errors.js"

/** A parsed endpoint: `tcp://host:port`, `ipc://path` (or `ipc://@abstract`), `inproc://name`. */
export type Endpoint =
  | { readonly transport: "tcp"; readonly address: string; readonly host: string; readonly port: number | "*"; readonly source?: { host: string; port: number } }
  | { readonly transport: "ipc"; readonly address: string; readonly path: string; readonly abstract: boolean }
  | { readonly transport: "inproc"; readonly address: string; readonly name: string }

const SUPPORTED = ["tcp", "ipc", "inproc"]
const KNOWN_UNSUPPORTED = ["pgm", "epgm", "tipc", "vmci", "norm", "udp", "ws", "wss"]

export function parseEndpoint(address: string, role: "bind" | "connect"): Endpoint {
  if (typeof address !== "string") throw zmqError("EINVAL", `endpoint must be a string, got ${typeof address}`)
  const match = /^([a-z]+):\/\/(.*)$/.exec(address)
  if (match === null) throw zmqError("EINVAL", `invalid endpoint ${JSON.stringify(address)}: expected transport://address`, address)
  const transport = match[1]!
  const rest = match[2]!
  if (!SUPPORTED.includes(transport)) {
    const why = KNOWN_UNSUPPORTED.includes(transport) ? "is not supported by zmq-ts" : "is unknown"
    throw zmqError("EPROTONOSUPPORT", `transport ${JSON.stringify(transport)} ${why}`, address)
  }
  if (transport === "inproc") {
    if (rest.length === 0) throw zmqError("EINVAL", "inproc endpoint needs a name", address)
    return { transport, address, name: rest }
  }
  if (transport === "ipc") {
    if (rest.length === 0) throw zmqError("EINVAL", "ipc endpoint needs a path", address)
    if (rest === "*") throw zmqError("ENOTSUP", "ipc://* (a random path) is not supported; name the path", address)
    const abstract = rest.startsWith("@")
    if (abstract && process.platform !== "linux") {
      throw zmqError("ENOTSUP", "abstract ipc names (ipc://@name) exist only on Linux", address)
    }
    return { transport, address, path: abstract ? `\0${rest.slice(1)}` : rest, abstract }
  }
  // tcp: [source-host:source-port;]host:port, host may be [ipv6], *, a name, or an interface address.
  let target = rest
  let source: { host: string; port: number } | undefined
  const semicolon = rest.indexOf(";")
  if (semicolon >= 0) {
    if (role === "bind") throw zmqError("EINVAL", "a source address is only allowed when connecting", address)
    source = splitHostPort(rest.slice(0, semicolon), address, true) as { host: string; port: number }
    target = rest.slice(semicolon + 1)
  }
  const { host, port } = splitHostPort(target, address, role === "bind")
  if (role === "connect" && (port === "*" || port === 0)) {
    throw zmqError("EINVAL", "cannot connect to port * or 0", address)
  }
  if (role === "connect" && host === "*") throw zmqError("EINVAL", "cannot connect to host *", address)
  return source === undefined ? { transport: "tcp", address, host, port } : { transport: "tcp", address, host, port, source }
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
