/**
 * The browser's twin of Node's Buffer (decision 0014): a Uint8Array subclass with the part of Node's API
 * that core and zeromq.js's documented API use (messages are Buffers): from/alloc/concat/byteLength/compare,
 * toString and write in utf8, hex, base64(url), latin1, ascii and utf16le, equals/compare, the integer reads
 * and writes, copy, and slice/subarray as views. Same results as Node's for those (test/browser/buffer-twin
 * checks it against Node's with fast-check); nothing else of Node's is imitated.
 */

export type BufferEncoding = "utf8" | "utf-8" | "hex" | "base64" | "base64url" | "latin1" | "binary" | "ascii" | "utf16le" | "utf-16le" | "ucs2" | "ucs-2"

const encoder = new TextEncoder()
const decoder = new TextDecoder("utf-8")

export class Buffer extends Uint8Array {
  /** A copy of `value` (string, array, Buffer) or, for an ArrayBuffer, a view of it, as Node's. */
  static override from(value: string, encoding?: BufferEncoding): Buffer
  static override from(value: ArrayBufferLike, byteOffset?: number, length?: number): Buffer
  static override from(value: ArrayLike<number> | Iterable<number> | { readonly type: "Buffer"; readonly data: readonly number[] }): Buffer
  static override from(value: unknown, encodingOrOffset?: unknown, length?: unknown): Buffer {
    if (typeof value === "string") return fromString(value, normalize(encodingOrOffset))
    if (value instanceof ArrayBuffer || (typeof SharedArrayBuffer !== "undefined" && value instanceof SharedArrayBuffer) || isArrayBufferLike(value)) {
      const buffer = value as ArrayBuffer
      const offset = encodingOrOffset === undefined ? 0 : Number(encodingOrOffset)
      if (offset > buffer.byteLength) throw new RangeError('"offset" is outside of buffer bounds')
      const size = length === undefined ? buffer.byteLength - offset : Number(length)
      if (offset + size > buffer.byteLength) throw new RangeError('"length" is outside of buffer bounds')
      return new Buffer(buffer, offset, size)
    }
    if (ArrayBuffer.isView(value)) {
      if (value instanceof Uint8Array) {
        const out = new Buffer(value.length)
        out.set(value)
        return out
      }
      // Node copies a typed array's elements (each truncated to a byte), not its bytes.
      const elements = value as unknown as ArrayLike<number>
      return Buffer.#fromArrayLike(elements)
    }
    if (value !== null && typeof value === "object") {
      const json = value as { type?: unknown; data?: unknown }
      if (json.type === "Buffer" && Array.isArray(json.data)) return Buffer.#fromArrayLike(json.data as number[])
      if (typeof (value as Iterable<number>)[Symbol.iterator] === "function") return Buffer.#fromArrayLike([...(value as Iterable<number>)])
      if (typeof (value as ArrayLike<number>).length === "number") return Buffer.#fromArrayLike(value as ArrayLike<number>)
    }
    throw new TypeError(`The first argument must be of type string, Buffer, ArrayBuffer, Array, or Array-like Object. Received ${value === null ? "null" : typeof value}`)
  }

  static #fromArrayLike(items: ArrayLike<number>): Buffer {
    const out = new Buffer(items.length)
    for (let i = 0; i < items.length; i++) out[i] = Number(items[i]) & 0xff
    return out
  }

  /** `size` zero bytes, or filled with `fill` (a byte, or a string repeated, as Node's). */
  static alloc(size: number, fill?: number | string, encoding?: BufferEncoding): Buffer {
    checkSize(size)
    const out = new Buffer(size)
    if (typeof fill === "number") out.fill(fill & 0xff)
    else if (typeof fill === "string" && fill.length > 0 && size > 0) {
      const pattern = fromString(fill, normalize(encoding))
      if (pattern.length === 0) throw new TypeError("The argument 'value' is invalid")
      for (let i = 0; i < size; i += pattern.length) out.set(pattern.subarray(0, Math.min(pattern.length, size - i)), i)
    }
    return out
  }

  /** Node leaves these bytes uninitialised; here they are zero (a browser has no pool to reuse). */
  static allocUnsafe(size: number): Buffer {
    checkSize(size)
    return new Buffer(size)
  }

  static allocUnsafeSlow(size: number): Buffer {
    checkSize(size)
    return new Buffer(size)
  }

  static isBuffer(value: unknown): value is Buffer {
    return value instanceof Buffer
  }

  static isEncoding(encoding: unknown): encoding is BufferEncoding {
    return typeof encoding === "string" && ENCODINGS.has(encoding.toLowerCase())
  }

  /** The bytes `value` takes in `encoding` (a view's own length). */
  static byteLength(value: string | ArrayBufferView | ArrayBufferLike, encoding?: BufferEncoding): number {
    if (typeof value !== "string") return value.byteLength
    // Node's counts: exact for UTF-8, from the length alone for the others (base64 by its ratio).
    switch (normalize(encoding)) {
      case "utf8":
        return fromString(value, "utf8").length
      case "hex":
        return value.length >>> 1
      case "base64":
      case "base64url": {
        let length = value.length
        if (value.charCodeAt(length - 1) === 0x3d) length--
        if (length > 1 && value.charCodeAt(length - 1) === 0x3d) length--
        return (length * 3) >>> 2
      }
      case "latin1":
      case "ascii":
        return value.length
      case "utf16le":
        return value.length * 2
    }
  }

  static concat(list: readonly Uint8Array[], totalLength?: number): Buffer {
    if (list.length === 0) return new Buffer(0)
    const total = totalLength ?? list.reduce((sum, item) => sum + item.length, 0)
    const out = new Buffer(total)
    let offset = 0
    for (const item of list) {
      if (offset >= total) break
      const part = item.length <= total - offset ? item : item.subarray(0, total - offset)
      out.set(part, offset)
      offset += part.length
    }
    return out
  }

  static compare(a: Uint8Array, b: Uint8Array): -1 | 0 | 1 {
    const length = Math.min(a.length, b.length)
    for (let i = 0; i < length; i++) {
      if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1
    }
    return a.length < b.length ? -1 : a.length > b.length ? 1 : 0
  }

  override toString(encoding?: BufferEncoding, start = 0, end = this.length): string {
    const from = Math.max(0, Math.min(this.length, Math.trunc(start)))
    const to = Math.max(from, Math.min(this.length, Math.trunc(end)))
    return toText(from === 0 && to === this.length ? this : this.subarray(from, to), normalize(encoding))
  }

  /** Writes `text` at `offset`, at most `length` bytes (whole characters only, as Node's); returns bytes written. */
  write(text: string, offset?: number | BufferEncoding, length?: number | BufferEncoding, encoding?: BufferEncoding): number {
    if (typeof offset === "string") return this.write(text, 0, this.length, offset)
    if (typeof length === "string") return this.write(text, offset, this.length - (offset ?? 0), length)
    const at = offset ?? 0
    if (at < 0 || at > this.length) throw new RangeError(`The value of "offset" is out of range. It must be >= 0 && <= ${this.length}. Received ${at}`)
    // As Node's: a length past the buffer throws, one past what is left after the offset is cut.
    if (length !== undefined && (length < 0 || length > this.length)) {
      throw new RangeError(`The value of "length" is out of range. It must be >= 0 && <= ${this.length}. Received ${length}`)
    }
    const room = Math.min(length ?? this.length, this.length - at)
    const kind = normalize(encoding)
    let bytes = fromString(text, kind)
    if (bytes.length > room) bytes = bytes.subarray(0, kind === "utf8" ? utf8Boundary(bytes, room) : kind === "utf16le" ? room & ~1 : room)
    this.set(bytes, at)
    return bytes.length
  }

  equals(other: Uint8Array): boolean {
    if (!(other instanceof Uint8Array)) throw new TypeError('The "otherBuffer" argument must be an instance of Buffer or Uint8Array')
    return Buffer.compare(this, other) === 0
  }

  compare(target: Uint8Array, targetStart = 0, targetEnd = target.length, sourceStart = 0, sourceEnd = this.length): -1 | 0 | 1 {
    return Buffer.compare(this.subarray(sourceStart, sourceEnd), target.subarray(targetStart, targetEnd))
  }

  /** Copies into `target` as much as fits; returns the bytes copied. */
  copy(target: Uint8Array, targetStart = 0, sourceStart = 0, sourceEnd = this.length): number {
    const end = Math.min(sourceEnd, this.length, sourceStart + (target.length - targetStart))
    if (end <= sourceStart) return 0
    target.set(this.subarray(sourceStart, end), targetStart)
    return end - sourceStart
  }

  /** A view, as Node's (not the copy Uint8Array's slice makes). */
  override slice(start?: number, end?: number): Buffer {
    return this.subarray(start, end)
  }

  override subarray(start?: number, end?: number): Buffer {
    return super.subarray(start, end) as Buffer
  }

  toJSON(): { type: "Buffer"; data: number[] } {
    return { type: "Buffer", data: Array.from(this) }
  }

  readUInt8(offset = 0): number {
    return this.#view(offset, 1).getUint8(0)
  }
  readUInt16BE(offset = 0): number {
    return this.#view(offset, 2).getUint16(0)
  }
  readUInt16LE(offset = 0): number {
    return this.#view(offset, 2).getUint16(0, true)
  }
  readUInt32BE(offset = 0): number {
    return this.#view(offset, 4).getUint32(0)
  }
  readUInt32LE(offset = 0): number {
    return this.#view(offset, 4).getUint32(0, true)
  }
  readInt32BE(offset = 0): number {
    return this.#view(offset, 4).getInt32(0)
  }
  readInt32LE(offset = 0): number {
    return this.#view(offset, 4).getInt32(0, true)
  }
  readBigUInt64BE(offset = 0): bigint {
    return this.#view(offset, 8).getBigUint64(0)
  }
  readBigUInt64LE(offset = 0): bigint {
    return this.#view(offset, 8).getBigUint64(0, true)
  }
  writeUInt8(value: number, offset = 0): number {
    this.#view(offset, 1).setUint8(0, checkUint(value, 0xff))
    return offset + 1
  }
  writeUInt16BE(value: number, offset = 0): number {
    this.#view(offset, 2).setUint16(0, checkUint(value, 0xffff))
    return offset + 2
  }
  writeUInt16LE(value: number, offset = 0): number {
    this.#view(offset, 2).setUint16(0, checkUint(value, 0xffff), true)
    return offset + 2
  }
  writeUInt32BE(value: number, offset = 0): number {
    this.#view(offset, 4).setUint32(0, checkUint(value, 0xffffffff))
    return offset + 4
  }
  writeUInt32LE(value: number, offset = 0): number {
    this.#view(offset, 4).setUint32(0, checkUint(value, 0xffffffff), true)
    return offset + 4
  }
  writeBigUInt64BE(value: bigint, offset = 0): number {
    this.#view(offset, 8).setBigUint64(0, value)
    return offset + 8
  }
  writeBigUInt64LE(value: bigint, offset = 0): number {
    this.#view(offset, 8).setBigUint64(0, value, true)
    return offset + 8
  }

  /** A DataView of `size` bytes at `offset`, or Node's ERR_OUT_OF_RANGE as a RangeError. */
  #view(offset: number, size: number): DataView {
    if (!Number.isInteger(offset) || offset < 0 || offset + size > this.length) {
      throw new RangeError(`The value of "offset" is out of range. It must be >= 0 and <= ${this.length - size}. Received ${offset}`)
    }
    return new DataView(this.buffer, this.byteOffset + offset, size)
  }
}

type Kind = "utf8" | "hex" | "base64" | "base64url" | "latin1" | "ascii" | "utf16le"

const ENCODINGS = new Set(["utf8", "utf-8", "hex", "base64", "base64url", "latin1", "binary", "ascii", "utf16le", "utf-16le", "ucs2", "ucs-2"])

function normalize(encoding: unknown): Kind {
  if (encoding === undefined || encoding === null) return "utf8"
  switch (String(encoding).toLowerCase()) {
    case "utf8":
    case "utf-8":
      return "utf8"
    case "hex":
      return "hex"
    case "base64":
      return "base64"
    case "base64url":
      return "base64url"
    case "latin1":
    case "binary":
      return "latin1"
    case "ascii":
      return "ascii"
    case "utf16le":
    case "utf-16le":
    case "ucs2":
    case "ucs-2":
      return "utf16le"
    default:
      throw new TypeError(`Unknown encoding: ${String(encoding)}`)
  }
}

function checkSize(size: number): void {
  if (typeof size !== "number" || !(size >= 0) || size > 2 ** 32) {
    throw new RangeError(`The argument 'size' is invalid. Received ${String(size)}`)
  }
}

function checkUint(value: number, max: number): number {
  if (!(value >= 0 && value <= max) || !Number.isInteger(value)) {
    throw new RangeError(`The value of "value" is out of range. It must be >= 0 and <= ${max}. Received ${value}`)
  }
  return value
}

/** The ArrayBuffer of another realm (an iframe, a vm context) passes `instanceof` in none of ours. */
function isArrayBufferLike(value: unknown): boolean {
  const tag = Object.prototype.toString.call(value)
  return tag === "[object ArrayBuffer]" || tag === "[object SharedArrayBuffer]"
}

/** The largest prefix of UTF-8 `bytes` within `room` that ends on a character boundary. */
function utf8Boundary(bytes: Uint8Array, room: number): number {
  let end = room
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--
  return end
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"))
const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
const B64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
/** Node's base64 decoder takes both alphabets and skips what is in neither. */
const B64_VALUE = new Int8Array(256).fill(-1)
for (let i = 0; i < 64; i++) B64_VALUE[B64.charCodeAt(i)] = i
B64_VALUE["-".charCodeAt(0)] = 62
B64_VALUE["_".charCodeAt(0)] = 63

function fromString(text: string, kind: Kind): Buffer {
  switch (kind) {
    case "utf8": {
      const bytes = encoder.encode(text)
      return new Buffer(bytes.buffer, bytes.byteOffset, bytes.length)
    }
    case "hex": {
      // Node stops at the first pair that is not hex.
      const out = new Buffer(text.length >>> 1)
      let i = 0
      for (; i < out.length; i++) {
        const byte = Number.parseInt(text.slice(2 * i, 2 * i + 2), 16)
        if (Number.isNaN(byte) || !/^[0-9a-fA-F]{2}$/.test(text.slice(2 * i, 2 * i + 2))) break
        out[i] = byte
      }
      return i === out.length ? out : out.subarray(0, i)
    }
    case "base64":
    case "base64url": {
      const out = new Buffer(Math.ceil((text.length * 3) / 4))
      let bits = 0
      let count = 0
      let length = 0
      for (let i = 0; i < text.length; i++) {
        const code = text.charCodeAt(i)
        if (code === 0x3d) break // "=": the end
        const value = B64_VALUE[code & 0xff]! // Node reads a UTF-16 unit's low byte
        if (value < 0) continue
        bits = (bits << 6) | value
        count += 6
        if (count >= 8) {
          count -= 8
          out[length++] = (bits >>> count) & 0xff
        }
      }
      return out.subarray(0, length)
    }
    case "latin1":
    case "ascii": {
      const out = new Buffer(text.length)
      for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i) & 0xff
      return out
    }
    case "utf16le": {
      const out = new Buffer(text.length * 2)
      for (let i = 0; i < text.length; i++) {
        const code = text.charCodeAt(i)
        out[2 * i] = code & 0xff
        out[2 * i + 1] = code >>> 8
      }
      return out
    }
  }
}

function toText(bytes: Uint8Array, kind: Kind): string {
  switch (kind) {
    case "utf8":
      return decoder.decode(bytes)
    case "hex": {
      let out = ""
      for (let i = 0; i < bytes.length; i++) out += HEX[bytes[i]!]!
      return out
    }
    case "base64":
    case "base64url": {
      const url = kind === "base64url"
      const alphabet = url ? B64URL : B64
      let out = ""
      let i = 0
      for (; i + 2 < bytes.length; i += 3) {
        const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!
        out += alphabet[n >>> 18]! + alphabet[(n >>> 12) & 63]! + alphabet[(n >>> 6) & 63]! + alphabet[n & 63]!
      }
      if (i < bytes.length) {
        const n = (bytes[i]! << 16) | ((bytes[i + 1] ?? 0) << 8)
        out += alphabet[n >>> 18]! + alphabet[(n >>> 12) & 63]!
        if (i + 1 < bytes.length) out += alphabet[(n >>> 6) & 63]!
        if (!url) out += i + 1 < bytes.length ? "=" : "=="
      }
      return out
    }
    case "latin1":
    case "ascii": {
      const mask = kind === "ascii" ? 0x7f : 0xff
      let out = ""
      for (let i = 0; i < bytes.length; i += 4096) {
        const part = bytes.subarray(i, i + 4096)
        out += String.fromCharCode(...(mask === 0xff ? part : part.map((byte) => byte & mask)))
      }
      return out
    }
    case "utf16le": {
      let out = ""
      for (let i = 0; i + 1 < bytes.length; i += 2) out += String.fromCharCode(bytes[i]! | (bytes[i + 1]! << 8))
      return out
    }
  }
}
