/**
 * UTF-8 and ASCII conversions without TextEncoder/TextDecoder: this package typechecks with `"types": []` and
 * lib ES2022 only, so that it runs unchanged in any JavaScript runtime, and those globals are not in ES2022.
 */

export function utf8Encode(text: string): Uint8Array {
  // Most protocol strings are ASCII: take the fast path first.
  let ascii = true
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) > 0x7f) {
      ascii = false
      break
    }
  }
  if (ascii) {
    const out = new Uint8Array(text.length)
    for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i)
    return out
  }
  const bytes: number[] = []
  for (const char of text) {
    let code = char.codePointAt(0) ?? 0
    // Lone surrogates become U+FFFD, as TextEncoder does.
    if (code >= 0xd800 && code <= 0xdfff) code = 0xfffd
    if (code < 0x80) bytes.push(code)
    else if (code < 0x800) bytes.push(0xc0 | (code >> 6), 0x80 | (code & 0x3f))
    else if (code < 0x10000) bytes.push(0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f))
    else
      bytes.push(
        0xf0 | (code >> 18),
        0x80 | ((code >> 12) & 0x3f),
        0x80 | ((code >> 6) & 0x3f),
        0x80 | (code & 0x3f),
      )
  }
  return Uint8Array.from(bytes)
}

/** Strings as UTF-8 bytes; bytes as they are (routing ids, metadata values, PLAIN credentials). */
export function toBytes(value: string | Uint8Array): Uint8Array {
  return typeof value === "string" ? utf8Encode(value) : value
}

/** Decodes UTF-8, replacing malformed sequences with U+FFFD as TextDecoder does (never throws). */
export function utf8Decode(bytes: Uint8Array): string {
  let out = ""
  let chunk: number[] = []
  const flush = (): void => {
    out += String.fromCharCode(...chunk)
    chunk = []
  }
  let i = 0
  while (i < bytes.length) {
    const b0 = bytes[i]!
    let code = 0xfffd
    let size = 1
    if (b0 < 0x80) {
      code = b0
    } else if (b0 >= 0xc2 && b0 < 0xe0) {
      const b1 = bytes[i + 1]
      if (b1 !== undefined && (b1 & 0xc0) === 0x80) {
        code = ((b0 & 0x1f) << 6) | (b1 & 0x3f)
        size = 2
      }
    } else if (b0 >= 0xe0 && b0 < 0xf0) {
      const b1 = bytes[i + 1]
      const b2 = bytes[i + 2]
      if (b1 !== undefined && b2 !== undefined && (b1 & 0xc0) === 0x80 && (b2 & 0xc0) === 0x80) {
        const c = ((b0 & 0x0f) << 12) | ((b1 & 0x3f) << 6) | (b2 & 0x3f)
        if (c >= 0x800 && (c < 0xd800 || c > 0xdfff)) {
          code = c
          size = 3
        }
      }
    } else if (b0 >= 0xf0 && b0 < 0xf5) {
      const b1 = bytes[i + 1]
      const b2 = bytes[i + 2]
      const b3 = bytes[i + 3]
      if (
        b1 !== undefined &&
        b2 !== undefined &&
        b3 !== undefined &&
        (b1 & 0xc0) === 0x80 &&
        (b2 & 0xc0) === 0x80 &&
        (b3 & 0xc0) === 0x80
      ) {
        const c = ((b0 & 0x07) << 18) | ((b1 & 0x3f) << 12) | ((b2 & 0x3f) << 6) | (b3 & 0x3f)
        if (c >= 0x10000 && c <= 0x10ffff) {
          code = c
          size = 4
        }
      }
    }
    // A broken sequence is replaced by one U+FFFD for its maximal valid subpart (WHATWG), not one per byte.
    if (size === 1 && b0 >= 0xc2 && b0 < 0xf5) size = maximalSubpart(bytes, i, b0)
    if (code > 0xffff) {
      code -= 0x10000
      chunk.push(0xd800 | (code >> 10), 0xdc00 | (code & 0x3ff))
    } else {
      chunk.push(code)
    }
    if (chunk.length >= 4096) flush()
    i += size
  }
  flush()
  return out
}

/** How many bytes from `i` form a valid prefix of a UTF-8 sequence led by `b0` (WHATWG "utf-8 decoder"). */
function maximalSubpart(bytes: Uint8Array, i: number, b0: number): number {
  const continuations = b0 < 0xe0 ? 1 : b0 < 0xf0 ? 2 : 3
  let lower = b0 === 0xe0 ? 0xa0 : b0 === 0xf0 ? 0x90 : 0x80
  let upper = b0 === 0xed ? 0x9f : b0 === 0xf4 ? 0x8f : 0xbf
  let n = 1
  while (n <= continuations) {
    const b = bytes[i + n]
    if (b === undefined || b < lower || b > upper) break
    lower = 0x80
    upper = 0xbf
    n++
  }
  return n
}

/** Latin-1 view of bytes; used for protocol names, which RFC 23 restricts to ASCII. */
export function asciiDecode(bytes: Uint8Array, start = 0, end = bytes.length): string {
  let out = ""
  for (let i = start; i < end; i++) out += String.fromCharCode(bytes[i]!)
  return out
}

export function asciiEncode(text: string): Uint8Array {
  const out = new Uint8Array(text.length)
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i) & 0xff
  return out
}

export function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return false
  return true
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

/** Lowercase hex, for error messages and wire-vector tests. */
export function toHex(bytes: Uint8Array, max = bytes.length): string {
  let out = ""
  const end = Math.min(bytes.length, max)
  for (let i = 0; i < end; i++) out += bytes[i]!.toString(16).padStart(2, "0")
  return end < bytes.length ? `${out}…` : out
}
