/**
 * Key pairs for the CURVE cases, made in the runner with zeromq.js's `curveKeyPair()` (libzmq's
 * zmq_curve_keypair, libsodium underneath): Z85 strings of 40 characters, which every implementation takes.
 */
import { curveKeyPair } from "zeromq"
import type { CurveKeys } from "./curve.js"

export function generateCurveKeys(): CurveKeys {
  const server = curveKeyPair()
  const client = curveKeyPair()
  return { serverPublic: server.publicKey, serverSecret: server.secretKey, clientPublic: client.publicKey, clientSecret: client.secretKey }
}
