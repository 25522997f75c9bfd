/**
 * `ZmqError`: the one error class of @zmq-ts/core, shaped like zeromq.js's errors (`code`, `errno`,
 * `address`) with libzmq's names. Users match on `code`.
 */

// libzmq's own errno values live above ZMQ_HAUSNUMERO; the rest are Linux errno values as libzmq reports them.
const HAUSNUMERO = 156384712

export const ErrorCode = {
  /** Non-blocking mode was requested or a timeout expired and the operation could not complete. */
  EAGAIN: "EAGAIN",
  /** The operation is not allowed in the socket's current state (REQ/REP lockstep). */
  EFSM: "EFSM",
  /** The context (or the socket) was terminated. */
  ETERM: "ETERM",
  /** ROUTER with `mandatory`: no peer with that routing id. */
  EHOSTUNREACH: "EHOSTUNREACH",
  EADDRINUSE: "EADDRINUSE",
  EADDRNOTAVAIL: "EADDRNOTAVAIL",
  EINVAL: "EINVAL",
  ENOENT: "ENOENT",
  EPROTONOSUPPORT: "EPROTONOSUPPORT",
  EMSGSIZE: "EMSGSIZE",
  ENOTSUP: "ENOTSUP",
  ENODEV: "ENODEV",
  ECONNREFUSED: "ECONNREFUSED",
  /** A blocking call was interrupted (see zhelpers' s_catch_signals). */
  EINTR: "EINTR",
  /** The socket is closed. */
  ENOTSOCK: "ENOTSOCK",
  /** A handshake or heartbeat did not complete in time. */
  ETIMEDOUT: "ETIMEDOUT",
  /** The peer closed or reset the connection. */
  ECONNRESET: "ECONNRESET",
} as const

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode]

const ERRNO: Readonly<Record<ErrorCode, number>> = {
  EAGAIN: 11,
  EFSM: HAUSNUMERO + 51,
  ETERM: HAUSNUMERO + 53,
  EHOSTUNREACH: 113,
  EADDRINUSE: 98,
  EADDRNOTAVAIL: 99,
  EINVAL: 22,
  ENOENT: 2,
  EPROTONOSUPPORT: 93,
  EMSGSIZE: 90,
  ENOTSUP: 95,
  ENODEV: 19,
  ECONNREFUSED: 111,
  EINTR: 4,
  ENOTSOCK: 88,
  ETIMEDOUT: 110,
  ECONNRESET: 104,
}

const BRAND: unique symbol = Symbol.for("@zmq-ts/core.ZmqError") as never

export class ZmqError extends Error {
  readonly code: ErrorCode
  /** The numeric errno libzmq would report. */
  readonly errno: number
  /** The endpoint concerned, where one applies. */
  readonly address: string | undefined
  readonly [BRAND] = true

  constructor(code: ErrorCode, message: string, options: { address?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = "ZmqError"
    this.code = code
    this.errno = ERRNO[code]
    this.address = options.address
  }

  /** True for a `ZmqError` from any copy of this package. */
  static isInstance(value: unknown): value is ZmqError {
    return typeof value === "object" && value !== null && (value as { [BRAND]?: unknown })[BRAND] === true
  }
}

export function zmqError(code: ErrorCode, message: string, address?: string, cause?: unknown): ZmqError {
  return new ZmqError(code, message, {
    ...(address === undefined ? {} : { address }),
    ...(cause === undefined ? {} : { cause }),
  })
}

/** Maps a Node system error (from net.Server.listen, net.connect…) to our codes where libzmq has one. */
export function fromSystemError(error: NodeJS.ErrnoException, address: string): ZmqError {
  const code = error.code
  const known: ErrorCode | undefined =
    code === "EADDRINUSE" ||
    code === "EADDRNOTAVAIL" ||
    code === "ENOENT" ||
    code === "ECONNREFUSED" ||
    code === "EINVAL" ||
    code === "ECONNRESET" ||
    code === "ETIMEDOUT"
      ? code
      : code === "EPIPE"
        ? "ECONNRESET"
      : code === "ENOTFOUND" || code === "EAI_AGAIN"
        ? "EINVAL"
        : code === "EACCES"
          ? "EADDRINUSE"
          : undefined
  return zmqError(known ?? "EINVAL", `${error.message} (${address})`, address, error)
}
