/**
 * RFC 6455 §5.3 masking by words (ws-mask.ts) against the byte-at-a-time reference: the same bytes for any
 * offsets, lengths, keys and phases, in place or copying, aligned or not, and across buffers in any order
 * (the word views are cached per buffer).
 */
import fc from "fast-check"
import { describe, expect, it, vi } from "vitest"
import { maskWsInPlace, maskWsPayload, maskWsPayloadBytes } from "../src/ws-mask.js"

const key = fc.uint8Array({ minLength: 4, maxLength: 4 })
// size "max": lengths spread over the whole range (the default favours a few bytes, below the word path).
const payload = fc.uint8Array({ maxLength: 300, size: "max" })

/** `bytes` placed at `at` inside a fresh buffer with room around it. */
function placed(bytes: Uint8Array, at: number, room = 8): Uint8Array {
  const buffer = new ArrayBuffer(at + bytes.length + room)
  const view = new Uint8Array(buffer, at, bytes.length)
  view.set(bytes)
  return view
}

describe("maskWsPayload (word path) equals the byte loop", () => {
  it("copying, for any source and target offsets, lengths, keys and phases", () => {
    fc.assert(
      fc.property(payload, fc.nat(7), fc.nat(7), fc.nat(11), key, fc.nat(1000), (bytes, sourceAt, targetAt, offset, maskKey, phase) => {
        const source = placed(bytes, sourceAt)
        const expected = new Uint8Array(offset + bytes.length + 3).fill(0xa5)
        const actual = placed(new Uint8Array(offset + bytes.length + 3).fill(0xa5), targetAt)
        maskWsPayloadBytes(source, expected, offset, maskKey, phase)
        maskWsPayload(source, actual, offset, maskKey, phase)
        expect(actual).toEqual(expected)
        // The source is left alone, and the bytes around the target region too.
        expect(source).toEqual(bytes)
      }),
      { numRuns: 2000 },
    )
  })

  it("in place (unmasking a received frame), at any offset", () => {
    fc.assert(
      fc.property(payload, fc.nat(7), key, fc.nat(1000), (bytes, at, maskKey, phase) => {
        const expected = new Uint8Array(bytes.length)
        maskWsPayloadBytes(bytes, expected, 0, maskKey, phase)
        const view = placed(bytes, at)
        maskWsPayload(view, view, 0, maskKey, phase)
        expect(view).toEqual(expected)
      }),
      { numRuns: 2000 },
    )
  })

  it("maskWsInPlace, for any region of a chunk that holds several frames", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 600, size: "max" }), fc.array(fc.tuple(fc.nat(600), fc.nat(300), key, fc.nat(7)), { maxLength: 6 }), (seed, regions) => {
        const chunk = placed(seed, seed.length % 4)
        const expected = seed.slice()
        for (const [startAt, lengthAt, maskKey, phase] of regions) {
          const start = startAt % chunk.length
          const length = Math.min(lengthAt, chunk.length - start)
          maskWsPayloadBytes(expected.subarray(start, start + length), expected, start, maskKey, phase)
          maskWsInPlace(chunk, start, length, maskKey, phase)
        }
        expect(chunk).toEqual(expected)
      }),
      { numRuns: 1000 },
    )
  })

  it("masking twice gives the payload back, piece by piece as well as whole", () => {
    fc.assert(
      fc.property(payload, fc.nat(300), key, (bytes, cutAt, maskKey) => {
        const cut = Math.min(cutAt, bytes.length)
        const masked = new Uint8Array(bytes.length)
        // In two pieces: the second piece's phase is the first piece's length.
        maskWsPayload(bytes.subarray(0, cut), masked, 0, maskKey, 0)
        maskWsPayload(bytes.subarray(cut), masked, cut, maskKey, cut)
        const whole = new Uint8Array(bytes.length)
        maskWsPayloadBytes(bytes, whole, 0, maskKey, 0)
        expect(masked).toEqual(whole)
        maskWsPayload(masked, masked, 0, maskKey, 0)
        expect(masked).toEqual(bytes)
      }),
    )
  })

  it("stays right when calls alternate between buffers (the cached word views)", () => {
    const op = fc.record({ buffer: fc.nat(2), at: fc.nat(40), length: fc.nat(60), to: fc.nat(2), toAt: fc.nat(40), maskKey: key, phase: fc.nat(3) })
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 12 }), fc.uint8Array({ minLength: 104, maxLength: 104 }), (ops, seed) => {
        const actual = [0, 1, 2].map(() => new Uint8Array(seed))
        const expected = [0, 1, 2].map(() => new Uint8Array(seed))
        for (const { buffer, at, length, to, toAt, maskKey, phase } of ops) {
          // Snapshot the source first: a region may overlap its target in the same buffer.
          const bytes = expected[buffer]!.slice(at, at + length)
          maskWsPayloadBytes(bytes, expected[to]!, toAt, maskKey, phase)
          maskWsPayload(actual[buffer]!.slice(at, at + length), actual[to]!, toAt, maskKey, phase)
          // Then in place with another key and phase (the same one would undo the first).
          const other = maskKey.slice().reverse().map((byte) => byte ^ 0x5a)
          maskWsPayload(actual[to]!.subarray(toAt, toAt + length), actual[to]!, toAt, other, phase + 1)
          maskWsPayloadBytes(expected[to]!.subarray(toAt, toAt + length), expected[to]!, toAt, other, phase + 1)
          expect(actual).toEqual(expected)
        }
      }),
    )
  })

  it("falls back to bytes when a resizable buffer shrank under a cached view", () => {
    // ES2024's resizable ArrayBuffer (Node 20 has it; the compile target's lib does not name it).
    type Resizable = ArrayBuffer & { resize(length: number): void }
    const Resizable = ArrayBuffer as unknown as new (length: number, options: { maxByteLength: number }) => Resizable
    const buffer = new Resizable(256, { maxByteLength: 256 })
    const bytes = new Uint8Array(buffer)
    bytes.fill(0x11)
    const maskKey = Uint8Array.of(1, 2, 3, 4)
    maskWsPayload(bytes.subarray(0, 200), bytes, 0, maskKey, 0)
    buffer.resize(64)
    const view = new Uint8Array(buffer, 0, 64)
    const expected = view.slice()
    maskWsPayloadBytes(expected, expected, 0, maskKey, 0)
    maskWsPayload(view, view, 0, maskKey, 0)
    expect(view).toEqual(expected)
  })
})

// From 1 KiB on, masking goes through a WebAssembly SIMD kernel, 64 KiB at a time (ws-mask-kernel.ts).
// Bytes from a seed: fast-check would draw each of 140,000 bytes on its own, which takes seconds.
const longPayload = fc.tuple(fc.integer({ min: 1000, max: 140_000 }), fc.integer()).map(([length, seed]) => {
  const bytes = new Uint8Array(length)
  let x = seed | 1
  for (let i = 0; i < length; i++) {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    bytes[i] = x
  }
  return bytes
})

describe("long payloads (the WebAssembly kernel) equal the byte loop", () => {
  it("in place, at any offset and phase, across the kernel's 64 KiB blocks", () => {
    fc.assert(
      fc.property(longPayload, fc.nat(15), key, fc.nat(1000), (bytes, at, maskKey, phase) => {
        const expected = new Uint8Array(bytes.length)
        maskWsPayloadBytes(bytes, expected, 0, maskKey, phase)
        const view = placed(bytes, at)
        const around = new Uint8Array(view.buffer)
        maskWsInPlace(view, 0, view.length, maskKey, phase)
        expect(view).toEqual(expected)
        // Nothing outside the region is touched.
        expect(around.subarray(0, at).every((byte) => byte === 0)).toBe(true)
        expect(around.subarray(at + bytes.length).every((byte) => byte === 0)).toBe(true)
      }),
      { numRuns: 60 },
    )
  })

  it("copying into a slab, and masking twice gives the payload back", () => {
    fc.assert(
      fc.property(longPayload, fc.nat(11), key, fc.nat(3), (bytes, offset, maskKey, phase) => {
        const expected = new Uint8Array(offset + bytes.length)
        maskWsPayloadBytes(bytes, expected, offset, maskKey, phase)
        const slab = new Uint8Array(offset + bytes.length)
        maskWsPayload(bytes, slab, offset, maskKey, phase)
        expect(slab).toEqual(expected)
        maskWsInPlace(slab, offset, bytes.length, maskKey, phase)
        expect(slab.subarray(offset)).toEqual(bytes)
      }),
      { numRuns: 30 },
    )
  })

  it("gives the same bytes where the platform cannot compile WebAssembly (the JavaScript loop)", async () => {
    vi.resetModules()
    vi.stubGlobal("WebAssembly", undefined)
    try {
      const fresh = await import("../src/ws-mask.js")
      fc.assert(
        fc.property(longPayload, fc.nat(7), key, fc.nat(1000), (bytes, at, maskKey, phase) => {
          const expected = new Uint8Array(bytes.length)
          maskWsPayloadBytes(bytes, expected, 0, maskKey, phase)
          const view = placed(bytes, at)
          fresh.maskWsInPlace(view, 0, view.length, maskKey, phase)
          expect(view).toEqual(expected)
        }),
        { numRuns: 8 },
      )
    } finally {
      vi.unstubAllGlobals()
      vi.resetModules()
    }
  })
})
