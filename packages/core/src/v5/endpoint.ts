import { isIP } from "node:net"
import { platform } from "node:process"
import { ZmqError, type ErrorCode } from "@zmq-ts/core"

/**
 * The checks libzmq's zmq_bind/zmq_connect make of an endpoint before they touch the network, made here so
 * that the calls v5 made synchronously can throw what they threw: `bindSync`/`unbindSync`, and a
 * `connect`/`disconnect` that has to wait for a bind of the same socket to settle. A Node.js listen cannot
 * complete synchronously, so what only the listen can tell (address in use, a name that does not resolve)
 * still arrives later, as an `"error"` event.
 *
 * These mirror the parsers of @zmq-ts/core's transports (its registry's scheme split, tcp's host:port, ipc's
 * path, inproc's name), which the public API does not expose; v5-endpoints.test.ts runs one table of
 * addresses through both and fails when they disagree. Where in doubt they accept: an address they let
 * through is still refused by the core, only later.
 */

/** libzmq's schemes that zmq-ts has a transport for (the others fail with EPROTONOSUPPORT, as in libzmq). */
const SCHEMES = new Set(["tcp", "ipc", "inproc"])

/** zeromq.js's native argument check, word for word: a non-string endpoint is a TypeError. */
export function checkAddressType(address: unknown): asserts address is string {
  if (typeof address !== "string") throw new TypeError("Address must be a string")
}

/**
 * Throws what the core would refuse `address` with when binding (`role` "bind", which unbind shares) or
 * connecting (`role` "connect", which disconnect shares), as zeromq.js's synchronous calls throw it: a
 * ZmqError EINVAL or EPROTONOSUPPORT (ENOTSUP for an abstract ipc name off Linux, ENOCOMPATPROTO for udp)
 * with the address.
 * `ipv6` is the socket's option, which decides whether a tcp connect may name an IPv6 address.
 */
export function checkEndpoint(address: unknown, role: "bind" | "connect", ipv6: boolean): asserts address is string {
  checkAddressType(address)
  const match = /^([a-z]+):\/\/(.*)$/.exec(address)
  if (match === null) throw refused("EINVAL", `invalid endpoint ${JSON.stringify(address)}: expected transport://address`, address)
  const scheme = match[1]!
  const rest = match[2]!
  // udp serves RADIO, DISH and DGRAM only, and the v5 API has none of them.
  if (scheme === "udp") throw refused("ENOCOMPATPROTO", "udp:// carries RADIO, DISH and DGRAM only, which the v5 API has none of", address)
  if (!SCHEMES.has(scheme)) throw refused("EPROTONOSUPPORT", `transport ${JSON.stringify(scheme)} is not available in zmq-ts`, address)
  switch (scheme) {
    case "tcp":
      checkTcp(address, rest, role, ipv6)
      return
    case "ipc":
      if (rest.length === 0) throw refused("EINVAL", "ipc endpoint needs a path", address)
      if (rest.startsWith("@") && platform !== "linux") throw refused("ENOTSUP", "abstract ipc names (ipc://@name) exist only on Linux", address)
      if (role === "connect" && rest === "*") throw refused("EINVAL", "ipc://* names no path to connect to", address)
      return
    default:
      if (rest.length === 0) throw refused("EINVAL", "inproc endpoint needs a name", address)
  }
}

function checkTcp(address: string, rest: string, role: "bind" | "connect", ipv6: boolean): void {
  let target = rest
  const semicolon = rest.indexOf(";")
  if (semicolon >= 0) {
    if (role === "bind") throw refused("EINVAL", "a source address is only allowed when connecting", address)
    hostAndPort(rest.slice(0, semicolon), address, true)
    target = rest.slice(semicolon + 1)
  }
  const { host, port } = hostAndPort(target, address, role === "bind")
  if (role === "bind") return
  if (port === "*") throw refused("EINVAL", "cannot connect to port * or 0", address)
  if (host === "*") throw refused("EINVAL", "cannot connect to host *", address)
  if (isIP(host) === 6 && !ipv6) throw refused("EINVAL", `connecting to IPv6 address ${host} needs the ipv6 option`, address)
}

function hostAndPort(text: string, address: string, wildcardPort: boolean): { host: string; port: number | "*" } {
  const colon = text.lastIndexOf(":")
  if (colon <= 0) throw refused("EINVAL", `invalid tcp endpoint ${JSON.stringify(address)}: expected host:port`, address)
  let host = text.slice(0, colon)
  const portText = text.slice(colon + 1)
  if (host.startsWith("[") && host.endsWith("]")) host = host.slice(1, -1)
  let port: number | "*"
  if (portText === "*" || portText === "0") {
    if (!wildcardPort) throw refused("EINVAL", `invalid port ${portText} in ${address}`, address)
    port = "*"
  } else if (/^\d{1,5}$/.test(portText) && Number(portText) <= 65535) {
    port = Number(portText)
  } else {
    throw refused("EINVAL", `invalid port ${JSON.stringify(portText)} in ${address}`, address)
  }
  if (host.length === 0) throw refused("EINVAL", `missing host in ${address}`, address)
  return { host, port }
}

function refused(code: ErrorCode, details: string, address: string): ZmqError {
  return new ZmqError(code, undefined, { details, address })
}

/**
 * What ZMQ_LAST_ENDPOINT will read once a bind of `address` succeeds, where that is known before the bind
 * completes: an inproc name and an ipc path as given; a tcp address with a port of its own on `*` (all
 * interfaces) or on an IPv4 address written as Node.js writes it. Undefined otherwise: a random port
 * (`tcp://…:*`, `ipc://*`), a name to resolve, an IPv6 address, an interface name. The core reports what
 * its listener bound, and v5-endpoints.test.ts checks that these agree with it.
 */
export function expectedEndpoint(address: string, ipv6: boolean): string | undefined {
  const match = /^(inproc|ipc|tcp):\/\/(.+)$/.exec(address)
  if (match === null) return undefined
  const [, scheme, rest] = match as unknown as [string, string, string]
  if (scheme === "inproc") return address
  if (scheme === "ipc") return rest === "*" ? undefined : address
  const tcp = /^(\*|\d{1,3}(?:\.\d{1,3}){3}):([1-9]\d{0,4})$/.exec(rest)
  if (tcp === null || Number(tcp[2]) > 65535) return undefined
  const host = tcp[1]!
  if (host === "*") return ipv6 ? `tcp://[::]:${tcp[2]}` : `tcp://0.0.0.0:${tcp[2]}`
  // Only the address Node.js reports back unchanged (no leading zeros, each part a byte).
  if (isIP(host) !== 4 || host.split(".").some((part) => String(Number(part)) !== part)) return undefined
  return address
}
