import { curveKeyPair } from "@zmq-ts/core"

/** v5's `zmq.curveKeypair()`: a fresh CURVE key pair, each key as 40 characters of Z85. */
export function curveKeypair(): { public: string; secret: string } {
  const { publicKey, secretKey } = curveKeyPair()
  return { public: publicKey, secret: secretKey }
}
