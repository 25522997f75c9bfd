import { Buffer } from "./buffer.browser.js"

/** The platform's CSPRNG (Web Crypto), in node:crypto's shape. */
interface WebCrypto {
  getRandomValues<T extends ArrayBufferView>(array: T): T
}

/** `size` random bytes, as node:crypto's randomBytes (Web Crypto fills at most 65536 bytes per call). */
export function randomBytes(size: number): Buffer {
  const crypto = (globalThis as { crypto?: WebCrypto }).crypto
  if (crypto === undefined) throw new Error("no Web Crypto (globalThis.crypto) in this runtime")
  const out = Buffer.alloc(size)
  for (let at = 0; at < size; at += 65536) crypto.getRandomValues(out.subarray(at, Math.min(size, at + 65536)))
  return out
}
