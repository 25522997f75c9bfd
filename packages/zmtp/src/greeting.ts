import { remoteError, localError, ZmtpErrorCode } from "./errors.js"
import { asciiDecode, toHex } from "./text.js"

/**
 * The 64-octet greeting, RFC 23 §"Greeting" / RFC 37:
 *
 *   greeting  = signature version mechanism as-server filler
 *   signature = %xFF padding %x7F      ; padding = 8OCTET, not significant
 *   version   = %x03 %x01              ; major, minor
 *   mechanism = 20OCTET                ; ASCII name, null-padded
 *   as-server = %x00 | %x01
 *   filler    = 31%x00
 *
 * libzmq writes the padding as (routing id length + 1) in network order, a relic of ZMTP 1.0 framing; we do
 * the same so our greeting is byte-identical to libzmq's. libzmq also sends its greeting in stages (the
 * signature, then the major version, then the rest) and waits for ours in between; we send ours whole and
 * parse theirs incrementally, judging each stage as soon as its bytes arrive.
 */
export const GREETING_SIZE = 64
export const SIGNATURE_SIZE = 10
export const MECHANISM_NAME_SIZE = 20

export const ZMTP_MAJOR = 3
export const ZMTP_MINOR = 1

export interface Greeting {
  readonly major: number
  readonly minor: number
  readonly mechanism: string
  readonly asServer: boolean
}

export function encodeGreeting(mechanism: string, asServer: boolean, routingIdSize = 0, minor = ZMTP_MINOR): Uint8Array {
  if (mechanism.length === 0 || mechanism.length > MECHANISM_NAME_SIZE || !/^[A-Z0-9\-_.+]+$/.test(mechanism)) {
    throw localError(ZmtpErrorCode.INVALID_ARGUMENT, `invalid mechanism name ${JSON.stringify(mechanism)}`)
  }
  const out = new Uint8Array(GREETING_SIZE)
  out[0] = 0xff
  // Padding: 8 octets, network order; only the low octet is ever non-zero (routing ids are ≤ 255 bytes).
  out[8] = (routingIdSize + 1) & 0xff
  out[7] = (routingIdSize + 1) >> 8
  out[9] = 0x7f
  out[10] = ZMTP_MAJOR
  out[11] = minor
  for (let i = 0; i < mechanism.length; i++) out[12 + i] = mechanism.charCodeAt(i)
  out[32] = asServer ? 1 : 0
  return out
}

/**
 * Accumulates the peer's greeting from chunks of any size. `feed` returns how many bytes of the chunk it
 * consumed; once `complete`, `greeting` holds the parsed result. Faults are reported at the earliest byte
 * that proves them, so an HTTP request or a ZMTP 1.0 peer is refused on its first octet, not after 64.
 */
export class GreetingParser {
  readonly #bytes = new Uint8Array(GREETING_SIZE)
  #received = 0
  #greeting: Greeting | undefined

  get complete(): boolean {
    return this.#greeting !== undefined
  }

  get greeting(): Greeting | undefined {
    return this.#greeting
  }

  /** How many greeting octets have arrived so far (0–64). */
  get received(): number {
    return this.#received
  }

  feed(chunk: Uint8Array, offset = 0): number {
    const take = Math.min(GREETING_SIZE - this.#received, chunk.length - offset)
    const before = this.#received
    this.#bytes.set(chunk.subarray(offset, offset + take), before)
    this.#received += take
    this.#check(before)
    return take
  }

  #check(before: number): void {
    const b = this.#bytes
    const n = this.#received
    if (before < 1 && n >= 1 && b[0] !== 0xff) {
      throw remoteError(
        ZmtpErrorCode.INVALID_SIGNATURE,
        `peer is not a ZMTP 3.x peer: first octet 0x${toHex(b.subarray(0, 1))} is not 0xff (ZMTP 1.0 or not ZeroMQ at all)`,
      )
    }
    if (before < 10 && n >= 10) {
      if ((b[9]! & 0x01) === 0) {
        throw remoteError(
          ZmtpErrorCode.UNSUPPORTED_VERSION,
          "peer speaks ZMTP 1.0 (unversioned greeting), which is not supported; ZMTP 3.0 or later is required",
        )
      }
      if (b[9] !== 0x7f) {
        throw remoteError(
          ZmtpErrorCode.INVALID_SIGNATURE,
          `invalid greeting signature ${toHex(b.subarray(0, 10))}: the tenth octet must be 0x7f`,
        )
      }
    }
    if (before < 11 && n >= 11 && b[10]! < ZMTP_MAJOR) {
      const version = b[10] === 1 ? "2.0" : b[10] === 0 ? "1.0" : `revision ${b[10]}`
      throw remoteError(
        ZmtpErrorCode.UNSUPPORTED_VERSION,
        `peer speaks ZMTP ${version}, which is not supported; ZMTP 3.0 or later is required`,
      )
    }
    if (n === GREETING_SIZE && this.#greeting === undefined) {
      let end = 12
      while (end < 12 + MECHANISM_NAME_SIZE && b[end] !== 0) end++
      const mechanism = asciiDecode(b, 12, end)
      for (let i = end; i < 12 + MECHANISM_NAME_SIZE; i++) {
        if (b[i] !== 0) {
          throw remoteError(ZmtpErrorCode.MECHANISM_MISMATCH, `malformed mechanism name ${toHex(b.subarray(12, 32))} in greeting`)
        }
      }
      if (b[32] !== 0 && b[32] !== 1) {
        throw remoteError(ZmtpErrorCode.MECHANISM_MISMATCH, `invalid as-server octet 0x${toHex(b.subarray(32, 33))} in greeting`)
      }
      // RFC 23: a peer with a higher major version speaks ours; treat anything above 3.0 as 3.1.
      const major = b[10]!
      const minor = major > ZMTP_MAJOR ? ZMTP_MINOR : b[11]!
      this.#greeting = { major, minor, mechanism, asServer: b[32] === 1 }
    }
  }
}
