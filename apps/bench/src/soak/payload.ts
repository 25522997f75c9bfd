/**
 * The soak's messages: a 4-byte little-endian sequence number, then a filler whose bytes follow from it,
 * in a mix of sizes (mostly small, now and then 16 KiB) so buffers of several size classes come and go.
 * `check` reads the number back and looks at the length and the last byte, enough to catch a message that
 * is truncated, stale or someone else's without costing a full compare per byte.
 */
const SIZES = [16, 64, 200, 1500, 64, 16, 4096, 64] as const
const LARGE = 16_384
const LARGE_EVERY = 97

export function sizeFor(sequence: number): number {
  return sequence % LARGE_EVERY === 0 ? LARGE : SIZES[sequence % SIZES.length]!
}

export function makePayload(sequence: number): Buffer {
  const size = sizeFor(sequence)
  const buffer = Buffer.allocUnsafe(size)
  buffer.writeUInt32LE(sequence >>> 0, 0)
  buffer.fill(sequence & 0xff, 4)
  return buffer
}

/** The sequence number of a well-formed payload, or undefined when it is not one. */
export function check(payload: Uint8Array | undefined): number | undefined {
  if (payload === undefined || payload.length < 4) return undefined
  const sequence = Buffer.from(payload.buffer, payload.byteOffset, payload.length).readUInt32LE(0)
  if (payload.length !== sizeFor(sequence)) return undefined
  if (payload.length > 4 && payload[payload.length - 1] !== (sequence & 0xff)) return undefined
  return sequence
}
