import { x25519KeyPair } from "#platform/curve"
import { zmqError } from "../common/errors.js"
import { z85Encode } from "@zmq-ts/zmtp"

/** A CURVE key pair as zeromq.js's `curveKeyPair()` gives it: each key as 40 characters of Z85 (RFC 32). */
export interface CurveKeyPair {
  readonly publicKey: string
  readonly secretKey: string
}

/**
 * zeromq.js's `curveKeyPair()` (zmq_curve_keypair): a fresh X25519 key pair. Made with node:crypto
 * (platform/curve.ts; ENOTSUP in a browser, which has no synchronous X25519), so that it stays synchronous and never loads the CURVE crypto library (security/curve-mechanism.ts loads
 * that only when a socket selects CURVE).
 */
export function curveKeyPair(): CurveKeyPair {
  if (x25519KeyPair === undefined) throw zmqError("ENOTSUP", "curveKeyPair() is not available in browsers (no CURVE there: bare ZWS2.0 has no mechanism)")
  const { publicKey, secretKey } = x25519KeyPair()
  return { publicKey: z85Encode(publicKey), secretKey: z85Encode(secretKey) }
}
