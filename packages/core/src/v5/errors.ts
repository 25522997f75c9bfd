import { ZmqError, type ErrorCode } from "@zmq-ts/core"

/*
 * Core's errors already carry zeromq.js's messages (libzmq's zmq_strerror as zeromq.js words it), with our
 * explanation in `details`, and its argument errors are zeromq.js's TypeErrors, so the compat layer passes
 * them through as they are; these helpers make errors of its own in the same shape.
 */

/** The error a compat caller sees for `error`: any Error as it is; anything else thrown, as an Error. */
export function compatError(error: unknown): Error {
  return error instanceof Error || ZmqError.isInstance(error) ? (error as Error) : new Error(String(error))
}

/** A ZmqError with zeromq.js's message for `code` and our explanation as its `details`. */
export function compatFailure(code: ErrorCode, explanation: string, address?: string): ZmqError {
  return new ZmqError(code, undefined, { details: explanation, ...(address === undefined ? {} : { address }) })
}
