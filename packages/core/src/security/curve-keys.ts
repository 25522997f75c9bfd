import { generateKeyPairSync } from "node:crypto"
import { Buffer } from "#platform/buffer"
import { z85Encode } from "@zmq-ts/zmtp"

/** A CURVE key pair as zeromq.js's `curveKeyPair()` gives it: each key as 40 characters of Z85 (RFC 32). */
export interface CurveKeyPair {
  readonly publicKey: string
  readonly secretKey: string
}

/**
 * zeromq.js's `curveKeyPair()` (zmq_curve_keypair): a fresh X25519 key pair. Made with node:crypto, so
 * that it stays synchronous and never loads the CURVE crypto library (security/curve-mechanism.ts loads
 * that only when a socket selects CURVE).
 */
export function curveKeyPair(): CurveKeyPair {
  const { publicKey, privateKey } = generateKeyPairSync("x25519")
  const raw = (key: typeof publicKey, part: "x" | "d"): Uint8Array => {
    const jwk = key.export({ format: "jwk" })
    return new Uint8Array(Buffer.from(jwk[part]!, "base64url"))
  }
  return { publicKey: z85Encode(raw(publicKey, "x")), secretKey: z85Encode(raw(privateKey, "d")) }
}
