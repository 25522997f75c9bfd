/**
 * Byte-level pieces shared by the CURVE client, server and MESSAGE transform (RFC 26 §"Command Syntax",
 * as libzmq 4.3.5 lays them out): nonce prefixes, 64-bit short nonces, concatenation.
 */

function ascii(text: string): Uint8Array {
  const out = new Uint8Array(text.length)
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i)
  return out
}

/** Prefixes of the 24-byte nonces (RFC 26): 16 bytes before a short nonce, 8 before a long one. */
export const NoncePrefix = {
  HELLO: ascii("CurveZMQHELLO---"),
  WELCOME: ascii("WELCOME-"),
  COOKIE: ascii("COOKIE--"),
  INITIATE: ascii("CurveZMQINITIATE"),
  VOUCH: ascii("VOUCH---"),
  READY: ascii("CurveZMQREADY---"),
  MESSAGE_FROM_CLIENT: ascii("CurveZMQMESSAGEC"),
  MESSAGE_FROM_SERVER: ascii("CurveZMQMESSAGES"),
} as const

/** `\x07MESSAGE`: the start of every data-phase frame body. */
export const MESSAGE_NAME = ascii("\x07MESSAGE")

/** A short nonce: a 64-bit counter, big-endian (RFC 26 §"Nonces"). */
export const SHORT_NONCE_BYTES = 8

/** Writes `value` (a counter, < 2^53) as 8 big-endian bytes at `at`. */
export function writeShortNonce(out: Uint8Array, at: number, value: number): void {
  const high = Math.floor(value / 4294967296)
  const low = value >>> 0
  out[at] = high >>> 24
  out[at + 1] = high >>> 16
  out[at + 2] = high >>> 8
  out[at + 3] = high
  out[at + 4] = low >>> 24
  out[at + 5] = low >>> 16
  out[at + 6] = low >>> 8
  out[at + 7] = low
}

/** A received short nonce as its two 32-bit halves, so that all 64 bits compare exactly. */
export interface ShortNonce {
  high: number
  low: number
}

export function readShortNonce(bytes: Uint8Array, at: number): ShortNonce {
  return { high: readUint32(bytes, at), low: readUint32(bytes, at + 4) }
}

export function readUint32(bytes: Uint8Array, at: number): number {
  return ((bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!) >>> 0
}

/** A full 24-byte nonce: `prefix` then `rest` (a short nonce or 16 random bytes). */
export function nonce(prefix: Uint8Array, rest: Uint8Array): Uint8Array {
  const out = new Uint8Array(24)
  out.set(prefix, 0)
  out.set(rest, prefix.length)
  return out
}

export function concat(...parts: readonly Uint8Array[]): Uint8Array {
  let size = 0
  for (const part of parts) size += part.length
  const out = new Uint8Array(size)
  let at = 0
  for (const part of parts) {
    out.set(part, at)
    at += part.length
  }
  return out
}

/** Zeroes every given buffer (secrets, and plaintexts that held them). */
export function wipe(...buffers: ReadonlyArray<Uint8Array | undefined>): void {
  for (const buffer of buffers) buffer?.fill(0)
}
