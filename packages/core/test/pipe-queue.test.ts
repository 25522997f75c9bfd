/**
 * The pipe's queue stores one-frame messages from the wire as (chunk, offset, length) and makes their
 * Buffer when read. Whatever mix of pushes, shared messages, frames, shifts (as arrays, or for the wire as a frame alone)
 * and conflate drops, it must hand out exactly the model FIFO's messages, byte for byte, in order.
 */
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { PipeQueue } from "../src/pipes/pipe-queue.js"
import { SharedMessage } from "../src/pipes/shared-message.js"

type Op =
  | { kind: "push"; parts: number[][] }
  | { kind: "shared"; parts: number[][] }
  | { kind: "frame"; bytes: number[] }
  | { kind: "shift"; forWire: boolean }
  | { kind: "drop" }

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant("push" as const), parts: fc.array(fc.array(fc.nat(255), { maxLength: 8 }), { minLength: 1, maxLength: 3 }) }),
  fc.record({ kind: fc.constant("shared" as const), parts: fc.array(fc.array(fc.nat(255), { maxLength: 8 }), { minLength: 1, maxLength: 3 }) }),
  fc.record({ kind: fc.constant("frame" as const), bytes: fc.array(fc.nat(255), { maxLength: 40 }) }),
  fc.record({ kind: fc.constant("shift" as const), forWire: fc.boolean() }),
  fc.constant({ kind: "drop" as const }),
)

describe("PipeQueue", () => {
  it("behaves as a FIFO of messages for any mix of operations, kept or compact (views of one chunk)", () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300 }), fc.nat(20), (ops, compactAfter) => {
        const queue = new PipeQueue(2, compactAfter)
        const model: number[][][] = []
        // Frames are views into one chunk, as the decoder delivers them.
        const chunk = new Uint8Array(64 * 1024)
        let used = 0
        for (const step of ops) {
          if (step.kind === "push") {
            queue.push(step.parts.map((part) => Buffer.from(part)))
            model.push(step.parts)
          } else if (step.kind === "shared") {
            queue.pushShared(new SharedMessage(step.parts.map((part) => Buffer.from(part))))
            model.push(step.parts)
          } else if (step.kind === "frame") {
            chunk.set(step.bytes, used)
            // As the decoder makes them: Buffer views of the chunk (kept until the queue is long).
            queue.pushFrame(Buffer.from(chunk.buffer, used, step.bytes.length))
            used += step.bytes.length
            model.push([step.bytes])
          } else if (step.kind === "shift") {
            const item = step.forWire ? queue.shiftForWire() : queue.shift()
            // For the wire, a shared message comes as itself; an application read gets its frames.
            if (!step.forWire) expect(item instanceof SharedMessage).toBe(false)
            const got = item === undefined || Array.isArray(item) ? item : item instanceof SharedMessage ? item.frames : [item]
            const want = model.shift()
            if (want === undefined) expect(got).toBeUndefined()
            else {
              expect(got!.every((part) => Buffer.isBuffer(part))).toBe(true)
              expect(got!.map((part) => [...part])).toEqual(want)
            }
          } else {
            queue.dropFirst()
            model.shift()
          }
          expect(queue.length).toBe(model.length)
        }
      }),
      { numRuns: 300 },
    )
  })

  it("clear() empties it", () => {
    const queue = new PipeQueue()
    for (let i = 0; i < 100; i++) queue.pushFrame(Buffer.alloc(4))
    queue.clear()
    expect(queue.length).toBe(0)
    expect(queue.shift()).toBeUndefined()
  })
})
