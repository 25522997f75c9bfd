import { generateKeyPairSync } from "node:crypto"
import { Buffer } from "node:buffer"

/** The CURVE crypto package, loaded on first use (decision 0010); undefined where CURVE cannot run. */
export const loadCurveModule: (() => Promise<typeof import("@zmq-ts/curve")>) | undefined = () => import("@zmq-ts/curve")

/** A fresh raw X25519 key pair, synchronously (node:crypto); undefined where the platform has none. */
export const x25519KeyPair: (() => { readonly publicKey: Uint8Array; readonly secretKey: Uint8Array }) | undefined = () => {
  const { publicKey, privateKey } = generateKeyPairSync("x25519")
  const raw = (key: typeof publicKey, part: "x" | "d"): Uint8Array => new Uint8Array(Buffer.from(key.export({ format: "jwk" })[part]!, "base64url"))
  return { publicKey: raw(publicKey, "x"), secretKey: raw(privateKey, "d") }
}
