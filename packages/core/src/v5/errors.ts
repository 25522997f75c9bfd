import { ZmqError, type ErrorCode } from "@zmq-ts/core"

/**
 * Error messages as zeromq.js reports them (its own texts where it clarifies libzmq's, else libzmq's
 * `zmq_strerror` on Linux), so code migrating from `zeromq/v5-compat` that shows or matches messages
 * behaves the same. Our precise explanation stays on the error as its `cause`.
 */
const MESSAGES: Readonly<Record<ErrorCode, string>> = {
  EAGAIN: "Operation was not possible or timed out",
  EFSM: "Operation cannot be accomplished in current state",
  ETERM: "Context was terminated",
  EHOSTUNREACH: "No route to host",
  EADDRINUSE: "Address already in use",
  EADDRNOTAVAIL: "Cannot assign requested address",
  EINVAL: "Invalid argument",
  ENOENT: "No such endpoint",
  EPROTONOSUPPORT: "Protocol not supported",
  EMSGSIZE: "Message too long",
  ENOTSUP: "Operation not supported",
  ENODEV: "No such device",
  ECONNREFUSED: "Connection refused",
  EINTR: "Interrupted system call",
  // zmq-ts reports a closed socket as ENOTSOCK where zeromq.js says EBADF; the text is zeromq.js's.
  ENOTSOCK: "Socket is closed",
  ETIMEDOUT: "Connection timed out",
  ECONNRESET: "Connection reset by peer",
}

/**
 * The error a compat caller sees for `error`: a ZmqError keeps its `code`, `errno` and `address` and gets
 * zeromq.js's message, with the original as `cause`. Anything else passes through.
 */
export function compatError(error: unknown): Error {
  if (ZmqError.isInstance(error)) {
    if (error.message === MESSAGES[error.code]) return error
    return new ZmqError(error.code, MESSAGES[error.code], {
      ...(error.address === undefined ? {} : { address: error.address }),
      cause: error,
    })
  }
  return error instanceof Error ? error : new Error(String(error))
}

/** A ZmqError with zeromq.js's message for `code` and our explanation as its cause. */
export function compatFailure(code: ErrorCode, explanation: string, address?: string): ZmqError {
  return new ZmqError(code, MESSAGES[code], {
    ...(address === undefined ? {} : { address }),
    cause: new ZmqError(code, explanation, address === undefined ? {} : { address }),
  })
}

/** Runs `action`, rethrowing any error as `compatError` makes it (for the synchronous calls). */
export function withCompatErrors<T>(action: () => T): T {
  try {
    return action()
  } catch (error) {
    throw compatError(error)
  }
}
