/**
 * A CURVE HELLO built straight from RFC 26 §"HELLO" with libsodium's own crypto_box (no code of ours), to
 * feed a server the commands libzmq's tests craft by hand (curve_client_tools_t::produce_hello).
 */
import sodium from "libsodium-wrappers-sumo"
import { ascii, concat } from "./pair.js"

export function referenceHello(serverKey: Uint8Array, shortNonce: bigint): Uint8Array {
  const { publicKey, privateKey } = sodium.crypto_box_keypair()
  const nonceBytes = new Uint8Array(8)
  new DataView(nonceBytes.buffer).setBigUint64(0, shortNonce)
  const box = sodium.crypto_box_easy(new Uint8Array(64), concat([ascii("CurveZMQHELLO---"), nonceBytes]), serverKey, privateKey)
  return concat([ascii("\x05HELLO"), Uint8Array.of(1, 0), new Uint8Array(72), publicKey, nonceBytes, box])
}
