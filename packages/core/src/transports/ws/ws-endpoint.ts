import { zmqError } from "../../common/errors.js"
import { parseTcpEndpoint } from "../tcp/tcp-endpoint.js"

/** `ws://host:port[/path]`: the tcp address libzmq's ws_address.cpp reads, then the HTTP request path. */
export interface WsEndpoint {
  readonly address: string
  readonly host: string
  readonly port: number | "*"
  /** The request target, "/" when none was given. */
  readonly path: string
}

/** Reads the part after `ws://`. The path starts at the first "/" (libzmq ≤ 4.3.5 takes the last one). */
export function parseWsEndpoint(address: string, rest: string, role: "bind" | "connect"): WsEndpoint {
  // An IPv6 literal holds no "/", so the first "/" ends the authority.
  const slash = rest.indexOf("/")
  const authority = slash < 0 ? rest : rest.slice(0, slash)
  const path = slash < 0 ? "/" : rest.slice(slash)
  if (/[\s\0-\x1f\x7f]/.test(path)) throw zmqError("EINVAL", `invalid path in ${address}`, address)
  if (authority.includes(";")) throw zmqError("EINVAL", "ws:// takes no source address", address)
  const { host, port } = parseTcpEndpoint(address, authority, role)
  return { address, host, port, path }
}

/** ZMQ_LAST_ENDPOINT of a bound ws or wss endpoint, as libzmq formats it. */
export function formatWsEndpoint(host: string, port: number, path: string, scheme: "ws" | "wss" = "ws"): string {
  return host.includes(":") ? `${scheme}://[${host}]:${port}${path}` : `${scheme}://${host}:${port}${path}`
}
