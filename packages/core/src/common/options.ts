import { Buffer } from "node:buffer"
import { zmqError } from "./errors.js"

/**
 * Socket options: their libzmq names, defaults (as libzmq 4.3.5 and zeromq.js v6 report them) and checks.
 * Every option here is honoured; an option we cannot honour is not accepted (EINVAL/ENOTSUP), never ignored.
 */
export const DEFAULT_HIGH_WATER_MARK = 1000
export const DEFAULT_LINGER = -1
export const DEFAULT_RECONNECT_INTERVAL = 100
export const DEFAULT_HANDSHAKE_INTERVAL = 30_000
export const DEFAULT_BACKLOG = 100

export interface SocketOptionValues {
  /** ZMQ_LINGER. Default -1 (wait until queued messages are sent; see README for process exit). ms. */
  linger: number
  /** ZMQ_SNDHWM. Default 1000 messages per peer; 0 = no limit. */
  sendHighWaterMark: number
  /** ZMQ_RCVHWM. Default 1000 messages per peer; 0 = no limit. */
  receiveHighWaterMark: number
  /** ZMQ_SNDTIMEO. Default -1 (wait forever); 0 = fail at once with EAGAIN. ms. */
  sendTimeout: number
  /** ZMQ_RCVTIMEO. Default -1. ms. */
  receiveTimeout: number
  /** ZMQ_RECONNECT_IVL. Default 100 ms; -1 = never reconnect. */
  reconnectInterval: number
  /** ZMQ_RECONNECT_IVL_MAX. Default 0 (no exponential backoff). ms. */
  reconnectMaxInterval: number
  /** ZMQ_CONNECT_TIMEOUT. Default 0 (the OS decides). ms. */
  connectTimeout: number
  /** ZMQ_HANDSHAKE_IVL. Default 30000; 0 = no limit. ms. */
  handshakeInterval: number
  /** ZMQ_MAXMSGSIZE. Default -1 (no limit). Bytes per frame. */
  maxMessageSize: number
  /**
   * ZMQ_CONFLATE. Default false. Keep only the newest message in each pipe, ignoring the high-water marks
   * (PUSH, PULL, DEALER; later PUB/SUB). Messages stay whole: a multipart message is kept or replaced whole.
   */
  conflate: boolean
  /** ZMQ_IMMEDIATE. Default false: queue messages for peers that are not connected yet. */
  immediate: boolean
  /** ZMQ_IPV6. Default false. */
  ipv6: boolean
  /** ZMQ_ROUTING_ID. Default none. */
  routingId: string | null
  /** ZMQ_BACKLOG. Default 100. */
  backlog: number
  /** ZMQ_TCP_KEEPALIVE. Default -1 (OS default); 0 off, 1 on. */
  tcpKeepalive: number
  /** ZMQ_TCP_KEEPALIVE_IDLE. Default -1 (OS default). Seconds. */
  tcpKeepaliveIdle: number
  /** ZMQ_TCP_KEEPALIVE_CNT. Default -1. Accepted for compatibility; Node cannot set it, so only -1 is allowed. */
  tcpKeepaliveCount: number
  /** ZMQ_TCP_KEEPALIVE_INTVL. Default -1. Node cannot set it, so only -1 is allowed. */
  tcpKeepaliveInterval: number
  /** ZMQ_HEARTBEAT_IVL. Default 0 (off). ms. */
  heartbeatInterval: number
  /** ZMQ_HEARTBEAT_TTL. Default 0. ms, rounded to deciseconds on the wire. */
  heartbeatTimeToLive: number
  /** ZMQ_HEARTBEAT_TIMEOUT. Default 0 (= heartbeatInterval). ms. */
  heartbeatTimeout: number
  /** ZMQ_PLAIN_SERVER. Default false. */
  plainServer: boolean
  /** ZMQ_PLAIN_USERNAME. Default none. */
  plainUsername: string | null
  /** ZMQ_PLAIN_PASSWORD. Default none. */
  plainPassword: string | null
}

export function defaultOptions(): SocketOptionValues {
  return {
    linger: DEFAULT_LINGER,
    sendHighWaterMark: DEFAULT_HIGH_WATER_MARK,
    receiveHighWaterMark: DEFAULT_HIGH_WATER_MARK,
    sendTimeout: -1,
    receiveTimeout: -1,
    reconnectInterval: DEFAULT_RECONNECT_INTERVAL,
    reconnectMaxInterval: 0,
    connectTimeout: 0,
    handshakeInterval: DEFAULT_HANDSHAKE_INTERVAL,
    maxMessageSize: -1,
    conflate: false,
    immediate: false,
    ipv6: false,
    routingId: null,
    backlog: DEFAULT_BACKLOG,
    tcpKeepalive: -1,
    tcpKeepaliveIdle: -1,
    tcpKeepaliveCount: -1,
    tcpKeepaliveInterval: -1,
    heartbeatInterval: 0,
    heartbeatTimeToLive: 0,
    heartbeatTimeout: 0,
    plainServer: false,
    plainUsername: null,
    plainPassword: null,
  }
}

type Check = (name: string, value: unknown) => unknown

const integer =
  (min: number, max = 2 ** 31 - 1): Check =>
  (name, value) => {
    if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
      throw zmqError("EINVAL", `${name} must be an integer from ${min} to ${max}, got ${String(value)}`)
    }
    return value
  }

const boolean: Check = (name, value) => {
  if (typeof value !== "boolean") throw zmqError("EINVAL", `${name} must be a boolean, got ${String(value)}`)
  return value
}

const nullableString =
  (maxBytes: number): Check =>
  (name, value) => {
    if (value === null) return null
    if (typeof value !== "string") throw zmqError("EINVAL", `${name} must be a string or null`)
    if (Buffer.byteLength(value) > maxBytes) throw zmqError("EINVAL", `${name} exceeds ${maxBytes} bytes`)
    return value
  }

const onlyDefault =
  (reason: string): Check =>
  (name, value) => {
    if (value !== -1) throw zmqError("ENOTSUP", `${name} cannot be set: ${reason}`)
    return value
  }

export const OPTION_CHECKS: Readonly<Record<keyof SocketOptionValues, Check>> = {
  linger: integer(-1),
  sendHighWaterMark: integer(0),
  receiveHighWaterMark: integer(0),
  sendTimeout: integer(-1),
  receiveTimeout: integer(-1),
  reconnectInterval: integer(-1),
  reconnectMaxInterval: integer(0),
  connectTimeout: integer(0),
  handshakeInterval: integer(0),
  maxMessageSize: integer(-1, Number.MAX_SAFE_INTEGER),
  conflate: boolean,
  immediate: boolean,
  ipv6: boolean,
  routingId: (name, value) => {
    const checked = nullableString(255)(name, value)
    if (checked === "") throw zmqError("EINVAL", `${name} must not be empty`)
    if (typeof checked === "string" && checked.charCodeAt(0) === 0) {
      throw zmqError("EINVAL", `${name} must not start with a zero byte (reserved by ZeroMQ)`)
    }
    return checked
  },
  backlog: integer(0),
  tcpKeepalive: integer(-1, 1),
  tcpKeepaliveIdle: integer(-1),
  tcpKeepaliveCount: onlyDefault("Node.js does not expose TCP_KEEPCNT"),
  tcpKeepaliveInterval: onlyDefault("Node.js does not expose TCP_KEEPINTVL"),
  heartbeatInterval: integer(0),
  heartbeatTimeToLive: integer(0, 6_553_599),
  heartbeatTimeout: integer(0),
  plainServer: boolean,
  plainUsername: nullableString(255),
  plainPassword: nullableString(255),
}
