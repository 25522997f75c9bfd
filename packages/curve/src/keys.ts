import { z85Decode, z85Encode } from "@zmq-ts/zmtp"
import { generateKeyPair, KEY_BYTES, publicKeyOf } from "./primitives.js"

/** Z85 text of a 32-byte key: 40 characters (RFC 32). */
const Z85_KEY_LENGTH = 40

const BRAND: unique symbol = Symbol.for("@zmq-ts/curve.CurveKeyError") as never

/**
 * A CURVE key option value libzmq would refuse (zmq_setsockopt fails with EINVAL). The message names the
 * option and the value's length, never its content: the value may be a secret key.
 */
export class CurveKeyError extends Error {
  readonly code = "EINVAL"
  readonly [BRAND] = true

  constructor(message: string) {
    super(message)
    this.name = "CurveKeyError"
  }

  /** True for any `CurveKeyError`, even one made by another copy of this package. */
  static isInstance(value: unknown): value is CurveKeyError {
    return typeof value === "object" && value !== null && (value as { [BRAND]?: unknown })[BRAND] === true
  }
}

/**
 * A key option value as libzmq's ZMQ_CURVE_PUBLICKEY / _SECRETKEY / _SERVERKEY accept it (options.cpp): 32
 * raw bytes, 40 characters of Z85, or 41 characters whose last is NUL. Characters may come as a string or
 * as bytes (a 40- or 41-byte array is text, as in C). Returns a new 32-byte array; anything else throws
 * `CurveKeyError` (code EINVAL). `what` names the option in the message ("curveServerKey").
 */
export function decodeCurveKey(key: string | Uint8Array, what: string): Uint8Array {
  if (key instanceof Uint8Array) {
    if (key.length === KEY_BYTES) return new Uint8Array(key)
    if (key.length === Z85_KEY_LENGTH || (key.length === Z85_KEY_LENGTH + 1 && key[Z85_KEY_LENGTH] === 0)) {
      let text = ""
      for (let i = 0; i < Z85_KEY_LENGTH; i++) text += String.fromCharCode(key[i]!)
      return decodeZ85Key(text, what)
    }
    throw new CurveKeyError(`${what} of ${key.length} bytes is not a key: expected 32 bytes or 40 Z85 characters`)
  }
  if (typeof key === "string") {
    if (key.length === Z85_KEY_LENGTH) return decodeZ85Key(key, what)
    if (key.length === Z85_KEY_LENGTH + 1 && key.charCodeAt(Z85_KEY_LENGTH) === 0) {
      return decodeZ85Key(key.slice(0, Z85_KEY_LENGTH), what)
    }
    throw new CurveKeyError(`${what} of ${key.length} characters is not a key: expected 40 Z85 characters`)
  }
  throw new CurveKeyError(`${what} must be a string or a Uint8Array, got ${typeof key}`)
}

function decodeZ85Key(text: string, what: string): Uint8Array {
  try {
    return z85Decode(text)
  } catch {
    // z85Decode's message quotes the offending characters: not for a secret key.
    throw new CurveKeyError(`${what} is not valid Z85 (40 characters of the RFC 32 alphabet)`)
  }
}

/**
 * zeromq.js's `curveKeyPair()` (zmq_curve_keypair): a fresh long-term key pair as two 40-character Z85
 * strings. Synchronous: node:crypto where the platform has X25519, else libsodium after `loadCurve()`.
 */
export function curveKeyPair(): { publicKey: string; secretKey: string } {
  const pair = generateKeyPair()
  const keys = { publicKey: z85Encode(pair.publicKey), secretKey: z85Encode(pair.secretKey) }
  pair.secretKey.fill(0)
  return keys
}

/** zmq_curve_public: the public key of a secret key (any form `decodeCurveKey` accepts), as Z85. */
export function curvePublicKey(secretKey: string | Uint8Array): string {
  const secret = decodeCurveKey(secretKey, "secretKey")
  try {
    return z85Encode(publicKeyOf(secret))
  } finally {
    secret.fill(0)
  }
}

/** A mechanism option: exactly 32 bytes, copied. (Z85 goes through `decodeCurveKey` first.) */
export function checkKey(key: Uint8Array, what: string): Uint8Array {
  if (!(key instanceof Uint8Array) || key.length !== KEY_BYTES) {
    const got = key instanceof Uint8Array ? `${key.length} bytes` : typeof key
    throw new CurveKeyError(`CURVE ${what} must be 32 bytes (decodeCurveKey() reads Z85), got ${got}`)
  }
  return new Uint8Array(key)
}
