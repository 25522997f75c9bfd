/**
 * `PatternError`: the one error class of @zmq-ts/patterns. Users match on `code`, never on the message text.
 * Errors of the sockets underneath (`ZmqError` from @zmq-ts/core: ETERM, EINTR, EHOSTUNREACH…) pass through
 * unchanged.
 *
 * `origin` keeps the split the codec makes: `local` = the caller broke a rule (bad option, wrong state),
 * `remote` = a peer sent something the pattern cannot accept (a malformed envelope).
 */
export const PatternErrorCode = {
  /** An option or argument is invalid (`subscribers: 0`, an empty endpoint list…). */
  INVALID_OPTION: "ERR_PATTERN_INVALID_OPTION",
  /** With `exactTopic`, a topic contains the terminator byte (0x00), so it could match another topic. */
  INVALID_TOPIC: "ERR_PATTERN_INVALID_TOPIC",
  /** A message does not have the envelope's shape (frame count, or the exact-topic terminator missing). */
  MALFORMED_ENVELOPE: "ERR_PATTERN_MALFORMED_ENVELOPE",
  /** A wait (for subscribers, for workers, for results, for a publisher) did not finish within its `timeout`. */
  TIMEOUT: "ERR_PATTERN_TIMEOUT",
  /** The call does not fit the object's state: started twice, used before `bind()`/`start()`. */
  INVALID_STATE: "ERR_PATTERN_INVALID_STATE",
  /** The object was closed or stopped, before or while the call was waiting. */
  CLOSED: "ERR_PATTERN_CLOSED",
  /** A Binary Star peer published a state that conflicts with ours: both active (split brain) or both passive. */
  PEER_CONFLICT: "ERR_PATTERN_PEER_CONFLICT",
  /** A file of a persistent store (Titanic's) does not parse: it was damaged outside the store. */
  CORRUPT_STORE: "ERR_PATTERN_CORRUPT_STORE",
} as const

export type PatternErrorCode = (typeof PatternErrorCode)[keyof typeof PatternErrorCode]

/** Whose fault it was: `local` = the caller's, `remote` = a peer's message. */
export type PatternErrorOrigin = "local" | "remote"

const BRAND: unique symbol = Symbol.for("@zmq-ts/patterns.PatternError") as never

export class PatternError extends Error {
  readonly code: PatternErrorCode
  readonly origin: PatternErrorOrigin
  readonly [BRAND] = true

  constructor(code: PatternErrorCode, origin: PatternErrorOrigin, message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = "PatternError"
    this.code = code
    this.origin = origin
  }

  /** True for any `PatternError`, even one made by another copy of this package (where `instanceof` fails). */
  static isInstance(value: unknown): value is PatternError {
    return typeof value === "object" && value !== null && (value as { [BRAND]?: unknown })[BRAND] === true
  }
}

/** @internal */
export function localError(code: PatternErrorCode, message: string, cause?: unknown): PatternError {
  return new PatternError(code, "local", message, cause === undefined ? {} : { cause })
}

/** @internal */
export function remoteError(code: PatternErrorCode, message: string): PatternError {
  return new PatternError(code, "remote", message)
}
