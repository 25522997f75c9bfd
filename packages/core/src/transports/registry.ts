import { zmqError } from "../common/errors.js"
import type { ZapConnector } from "../engine/zap-channel.js"
import { InprocTransport } from "./inproc/inproc-transport.js"
import { ipcTransport } from "./ipc/ipc-transport.js"
import { tcpTransport } from "./tcp/tcp-transport.js"
import type { Transport } from "./transport.js"
import { udpTransport } from "./udp/udp-transport.js"
import { wssTransport, wsTransport } from "./ws/ws-transport.js"

/**
 * What a context gives the transports it makes (the Context itself): its inproc transport, which holds the
 * context's names. The stream transports' sessions find the context's ZAP handler (RFC 27) there, bound at
 * inproc://zeromq.zap.01, so nothing below reaches up for the context.
 */
export interface TransportContext {
  transport(scheme: "inproc"): InprocTransport
}

/**
 * Every transport zmq-ts has, by endpoint scheme. A Context makes its own instance of each on first use
 * (`Context.transport`): inproc keeps the context's names in its instance; tcp and ipc keep only the way to
 * the context's ZAP handler. A new transport is a folder under transports/ and a line here.
 */
const TRANSPORTS = {
  tcp: (context: TransportContext) => tcpTransport(zapConnector(context)),
  ipc: (context: TransportContext) => ipcTransport(zapConnector(context)),
  inproc: () => new InprocTransport(),
  udp: () => udpTransport(),
  ws: (context: TransportContext) => wsTransport(zapConnector(context)),
  wss: (context: TransportContext) => wssTransport(zapConnector(context)),
} satisfies Record<string, (context: TransportContext) => Transport>

/** Opens a pipe to the ZAP handler bound in the context at the time of each request (libzmq's zap_connect). */
function zapConnector(context: TransportContext): ZapConnector {
  return (listener) => context.transport("inproc").connectZap(listener)
}

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
    const why = LIBZMQ_SCHEMES.has(scheme) ? "is not supported by zmq-ts" : "is unknown"
    throw zmqError("EPROTONOSUPPORT", `transport ${JSON.stringify(scheme)} ${why}`, address)
  }
  return { scheme: scheme as Scheme, rest: match[2]! }
}

/** A new instance of the transport for `scheme`, for `context`. */
export function makeTransport<S extends Scheme>(scheme: S, context: TransportContext): TransportOf<S> {
  return TRANSPORTS[scheme](context) as TransportOf<S>
}
