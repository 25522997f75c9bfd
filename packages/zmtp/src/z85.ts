/**
 * Z85 text encoding of binary data, per ZeroMQ RFC 32 (https://rfc.zeromq.org/spec/32/).
 *
 * Each 4 bytes, read as a big-endian 32-bit number, become 5 base-85 digits, most significant first.
 * Unlike Ascii85 there is no padding and no "z" shorthand: lengths must be exact multiples.
 */
import { localError, ZmtpErrorCode } from "./errors.js"

const ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#"

/** Digit value → char code. */
const ENCODE = new Uint8Array(85)
/** Char code → digit value, 0xff for chars outside the alphabet; a table lookup beats indexOf per char. */
const DECODE = new Uint8Array(256).fill(0xff)
for (let i = 0; i < 85; i++) {
  const code = ALPHABET.charCodeAt(i)
  ENCODE[i] = code
  DECODE[code] = i
}

const INVALID = 0xff
const MAX_U32 = 0xffffffff
/** Chars per String.fromCharCode call: small enough to stay under engines' argument-count limits. */
const CHUNK = 8192

/** Encodes `data` (length a multiple of 4) as Z85 text, 5 chars per 4 bytes. */
export function z85Encode(data: Uint8Array): string {
  const length = data.length
  if (length % 4 !== 0) {
    throw localError(ZmtpErrorCode.INVALID_Z85, `z85 input of ${length} bytes is not a multiple of 4`)
  }
  // Collect char codes in a typed array, then turn them into a string in chunks: linear time, no += per char.
  const codes = new Uint8Array((length / 4) * 5)
  for (let i = 0, o = 0; i < length; i += 4, o += 5) {
    // `?? 0` only satisfies noUncheckedIndexedAccess; i + 3 < length always holds here.
    // `>>> 0` keeps the value unsigned: a leading byte >= 0x80 would otherwise make it negative.
    let value =
      (((data[i] ?? 0) << 24) | ((data[i + 1] ?? 0) << 16) | ((data[i + 2] ?? 0) << 8) | (data[i + 3] ?? 0)) >>> 0
    // Fill right to left so the most significant digit comes first, as RFC 32 requires.
    for (let j = 4; j >= 0; j--) {
      codes[o + j] = ENCODE[value % 85] ?? 0
      value = Math.floor(value / 85)
    }
  }
  return codesToString(codes)
}

/** Decodes Z85 text (length a multiple of 5, alphabet chars only) into 4 bytes per 5 chars. */
export function z85Decode(text: string): Uint8Array {
  const length = text.length
  if (length % 5 !== 0) {
    throw localError(ZmtpErrorCode.INVALID_Z85, `z85 text of ${length} characters is not a multiple of 5`)
  }
  const out = new Uint8Array((length / 5) * 4)
  for (let i = 0, o = 0; i < length; i += 5, o += 4) {
    // Plain number arithmetic is exact here: the largest 5-digit value, 85^5 - 1, is far below 2^53.
    let value = 0
    for (let j = i; j < i + 5; j++) {
      const code = text.charCodeAt(j)
      const digit = code < 256 ? (DECODE[code] ?? INVALID) : INVALID
      if (digit === INVALID) {
        throw localError(ZmtpErrorCode.INVALID_Z85, `invalid z85 character '${text.charAt(j)}' at index ${j}`)
      }
      value = value * 85 + digit
    }
    // 85^5 > 2^32, so some groups (e.g. "%%%%%") name values no 4 bytes can hold.
    if (value > MAX_U32) {
      throw localError(ZmtpErrorCode.INVALID_Z85, `z85 group "${text.slice(i, i + 5)}" at index ${i} exceeds 32 bits`)
    }
    out[o] = value >>> 24
    out[o + 1] = (value >>> 16) & 0xff
    out[o + 2] = (value >>> 8) & 0xff
    out[o + 3] = value & 0xff
  }
  return out
}

function codesToString(codes: Uint8Array): string {
  if (codes.length <= CHUNK) return String.fromCharCode(...codes)
  const parts: string[] = []
  for (let i = 0; i < codes.length; i += CHUNK) {
    parts.push(String.fromCharCode(...codes.subarray(i, i + CHUNK)))
  }
  return parts.join("")
}
