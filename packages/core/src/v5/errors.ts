import { ZmqError, type ErrorCode } from "@zmq-ts/core"

/*
 * Core's errors already carry zeromq.js's messages (libzmq's zmq_strerror as zeromq.js words it), with our
 * explanation in `details`, so the compat layer passes them through; these helpers only make errors of its
 * own in the same shape.
 */

/** The error a compat caller sees for `error`: a ZmqError as it is; anything else as an Error. */
export function compatError(error: unknown): Error {
  if (ZmqError.isInstance(error)) return error
  return error instanceof Error ? error : new Error(String(error))
}

/** A ZmqError with zeromq.js's message for `code` and our explanation as its `details`. */
export function compatFailure(code: ErrorCode, explanation: string, address?: string): ZmqError {
  return new ZmqError(code, undefined, { details: explanation, ...(address === undefined ? {} : { address }) })
}

/** Runs `action`, rethrowing any error as `compatError` makes it (for the synchronous calls). */
export function withCompatErrors<T>(action: () => T): T {
  try {
    return action()
  } catch (error) {
    throw compatError(error)
  }
}
