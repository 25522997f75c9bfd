import { remoteError, localError, ZmtpErrorCode } from "./errors.js"
import { asciiDecode, asciiEncode, toBytes, utf8Decode } from "./text.js"

/**
 * Connection metadata: the properties carried by READY and INITIATE (RFC 23 §"The NULL Security Mechanism",
 * "metadata = *property; property = name value; name = OCTET 1*255name-char; value = 4OCTET *OCTET").
 * Property names are case-insensitive; values are opaque bytes.
 */
export class Metadata implements Iterable<[string, Uint8Array]> {
  readonly #byLowerName = new Map<string, { name: string; value: Uint8Array }>()

  constructor(entries: Iterable<readonly [string, Uint8Array | string]> = []) {
    for (const [name, value] of entries) this.set(name, value)
  }

  /** Sets a property; a later value replaces an earlier one whatever the case of its name. */
  set(name: string, value: Uint8Array | string): void {
    this.#byLowerName.set(name.toLowerCase(), { name, value: toBytes(value) })
  }

  get(name: string): Uint8Array | undefined {
    return this.#byLowerName.get(name.toLowerCase())?.value
  }

  /** The value decoded as UTF-8. */
  getString(name: string): string | undefined {
    const value = this.get(name)
    return value === undefined ? undefined : utf8Decode(value)
  }

  has(name: string): boolean {
    return this.#byLowerName.has(name.toLowerCase())
  }

  get size(): number {
    return this.#byLowerName.size
  }

  *[Symbol.iterator](): IterableIterator<[string, Uint8Array]> {
    for (const { name, value } of this.#byLowerName.values()) yield [name, value]
  }

  /** A plain object of name → UTF-8 string, handy for logging. */
  toJSON(): Record<string, string> {
    const out: Record<string, string> = {}
    // A peer may send a property called `__proto__` (valid name-chars); it must stay an entry, not a prototype.
    for (const { name, value } of this.#byLowerName.values()) {
      Object.defineProperty(out, name, { value: utf8Decode(value), enumerable: true, writable: true, configurable: true })
    }
    return out
  }
}

const NAME_CHAR = /^[A-Za-z0-9\-_.+]{1,255}$/

export function isValidPropertyName(name: string): boolean {
  return NAME_CHAR.test(name)
}

/** Encodes properties in the given order; names must be valid name-chars (a local error otherwise). */
export function encodeMetadata(properties: Iterable<readonly [string, Uint8Array]>): Uint8Array {
  const parts: Array<[Uint8Array, Uint8Array]> = []
  let size = 0
  for (const [name, value] of properties) {
    if (!isValidPropertyName(name)) {
      throw localError(ZmtpErrorCode.INVALID_ARGUMENT, `invalid metadata property name ${JSON.stringify(name)}`)
    }
    if (value.length > 0x7fffffff) {
      throw localError(ZmtpErrorCode.INVALID_ARGUMENT, `metadata property ${name} of ${value.length} bytes is too large`)
    }
    const encodedName = asciiEncode(name)
    parts.push([encodedName, value])
    size += 1 + encodedName.length + 4 + value.length
  }
  const out = new Uint8Array(size)
  let pos = 0
  for (const [name, value] of parts) {
    out[pos++] = name.length
    out.set(name, pos)
    pos += name.length
    const n = value.length
    out[pos++] = (n >>> 24) & 0xff
    out[pos++] = (n >>> 16) & 0xff
    out[pos++] = (n >>> 8) & 0xff
    out[pos++] = n & 0xff
    out.set(value, pos)
    pos += n
  }
  return out
}

/**
 * Parses a metadata block. Values are views into `body` (no copy). Structural faults are remote errors with
 * `INVALID_METADATA`; property names are not checked against name-char on receipt, as libzmq does not either.
 */
export function decodeMetadata(body: Uint8Array, command: string): Metadata {
  const metadata = new Metadata()
  let pos = 0
  while (pos < body.length) {
    const nameSize = body[pos]!
    pos += 1
    if (nameSize === 0) {
      throw remoteError(ZmtpErrorCode.INVALID_METADATA, `${command} has a property with an empty name`)
    }
    if (pos + nameSize + 4 > body.length) {
      throw remoteError(ZmtpErrorCode.INVALID_METADATA, `${command} property name overruns the command at offset ${pos - 1}`)
    }
    const name = asciiDecode(body, pos, pos + nameSize)
    pos += nameSize
    const valueSize = ((body[pos]! << 24) | (body[pos + 1]! << 16) | (body[pos + 2]! << 8) | body[pos + 3]!) >>> 0
    pos += 4
    if (valueSize > body.length - pos) {
      throw remoteError(
        ZmtpErrorCode.INVALID_METADATA,
        `${command} property ${JSON.stringify(name)} claims ${valueSize} bytes but only ${body.length - pos} remain`,
      )
    }
    metadata.set(name, body.subarray(pos, pos + valueSize))
    pos += valueSize
  }
  return metadata
}
