import { zmqError } from "../common/errors.js"
import { TRANSPORTS, UNSUPPORTED, type TransportContext } from "#transports/schemes"

export type { TransportContext }

export type Scheme = keyof typeof TRANSPORTS
export type TransportOf<S extends Scheme> = ReturnType<(typeof TRANSPORTS)[S]>

/** libzmq's schemes, for telling "not supported by zmq-ts" from "unknown" in EPROTONOSUPPORT. */
const LIBZMQ_SCHEMES = new Set(["tcp", "ipc", "inproc", "pgm", "epgm", "tipc", "vmci", "norm", "udp", "ws", "wss"])

/** An endpoint split at `://`: its scheme (one zmq-ts has a transport for) and the transport's part. */
export interface SchemeAndRest {
  readonly scheme: Scheme
  readonly rest: string
}

/**
 * Splits `scheme://rest`. EINVAL when `address` is not of that shape; EPROTONOSUPPORT, as libzmq, when
 * zmq-ts has no transport for the scheme.
 */
export function splitEndpoint(address: string): SchemeAndRest {
  if (typeof address !== "string") throw zmqError("EINVAL", `endpoint must be a string, got ${typeof address}`)
  const match = /^([a-z]+):\/\/(.*)$/.exec(address)
  if (match === null) throw zmqError("EINVAL", `invalid endpoint ${JSON.stringify(address)}: expected transport://address`, address)
  const scheme = match[1]!
  if (!Object.hasOwn(TRANSPORTS, scheme)) {
    const why = LIBZMQ_SCHEMES.has(scheme) ? UNSUPPORTED : "is unknown"
    throw zmqError("EPROTONOSUPPORT", `transport ${JSON.stringify(scheme)} ${why}`, address)
  }
  return { scheme: scheme as Scheme, rest: match[2]! }
}

/** A new instance of the transport for `scheme`, for `context`. */
export function makeTransport<S extends Scheme>(scheme: S, context: TransportContext): TransportOf<S> {
  return TRANSPORTS[scheme](context) as TransportOf<S>
}
