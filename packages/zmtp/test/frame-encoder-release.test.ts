/**
 * FrameEncoder.release() (ZmtpConnection.dataWritten()): once the host says the batches it took up to some
 * number have been written, the encoder may write new frames over their memory. What a host relies on: the
 * bytes it takes are always the frames, in order, whatever mix of writes, takes and releases; and a view of
 * a batch it has not released never changes, however much is written after it.
 */
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { FrameDecoder, FrameEncoder, FLAG_MORE } from "../src/index.js"

type Op =
  | { kind: "frame"; size: number; more: boolean; fill: number }
  | { kind: "take" }
  | { kind: "takeSegments" }
  // Releases the oldest `count` unreleased batches (a host's write callbacks, in order), or all of them.
  | { kind: "release"; count: number | undefined }

const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant("frame" as const),
      // Copied bodies up to 16 KiB fill slabs fast, which are retired and come back as spares; larger ones are
      // referenced.
      size: fc.oneof(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 8_000, max: 16_383 }), fc.integer({ min: 16_384, max: 70_000 })),
      more: fc.boolean(),
      fill: fc.integer({ min: 0, max: 255 }),
    }),
  },
  { weight: 2, arbitrary: fc.constant({ kind: "take" as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: "takeSegments" as const }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("release" as const), count: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }) }) },
)

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

describe("FrameEncoder.release()", () => {
  it("taken bytes decode to the frames written, in order, and views of unreleased batches never change", () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 200 }), (ops) => {
        const encoder = new FrameEncoder()
        const written: Array<{ flags: number; body: Uint8Array }> = []
        const taken: Uint8Array[] = []
        let held: Array<{ view: Uint8Array; copy: Uint8Array; batch: number }> = []
        let batches = 0
        let released = 0
        const takeAll = (segments: Uint8Array[]): void => {
          if (segments.every((view) => view.length === 0)) return
          batches++
          for (const view of segments) {
            taken.push(new Uint8Array(view))
            held.push({ view, copy: new Uint8Array(view), batch: batches })
          }
        }
        for (const step of ops) {
          if (step.kind === "frame") {
            const body = new Uint8Array(step.size).fill(step.fill)
            written.push({ flags: step.more ? FLAG_MORE : 0, body })
            encoder.writeFrame(step.more ? FLAG_MORE : 0, body)
          } else if (step.kind === "take") takeAll([encoder.take()])
          else if (step.kind === "takeSegments") takeAll(encoder.takeSegments())
          else {
            // The host wrote those batches: their views are its no longer.
            released = step.count === undefined ? batches : Math.min(batches, released + step.count)
            encoder.release(step.count === undefined ? undefined : released)
            held = held.filter(({ batch }) => batch > released)
          }
          for (const { view, copy } of held) if (!sameBytes(view, copy)) expect.fail("a view of an unreleased batch changed")
        }
        takeAll(encoder.takeSegments())
        const frames: Array<{ flags: number; body: Uint8Array }> = []
        const decoder = new FrameDecoder({ maxMessageSize: -1, maxCommandSize: 1024 })
        for (const bytes of taken) decoder.feed(bytes, { onFrame: (flags, body) => frames.push({ flags: flags & FLAG_MORE, body: new Uint8Array(body) }) })
        expect(frames.length).toBe(written.length)
        frames.forEach((frame, i) => {
          expect(frame.flags).toBe(written[i]!.flags)
          expect(sameBytes(frame.body, written[i]!.body)).toBe(true)
        })
      }),
      { numRuns: 300 },
    )
  })

  it("after release() with nothing pending, the next frames are written at the start of the same memory", () => {
    const encoder = new FrameEncoder()
    encoder.writeFrame(0, new Uint8Array(100))
    const first = encoder.take()
    encoder.release()
    encoder.writeFrame(0, new Uint8Array(100).fill(7))
    const second = encoder.take()
    expect(second.buffer).toBe(first.buffer)
    expect(second.byteOffset).toBe(first.byteOffset)
  })

  it("release() with bytes still pending changes nothing", () => {
    const encoder = new FrameEncoder()
    encoder.writeFrame(0, new Uint8Array(10).fill(1))
    const first = encoder.take()
    encoder.writeFrame(0, new Uint8Array(10).fill(2))
    encoder.release()
    const second = encoder.take()
    expect(first).toEqual(new Uint8Array([0, 10, ...new Array(10).fill(1)]))
    expect(second).toEqual(new Uint8Array([0, 10, ...new Array(10).fill(2)]))
  })

  it("a full slab whose batches were released is written again when the next one fills, while the host keeps writing", () => {
    // A host under load: its stream always holds some bytes, so it releases batch by batch, never all.
    const encoder = new FrameEncoder()
    const body = new Uint8Array(10_000)
    const buffers = new Set<ArrayBufferLike>()
    for (let batch = 1; batch <= 400; batch++) {
      encoder.writeFrame(0, body)
      buffers.add(encoder.take().buffer)
      if (batch > 2) encoder.release(batch - 2)
    }
    // 4 MB through 256 KiB slabs: without reuse that is 16 or more of them.
    expect(buffers.size).toBeLessThanOrEqual(4)
  })

  it("a full slab is not written again while a batch that refers to it is unreleased", () => {
    const encoder = new FrameEncoder()
    let batches = 0
    const take = (): Uint8Array[] => {
      const segments = encoder.takeSegments()
      if (segments.length > 0) batches++
      return segments
    }
    let fill = 0
    const frames = (count: number): void => {
      for (let i = 0; i < count; i++) encoder.writeFrame(0, new Uint8Array(10_000).fill(++fill))
    }
    frames(2)
    take()
    encoder.release()
    for (let round = 0; round < 4; round++) {
      // 300 KB without a take: a slab fills, and this take hands out its last bytes with the next slab's first.
      frames(30)
      const held = take()
      const copies = held.map((view) => new Uint8Array(view))
      // Every batch before it is written, this one is not; then enough is written to fill the next slab.
      encoder.release(batches - 1)
      frames(30)
      take()
      held.forEach((view, i) => expect(sameBytes(view, copies[i]!)).toBe(true))
      encoder.release()
    }
  })

  it("without releases, a full slab is never written again", () => {
    const encoder = new FrameEncoder()
    const views: Array<{ view: Uint8Array; fill: number }> = []
    for (let i = 0; i < 200; i++) {
      encoder.writeFrame(0, new Uint8Array(10_000).fill(i))
      views.push({ view: encoder.take(), fill: i })
    }
    for (const { view, fill } of views) expect(view.subarray(9).every((byte) => byte === fill)).toBe(true)
  })
})
