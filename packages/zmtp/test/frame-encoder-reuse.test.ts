/**
 * FrameEncoder.reuse() (ZmtpConnection.dataWritten()): once the host says every byte taken so far has been
 * written, the encoder may write new frames over that memory. What a host relies on: the bytes it takes
 * are always the frames, in order, whatever mix of writes, takes and reuses; and a view taken since the last
 * reuse() never changes, however much is written after it.
 */
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { FrameDecoder, FrameEncoder, FLAG_MORE } from "../src/index.js"

type Op = { kind: "frame"; size: number; more: boolean; fill: number } | { kind: "take" } | { kind: "takeSegments" } | { kind: "reuse" }

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant("frame" as const), size: fc.oneof(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 1000, max: 20_000 })), more: fc.boolean(), fill: fc.integer({ min: 0, max: 255 }) }) },
  { weight: 2, arbitrary: fc.constant({ kind: "take" as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: "takeSegments" as const }) },
  { weight: 2, arbitrary: fc.constant({ kind: "reuse" as const }) },
)

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

describe("FrameEncoder.reuse()", () => {
  it("taken bytes decode to the frames written, in order, and views taken since the last reuse() never change", () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        const encoder = new FrameEncoder()
        const written: Array<{ flags: number; body: Uint8Array }> = []
        const taken: Uint8Array[] = []
        let held: Array<{ view: Uint8Array; copy: Uint8Array }> = []
        const takeAll = (segments: Uint8Array[]): void => {
          for (const view of segments) {
            taken.push(new Uint8Array(view))
            held.push({ view, copy: new Uint8Array(view) })
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
            // The host wrote everything it took: those views are its no longer.
            encoder.reuse()
            held = []
          }
          for (const { view, copy } of held) if (!sameBytes(view, copy)) expect.fail("a view taken since the last reuse() changed")
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
      { numRuns: 150 },
    )
  })

  it("after reuse() with nothing pending, the next frames are written at the start of the same memory", () => {
    const encoder = new FrameEncoder()
    encoder.writeFrame(0, new Uint8Array(100))
    const first = encoder.take()
    encoder.reuse()
    encoder.writeFrame(0, new Uint8Array(100).fill(7))
    const second = encoder.take()
    expect(second.buffer).toBe(first.buffer)
    expect(second.byteOffset).toBe(first.byteOffset)
  })

  it("reuse() with bytes still pending changes nothing", () => {
    const encoder = new FrameEncoder()
    encoder.writeFrame(0, new Uint8Array(10).fill(1))
    const first = encoder.take()
    encoder.writeFrame(0, new Uint8Array(10).fill(2))
    encoder.reuse()
    const second = encoder.take()
    expect(first).toEqual(new Uint8Array([0, 10, ...new Array(10).fill(1)]))
    expect(second).toEqual(new Uint8Array([0, 10, ...new Array(10).fill(2)]))
  })
})
