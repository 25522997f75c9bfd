import { Buffer } from "node:buffer"
import { Router, Subscriber, XPublisher, type Socket as V6Socket } from "@zmq-ts/core"
import { ZMQ_POLLIN, ZMQ_POLLOUT } from "./constants.js"
import { compatFailure, withCompatErrors } from "./errors.js"
import * as id from "./option-constants.js"
import { typeNumber } from "./socket-types.js"

/** What `getsockopt` returns: numbers, 0/1 or booleans where zeromq.js returns them, strings, or null. */
export type OptionValue = number | boolean | string | null
/** What `setsockopt` accepts: the value for the option; binary strings (identity, credentials) as Buffers too. */
export type OptionInput = number | boolean | string | Uint8Array | null

/**
 * One option: how to read it and how to write it on our v6 socket. A side left out is what zeromq.js does
 * not offer either (it answers "Unknown option"); a write-only or unsupported option throws its own error.
 */
interface OptionHandler {
  readonly get?: (socket: V6Socket) => OptionValue
  readonly set?: (socket: V6Socket, value: OptionInput) => void
}

/** v6 options read and written as they are (the v6 setters check the values; another type's option throws). */
function plain(name: string): OptionHandler {
  return {
    get: (socket) => (socket as unknown as Record<string, OptionValue>)[name] ?? null,
    set: (socket, value) => {
      ;(socket as unknown as Record<string, unknown>)[name] = value
    },
  }
}

/** A boolean v6 option that zeromq.js reads back as 1 or 0 and sets from anything truthy. */
function flag(name: "immediate" | "ipv6" | "plainServer"): OptionHandler {
  return {
    get: (socket) => (socket[name] ? 1 : 0),
    set: (socket, value) => {
      socket[name] = Boolean(value)
    },
  }
}

/** A string v6 option; v5 code often passes it as a Buffer (v5's property setters turned strings into Buffers). */
function text(name: "routingId" | "plainUsername" | "plainPassword"): OptionHandler {
  return {
    get: (socket) => (socket as unknown as Record<string, OptionValue>)[name] ?? null,
    set: (socket, value) => {
      ;(socket as unknown as Record<string, OptionValue>)[name] = toText(name, value)
    },
  }
}

function toText(name: string, value: OptionInput): string | null {
  if (value === null || typeof value === "string") return value
  if (value instanceof Uint8Array) {
    const bytes = Buffer.from(value.buffer, value.byteOffset, value.byteLength)
    const decoded = bytes.toString("utf8")
    // Our v6 options hold strings: bytes that are not UTF-8 would change on the way, so refuse them.
    if (!Buffer.from(decoded, "utf8").equals(bytes)) {
      throw compatFailure("EINVAL", `${name} must be UTF-8 text in zmq-ts, got bytes ${bytes.toString("hex")}`)
    }
    return decoded
  }
  throw compatFailure("EINVAL", `${name} must be a string, a Buffer or null, got ${typeof value}`)
}

/**
 * An option libzmq has and zmq-ts cannot honour (multicast, kernel buffer sizes, CURVE, ZAP…): it reads
 * as libzmq's default, and setting it to anything else fails with ENOTSUP rather than being ignored.
 */
function unsupported(name: string, byDefault: number | string | null, reason: string): OptionHandler {
  return {
    get: () => byDefault,
    set: (_socket, value) => {
      const isDefault =
        value === byDefault ||
        (byDefault === null && value === "") ||
        (typeof byDefault === "string" && value === null) ||
        (value instanceof Uint8Array && typeof byDefault !== "number" && value.byteLength === 0)
      if (!isDefault) throw compatFailure("ENOTSUP", `${name} cannot be set in zmq-ts: ${reason}`)
    },
  }
}

function routerOnly(name: "mandatory" | "handover", option: string): OptionHandler {
  return {
    get: (socket) => (socket instanceof Router && socket[name] ? 1 : 0),
    set: (socket, value) => {
      if (!(socket instanceof Router)) throw compatFailure("EINVAL", `${option} applies to ROUTER sockets only, not ${socket.constructor.name}`)
      socket[name] = Boolean(value)
    },
  }
}

function subscription(kind: "subscribe" | "unsubscribe", option: string): OptionHandler {
  return {
    set: (socket, value) => {
      if (!(socket instanceof Subscriber)) throw compatFailure("EINVAL", `${option} applies to SUB sockets only, not ${socket.constructor.name}`)
      const topic = value === null ? "" : value instanceof Uint8Array ? Buffer.from(value.buffer, value.byteOffset, value.byteLength) : value
      if (typeof topic !== "string" && !Buffer.isBuffer(topic)) {
        throw compatFailure("EINVAL", `${option} takes a string or a Buffer, got ${typeof value}`)
      }
      socket[kind](topic)
    },
  }
}

const NO_MULTICAST = "zmq-ts has no PGM/NORM multicast transport"
const NO_CURVE = "zmq-ts has no CURVE mechanism yet"

const HANDLERS = new Map<number, OptionHandler>([
  [id.ZMQ_AFFINITY, unsupported("ZMQ_AFFINITY", 0, "zmq-ts does its I/O on the Node.js event loop, with no I/O threads to pin")],
  [id.ZMQ_IDENTITY, text("routingId")],
  [id.ZMQ_SUBSCRIBE, subscription("subscribe", "ZMQ_SUBSCRIBE")],
  [id.ZMQ_UNSUBSCRIBE, subscription("unsubscribe", "ZMQ_UNSUBSCRIBE")],
  [id.ZMQ_RATE, unsupported("ZMQ_RATE", 100, NO_MULTICAST)],
  [id.ZMQ_RECOVERY_IVL, unsupported("ZMQ_RECOVERY_IVL", 10_000, NO_MULTICAST)],
  [id.ZMQ_SNDBUF, unsupported("ZMQ_SNDBUF", -1, "Node.js cannot set SO_SNDBUF on a TCP socket")],
  [id.ZMQ_RCVBUF, unsupported("ZMQ_RCVBUF", -1, "Node.js cannot set SO_RCVBUF on a TCP socket")],
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
  [id.ZMQ_TYPE, { get: (socket) => typeNumber(socket) }],
  [id.ZMQ_LINGER, plain("linger")],
  [id.ZMQ_RECONNECT_IVL, plain("reconnectInterval")],
  [id.ZMQ_BACKLOG, plain("backlog")],
  [id.ZMQ_RECONNECT_IVL_MAX, plain("reconnectMaxInterval")],
  [id.ZMQ_MAXMSGSIZE, plain("maxMessageSize")],
  [id.ZMQ_SNDHWM, plain("sendHighWaterMark")],
  [id.ZMQ_RCVHWM, plain("receiveHighWaterMark")],
  [id.ZMQ_MULTICAST_HOPS, unsupported("ZMQ_MULTICAST_HOPS", 1, NO_MULTICAST)],
  [id.ZMQ_RCVTIMEO, plain("receiveTimeout")],
  [id.ZMQ_SNDTIMEO, plain("sendTimeout")],
  [
    id.ZMQ_IPV4ONLY,
    {
      get: (socket) => !socket.ipv6,
      set: (socket, value) => {
        socket.ipv6 = !value
      },
    },
  ],
  [id.ZMQ_LAST_ENDPOINT, { get: (socket) => socket.lastEndpoint }],
  [id.ZMQ_ROUTER_MANDATORY, routerOnly("mandatory", "ZMQ_ROUTER_MANDATORY")],
  [id.ZMQ_TCP_KEEPALIVE, plain("tcpKeepalive")],
  [id.ZMQ_TCP_KEEPALIVE_CNT, plain("tcpKeepaliveCount")],
  [id.ZMQ_TCP_KEEPALIVE_IDLE, plain("tcpKeepaliveIdle")],
  [id.ZMQ_TCP_KEEPALIVE_INTVL, plain("tcpKeepaliveInterval")],
  [
    id.ZMQ_TCP_ACCEPT_FILTER,
    { set: unsupported("ZMQ_TCP_ACCEPT_FILTER", null, "zmq-ts has no accept filters").set! },
  ],
  [id.ZMQ_DELAY_ATTACH_ON_CONNECT, flag("immediate")],
  [
    id.ZMQ_XPUB_VERBOSE,
    {
      get: () => {
        throw new Error("Reading ZMQ_XPUB_VERBOSE is not supported")
      },
      set: (socket, value) => {
        if (!(socket instanceof XPublisher)) throw compatFailure("EINVAL", `ZMQ_XPUB_VERBOSE applies to XPUB sockets only, not ${socket.constructor.name}`)
        socket.verbosity = value ? "allSubs" : null
      },
    },
  ],
  [
    id.ZMQ_ROUTER_RAW,
    {
      get: () => {
        throw new Error("ZMQ_ROUTER_RAW is not supported in compatibility mode")
      },
      set: () => {
        throw new Error("ZMQ_ROUTER_RAW is not supported in compatibility mode")
      },
    },
  ],
  [id.ZMQ_IPV6, flag("ipv6")],
  [
    id.ZMQ_MECHANISM,
    {
      // ZMQ_NULL 0, ZMQ_PLAIN 1, ZMQ_CURVE 2, as the v6 socket reports its mechanism.
      get: (socket) => [null, "plain", "curve", "gssapi"].indexOf(socket.securityMechanism),
    },
  ],
  [id.ZMQ_PLAIN_SERVER, flag("plainServer")],
  [id.ZMQ_PLAIN_USERNAME, text("plainUsername")],
  [id.ZMQ_PLAIN_PASSWORD, text("plainPassword")],
  [id.ZMQ_CURVE_SERVER, unsupported("ZMQ_CURVE_SERVER", 0, NO_CURVE)],
  [id.ZMQ_CURVE_PUBLICKEY, unsupported("ZMQ_CURVE_PUBLICKEY", null, NO_CURVE)],
  [id.ZMQ_CURVE_SECRETKEY, unsupported("ZMQ_CURVE_SECRETKEY", null, NO_CURVE)],
  [id.ZMQ_CURVE_SERVERKEY, unsupported("ZMQ_CURVE_SERVERKEY", null, NO_CURVE)],
  [id.ZMQ_ZAP_DOMAIN, unsupported("ZMQ_ZAP_DOMAIN", "", "zmq-ts has no ZAP handler support yet")],
  [id.ZMQ_HEARTBEAT_IVL, plain("heartbeatInterval")],
  [id.ZMQ_HEARTBEAT_TTL, plain("heartbeatTimeToLive")],
  [id.ZMQ_HEARTBEAT_TIMEOUT, plain("heartbeatTimeout")],
  [id.ZMQ_CONNECT_TIMEOUT, plain("connectTimeout")],
  [
    id.ZMQ_ROUTER_HANDOVER,
    { set: routerOnly("handover", "ZMQ_ROUTER_HANDOVER").set! },
  ],
])

/** The option number for a number or a short name (`"linger"`); undefined for a name that is not one. */
export function optionNumber(option: number | string): number | undefined {
  if (typeof option === "number") return option
  return Object.hasOwn(id.options, option) ? id.options[option as id.ShortOptionName] : undefined
}

/** getsockopt: zeromq.js's compat reading of `option` from our v6 socket. */
export function getOption(socket: V6Socket, option: number | string): OptionValue {
  const number = optionNumber(option)
  const get = number === undefined ? undefined : HANDLERS.get(number)?.get
  if (get === undefined) throw new Error("Unknown option")
  return withCompatErrors(() => get(socket))
}

/** setsockopt: zeromq.js's compat writing of `option` to our v6 socket. */
export function setOption(socket: V6Socket, option: number | string, value: OptionInput): void {
  const number = optionNumber(option)
  const set = number === undefined ? undefined : HANDLERS.get(number)?.set
  if (set === undefined) throw new Error("Unknown option")
  withCompatErrors(() => set(socket, value))
}
