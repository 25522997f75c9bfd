/**
 * `ZmqError`: the one error class of @zmq-ts/core, shaped like zeromq.js's errors (`code`, `errno`,
 * `address`) with libzmq's names. Users match on `code`. Its `message` is the wording zeromq.js gives that
 * code (libzmq's `zmq_strerror`, as zeromq.js rewords a few), so code written against zeromq.js that
 * compares messages behaves the same; what exactly went wrong, with the values involved, is in `details`
 * (and on the first line of the stack, so an uncaught error still explains itself).
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
  /**
   * The transport cannot serve this socket type, or not in this direction: udp (RADIO connects, DISH binds,
   * other types none), a STREAM over inproc, a DGRAM over anything but udp.
   */
  ENOCOMPATPROTO: "ENOCOMPATPROTO",
  EMSGSIZE: "EMSGSIZE",
  ENOTSUP: "ENOTSUP",
  ENODEV: "ENODEV",
  ECONNREFUSED: "ECONNREFUSED",
  /** A blocking call was interrupted (see zhelpers' s_catch_signals). */
  EINTR: "EINTR",
  /** Not a socket: an option read or written on a closed socket (libzmq's ENOTSOCK). */
  ENOTSOCK: "ENOTSOCK",
  /** The socket is closed (zeromq.js's code for a call on a closed socket). */
  EBADF: "EBADF",
  /** The socket is busy with a bind or unbind, or taken by a running Proxy. */
  EBUSY: "EBUSY",
  /** Too many sockets in the context (ZMQ_MAX_SOCKETS). */
  EMFILE: "EMFILE",
  /** A handshake or heartbeat did not complete in time. */
  ETIMEDOUT: "ETIMEDOUT",
  /** The peer closed or reset the connection. */
  ECONNRESET: "ECONNRESET",
  /**
   * A handshake needed the ZAP handler (inproc://zeromq.zap.01) and found none, or it went away before
   * answering (libzmq reports ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL with EFAULT).
   */
  EFAULT: "EFAULT",
  /** A peer broke a protocol: the ZAP handler's reply (the `cause` of a `handshake:error:protocol` ERR_ZAP_* event). */
  EPROTO: "EPROTO",
  /** The peer ended a raw (STREAM) connection: libzmq's errno in the event that reports it. */
  EPIPE: "EPIPE",
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
  ENOCOMPATPROTO: HAUSNUMERO + 52,
  EMSGSIZE: 90,
  ENOTSUP: 95,
  ENODEV: 19,
  ECONNREFUSED: 111,
  EINTR: 4,
  ENOTSOCK: 88,
  EBADF: 9,
  EBUSY: 16,
  EMFILE: 24,
  ETIMEDOUT: 110,
  ECONNRESET: 104,
  EFAULT: 14,
  EPROTO: 71,
  EPIPE: 32,
}

/**
 * The `message` of each code, as zeromq.js 6.8.0 reports it on Linux: libzmq's `zmq_strerror` (the C
 * library's `strerror` for system codes, libzmq's own text for EFSM and ETERM), with zeromq.js's
 * rewordings (its `ErrnoMessage`) for EAGAIN, ENOENT, EBADF, EBUSY, EMFILE, EADDRINUSE and EFAULT.
 */
const MESSAGES: Readonly<Record<ErrorCode, string>> = {
  EAGAIN: "Operation was not possible or timed out",
  EFSM: "Operation cannot be accomplished in current state",
  ETERM: "Context was terminated",
  EHOSTUNREACH: "Host unreachable",
  EADDRINUSE: "Address already in use",
  EADDRNOTAVAIL: "Cannot assign requested address",
  EINVAL: "Invalid argument",
  ENOENT: "No such endpoint",
  EPROTONOSUPPORT: "Protocol not supported",
  ENOCOMPATPROTO: "The protocol is not compatible with the socket type",
  EMSGSIZE: "Message too long",
  ENOTSUP: "Operation not supported",
  ENODEV: "No such device",
  ECONNREFUSED: "Connection refused",
  EINTR: "Interrupted system call",
  ENOTSOCK: "Socket operation on non-socket",
  EBADF: "Socket is closed",
  EBUSY: "Socket is busy",
  EMFILE: "Too many open file descriptors",
  ETIMEDOUT: "Connection timed out",
  ECONNRESET: "Connection reset by peer",
  // zeromq.js's ErrnoMessage rewords EFAULT, which libzmq's API reports for a closed context.
  EFAULT: "Context is closed",
  EPROTO: "Protocol error",
  EPIPE: "Broken pipe",
}

const BRAND: unique symbol = Symbol.for("@zmq-ts/core.ZmqError") as never

export interface ZmqErrorOptions {
  /** The endpoint concerned. */
  readonly address?: string
  /** What exactly went wrong, with the values involved. */
  readonly details?: string
  /** The error underneath (a Node system error, say). */
  readonly cause?: unknown
}

export class ZmqError extends Error {
  readonly code: ErrorCode
  /** The numeric errno libzmq would report. */
  readonly errno: number
  /** The endpoint concerned, where one applies (absent otherwise, as on zeromq.js's errors). */
  declare readonly address?: string
  /** Our explanation of this occurrence: `message` is the same for every error of a code, this is not. */
  declare readonly details?: string
  readonly [BRAND] = true

  /** `message` defaults to zeromq.js's wording for `code`. */
  constructor(code: ErrorCode, message: string = MESSAGES[code], options: ZmqErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = "ZmqError"
    this.code = code
    this.errno = ERRNO[code]
    if (options.address !== undefined) Object.defineProperty(this, "address", { value: options.address, enumerable: true })
    if (options.details !== undefined && options.details !== message) {
      Object.defineProperty(this, "details", { value: options.details, enumerable: true })
      // The first line of the stack is what an uncaught error prints: give it the explanation too.
      if (typeof this.stack === "string") {
        const newline = this.stack.indexOf("\n")
        const rest = newline < 0 ? "" : this.stack.slice(newline)
        this.stack = `${this.name}: ${message} (${options.details})${rest}`
      }
    }
  }

  /** True for a `ZmqError` from any copy of this package. */
  static isInstance(value: unknown): value is ZmqError {
    return typeof value === "object" && value !== null && (value as { [BRAND]?: unknown })[BRAND] === true
  }
}

/** A ZmqError with zeromq.js's message for `code` and `details` saying what exactly went wrong. */
export function zmqError(code: ErrorCode, details: string, address?: string, cause?: unknown): ZmqError {
  return new ZmqError(code, MESSAGES[code], {
    details,
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
        ? "ENODEV" // libzmq's code for an address it cannot resolve

        : code === "EACCES"
          ? "EADDRINUSE"
          : undefined
  return zmqError(known ?? "EINVAL", `${error.message} (${address})`, address, error)
}
