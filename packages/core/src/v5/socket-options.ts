import type { Buffer } from "#platform/buffer"
import { Subscriber, type Socket as V6Socket } from "@zmq-ts/core"
import { ZMQ_POLLIN, ZMQ_POLLOUT } from "./constants.js"
import * as id from "./option-constants.js"

/**
 * What `getsockopt` returns: the v6 property's value (numbers, strings, `null` for none), 1 or 0 where
 * zeromq.js turns a boolean into a number, `undefined` for an option the socket's type does not have.
 */
export type OptionValue = number | boolean | string | null | undefined
/** What `setsockopt` accepts: the value for the option; string options take Buffers too. */
export type OptionInput = number | boolean | string | Uint8Array | null

/**
 * One option: how to read it and how to write it on our v6 socket. A side left out is one zeromq.js's
 * compatibility layer does not offer either: it answers "Unknown option".
 */
interface OptionHandler {
  readonly get?: (socket: V6Socket) => OptionValue
  readonly set?: (socket: V6Socket, value: OptionInput) => void
}

/** The v6 socket as a bag of option properties, some of which only some socket types have. */
type OptionProperties = Record<string, unknown>

/**
 * A v6 option read and written as it is, as zeromq.js's compatibility layer does: the v6 property
 * converts and checks the value (zeromq.js's TypeErrors, libzmq's EINVAL, ENOTSUP for what zmq-ts cannot
 * do), and the sealed v6 socket refuses an option its type does not have with JavaScript's TypeError
 * ("Cannot add property mandatory, object is not extensible"), word for word as zeromq.js's sockets do.
 */
function property(name: string): OptionHandler {
  return {
    get: (socket) => (socket as unknown as OptionProperties)[name] as OptionValue,
    set: (socket, value) => {
      ;(socket as unknown as OptionProperties)[name] = value
    },
  }
}

/** A boolean v6 option that zeromq.js reads back as 1 or 0 and sets from anything truthy. */
function flag(name: string): OptionHandler {
  return {
    get: (socket) => ((socket as unknown as OptionProperties)[name] ? 1 : 0),
    set: (socket, value) => {
      ;(socket as unknown as OptionProperties)[name] = Boolean(value)
    },
  }
}

/** Write-only: zeromq.js's getsockopt has no case for it ("Unknown option"). */
function writeOnly(handler: OptionHandler): OptionHandler {
  return { set: handler.set! }
}

function unsupported(message: string): OptionHandler {
  const fail = (): never => {
    throw new Error(message)
  }
  return { get: fail, set: fail }
}

/** ZMQ_SUBSCRIBE / ZMQ_UNSUBSCRIBE: the SUB socket's method with the topic (a string or a Buffer). */
function subscription(kind: "subscribe" | "unsubscribe"): OptionHandler {
  return {
    set: (socket, value) => {
      // zeromq.js calls the method whatever the type, and other types have none: JavaScript's TypeError.
      // Ours says so in words; XPUB is refused too, though our XPublisher has the methods (for `manual`).
      if (!(socket instanceof Subscriber)) throw new TypeError(`ZMQ_${kind.toUpperCase()} needs a SUB socket, not ${socket.constructor.name}`)
      socket[kind](value as string | Buffer)
    },
  }
}

/** zeromq.js's ZMQ_MECHANISM numbers: ZMQ_NULL 0, ZMQ_PLAIN 1, ZMQ_CURVE 2, ZMQ_GSSAPI 3. */
const MECHANISMS: Readonly<Record<string, number>> = { plain: 1, curve: 2, gssapi: 3 }

/** Every option zeromq.js's compatibility layer knows, by libzmq's number, mapped as it maps them. */
const HANDLERS = new Map<number, OptionHandler>([
  [id.ZMQ_AFFINITY, property("affinity")],
  [id.ZMQ_IDENTITY, property("routingId")],
  [id.ZMQ_SUBSCRIBE, subscription("subscribe")],
  [id.ZMQ_UNSUBSCRIBE, subscription("unsubscribe")],
  [id.ZMQ_RATE, property("rate")],
  // ZMQ_RECOVERY_IVL_MSEC is the same number.
  [id.ZMQ_RECOVERY_IVL, property("recoveryInterval")],
  [id.ZMQ_SNDBUF, property("sendBufferSize")],
  [id.ZMQ_RCVBUF, property("receiveBufferSize")],
  [
    id.ZMQ_RCVMORE,
    {
      get: () => {
        throw new Error("ZMQ_RCVMORE is not supported in compatibility mode")
      },
    },
  ],
  [
    id.ZMQ_FD,
    {
      get: () => {
        throw new Error("ZMQ_FD is not supported in compatibility mode")
      },
    },
  ],
  [id.ZMQ_EVENTS, { get: (socket) => (socket.readable ? ZMQ_POLLIN : 0) | (socket.writable ? ZMQ_POLLOUT : 0) }],
  [id.ZMQ_TYPE, { get: (socket) => socket.type }],
  [id.ZMQ_LINGER, property("linger")],
  [id.ZMQ_RECONNECT_IVL, property("reconnectInterval")],
  [id.ZMQ_BACKLOG, property("backlog")],
  [id.ZMQ_RECONNECT_IVL_MAX, property("reconnectMaxInterval")],
  [id.ZMQ_MAXMSGSIZE, property("maxMessageSize")],
  [id.ZMQ_SNDHWM, property("sendHighWaterMark")],
  [id.ZMQ_RCVHWM, property("receiveHighWaterMark")],
  [id.ZMQ_MULTICAST_HOPS, property("multicastHops")],
  [id.ZMQ_RCVTIMEO, property("receiveTimeout")],
  [id.ZMQ_SNDTIMEO, property("sendTimeout")],
  [
    id.ZMQ_IPV4ONLY,
    {
      // zeromq.js reads this one as a boolean, not 1/0.
      get: (socket) => !socket.ipv6,
      set: (socket, value) => {
        socket.ipv6 = !value
      },
    },
  ],
  [id.ZMQ_LAST_ENDPOINT, { get: (socket) => socket.lastEndpoint }],
  [id.ZMQ_ROUTER_MANDATORY, flag("mandatory")],
  [id.ZMQ_TCP_KEEPALIVE, property("tcpKeepalive")],
  [id.ZMQ_TCP_KEEPALIVE_CNT, property("tcpKeepaliveCount")],
  [id.ZMQ_TCP_KEEPALIVE_IDLE, property("tcpKeepaliveIdle")],
  [id.ZMQ_TCP_KEEPALIVE_INTVL, property("tcpKeepaliveInterval")],
  [id.ZMQ_TCP_ACCEPT_FILTER, writeOnly(property("tcpAcceptFilter"))],
  [id.ZMQ_DELAY_ATTACH_ON_CONNECT, flag("immediate")],
  [
    id.ZMQ_XPUB_VERBOSE,
    {
      get: () => {
        throw new Error("Reading ZMQ_XPUB_VERBOSE is not supported")
      },
      set: (socket, value) => {
        ;(socket as unknown as OptionProperties).verbosity = value ? "allSubs" : null
      },
    },
  ],
  [id.ZMQ_ROUTER_RAW, unsupported("ZMQ_ROUTER_RAW is not supported in compatibility mode")],
  [id.ZMQ_IPV6, flag("ipv6")],
  [id.ZMQ_MECHANISM, { get: (socket) => MECHANISMS[socket.securityMechanism ?? ""] ?? 0 }],
  [id.ZMQ_PLAIN_SERVER, flag("plainServer")],
  [id.ZMQ_PLAIN_USERNAME, property("plainUsername")],
  [id.ZMQ_PLAIN_PASSWORD, property("plainPassword")],
  [id.ZMQ_CURVE_SERVER, flag("curveServer")],
  [id.ZMQ_CURVE_PUBLICKEY, property("curvePublicKey")],
  [id.ZMQ_CURVE_SECRETKEY, property("curveSecretKey")],
  [id.ZMQ_CURVE_SERVERKEY, property("curveServerKey")],
  [id.ZMQ_ZAP_DOMAIN, property("zapDomain")],
  [id.ZMQ_HEARTBEAT_IVL, property("heartbeatInterval")],
  [id.ZMQ_HEARTBEAT_TTL, property("heartbeatTimeToLive")],
  [id.ZMQ_HEARTBEAT_TIMEOUT, property("heartbeatTimeout")],
  [id.ZMQ_CONNECT_TIMEOUT, property("connectTimeout")],
  [id.ZMQ_ROUTER_HANDOVER, writeOnly(flag("handover"))],
  // libzmq 4.3.5's draft options: a zmq-ts extension (zeromq.js's compat knows none of them).
  [id.ZMQ_ROUTER_NOTIFY, property("routerNotify")],
  [id.ZMQ_XPUB_MANUAL_LAST_VALUE, flag("xpubManualLastValue")],
  [id.ZMQ_ONLY_FIRST_SUBSCRIBE, flag("onlyFirstSubscribe")],
  [id.ZMQ_RECONNECT_STOP, property("reconnectStop")],
  [id.ZMQ_HELLO_MSG, property("helloMessage")],
  [id.ZMQ_DISCONNECT_MSG, property("disconnectMessage")],
  [id.ZMQ_HICCUP_MSG, property("hiccupMessage")],
  [id.ZMQ_TOPICS_COUNT, { get: property("topicsCount").get! }],
  [id.ZMQ_WSS_KEY_PEM, property("wssKeyPem")],
  [id.ZMQ_WSS_CERT_PEM, property("wssCertPem")],
  [id.ZMQ_WSS_TRUST_PEM, property("wssTrustPem")],
  [id.ZMQ_WSS_HOSTNAME, property("wssHostname")],
  [id.ZMQ_WSS_TRUST_SYSTEM, flag("wssTrustSystem")],
])

/** The option number for a number or a short name (`"linger"`); undefined for a name that is not one. */
export function optionNumber(option: number | string): number | undefined {
  if (typeof option === "number") return option
  return Object.hasOwn(id.options, option) ? id.options[option as id.ShortOptionName] : undefined
}

/**
 * getsockopt: zeromq.js's compat reading of `option` from our v6 socket. `checkAccess` runs once the
 * option is known, where the v6 property would refuse a closed socket.
 */
export function getOption(socket: V6Socket, option: number | string, checkAccess: () => void): OptionValue {
  const number = optionNumber(option)
  const get = number === undefined ? undefined : HANDLERS.get(number)?.get
  if (get === undefined) throw new Error("Unknown option")
  checkAccess()
  return get(socket)
}

/** setsockopt: zeromq.js's compat writing of `option` to our v6 socket (`checkAccess` as for getOption). */
export function setOption(socket: V6Socket, option: number | string, value: OptionInput, checkAccess: () => void): void {
  const number = optionNumber(option)
  const set = number === undefined ? undefined : HANDLERS.get(number)?.set
  if (set === undefined) throw new Error("Unknown option")
  checkAccess()
  set(socket, value)
}
