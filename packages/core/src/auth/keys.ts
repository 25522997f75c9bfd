import { z85Decode, z85Encode } from "@zmq-ts/zmtp"

/** A CURVE key as users hold it: 40 Z85 characters (zeromq.js's `curveKeyPair()`), or its 32 bytes. */
export type CurveKey = string | Uint8Array

/** The Z85 text of a 32-byte CURVE key, or undefined when `key` is not one. */
export function z85Key(key: unknown): string | undefined {
  if (key instanceof Uint8Array) return key.length === 32 ? z85Encode(key) : undefined
  if (typeof key !== "string" || key.length !== 40) return undefined
  try {
    z85Decode(key)
  } catch {
    return undefined // a character outside the alphabet, or a group above 32 bits
  }
  return key
}

/** `z85Key(key)`, or a TypeError naming `what`. */
export function requireZ85Key(key: unknown, what: string): string {
  const text = z85Key(key)
  if (text === undefined) {
    const shown = typeof key === "string" ? JSON.stringify(key) : key instanceof Uint8Array ? `${key.length} bytes` : typeof key
    throw new TypeError(`${what} must be a CURVE key: 40 Z85 characters or 32 bytes, got ${shown}`)
  }
  return text
}
