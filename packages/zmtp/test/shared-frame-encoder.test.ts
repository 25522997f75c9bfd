/**
 * SharedFrameEncoder + ZmtpConnection.sendEncoded (a PUB's fan-out): a message framed once and queued by
 * reference on many connections must put on each wire exactly the bytes `send()` would, in order with
 * whatever else the connection writes (commands, unshared messages), and a burst of shared messages must
 * leave as few segments as the slabs allow.
 */
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { FrameEncoder, nullMechanism, SharedFrameEncoder, ZmtpConnection, ZmtpError } from "../src/index.js"
import { plainClient, plainServer } from "../src/index.js"

function readyPair(client = nullMechanism(), server = nullMechanism()): [ZmtpConnection, ZmtpConnection] {
  const a = new ZmtpConnection({ socketType: "PUB", mechanism: client })
  const b = new ZmtpConnection({ socketType: "SUB", mechanism: server })
  for (let i = 0; i < 10; i++) {
    const toB = a.dataToSend()
    const toA = b.dataToSend()
    if (toB.length > 0) b.receiveData(toB)
    if (toA.length > 0) a.receiveData(toA)
  }
  expect(a.state).toBe("ready")
  return [a, b]
}

const concat = (parts: readonly Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0))
  let at = 0
  for (const part of parts) {
    out.set(part, at)
    at += part.length
  }
  return out
}

const frame = fc.oneof(fc.uint8Array({ maxLength: 300 }), fc.uint8Array({ minLength: 2000, maxLength: 3000 }), fc.uint8Array({ minLength: 16_384, maxLength: 17_000 }))
type Step = { kind: "shared" | "plain"; frames: Uint8Array[] } | { kind: "ping" } | { kind: "take" }
const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant("shared" as const), frames: fc.array(frame, { minLength: 1, maxLength: 3 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("plain" as const), frames: fc.array(frame, { minLength: 1, maxLength: 3 }) }) },
  { weight: 1, arbitrary: fc.constant({ kind: "ping" as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: "take" as const }) },
)

describe("framing a message once for many connections", () => {
  it("property: sendEncoded puts on the wire exactly what send() would, in order, on every connection", () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 40 }), (steps) => {
        const shared = new SharedFrameEncoder()
        const [viaShared] = readyPair()
        const [viaSend] = readyPair()
        const [another] = readyPair()
        const taken: Uint8Array[] = []
        const expected: Uint8Array[] = []
        const other: Uint8Array[] = []
        for (const s of steps) {
          if (s.kind === "ping") {
            viaShared.ping(1000)
            viaSend.ping(1000)
          } else if (s.kind === "take") {
            taken.push(...viaShared.dataToSendSegments())
          } else if (s.kind === "plain") {
            viaShared.send(s.frames)
            viaSend.send(s.frames)
          } else {
            const wire = shared.encode(s.frames)
            if (wire === undefined) viaShared.send(s.frames)
            else {
              viaShared.sendEncoded(wire)
              another.sendEncoded(wire)
            }
            viaSend.send(s.frames)
            if (wire === undefined) another.send(s.frames)
          }
          // The other connection takes its bytes at other moments: shared bytes must stay as they were.
          if (s.kind === "take") other.push(another.dataToSend())
        }
        taken.push(...viaShared.dataToSendSegments())
        other.push(another.dataToSend())
        expected.push(viaSend.dataToSend())
        expect(Buffer.from(concat(taken)).equals(Buffer.from(concat(expected)))).toBe(true)
        const sharedOnly = steps.flatMap((s) => (s.kind === "shared" ? [s.frames] : []))
        const [reference] = readyPair()
        for (const frames of sharedOnly) reference.send(frames)
        expect(Buffer.from(concat(other)).equals(Buffer.from(reference.dataToSend()))).toBe(true)
      }),
      { numRuns: 150 },
    )
  })

  it("a burst of small shared messages leaves as one segment per slab, not one per message", () => {
    const shared = new SharedFrameEncoder()
    const [connection] = readyPair()
    const body = new Uint8Array(64).fill(7)
    connection.dataToSendSegments()
    for (let i = 0; i < 1000; i++) connection.sendEncoded(shared.encode([body])!)
    const segments = connection.dataToSendSegments()
    const bytes = segments.reduce((sum, segment) => sum + segment.length, 0)
    expect(bytes).toBe(1000 * 66)
    // 8 KiB slabs: 66 000 bytes span 9 of them.
    expect(segments.length).toBeLessThanOrEqual(10)
  })

  it("leaves frames of 16 KiB or more to each connection, which references their bodies", () => {
    expect(new SharedFrameEncoder().encode([new Uint8Array(16 * 1024)])).toBeUndefined()
    expect(new SharedFrameEncoder().encode([new Uint8Array(10), new Uint8Array(16 * 1024 - 1)])).toBeDefined()
  })

  it("refuses sendEncoded where frames are transformed or the handshake is not done", () => {
    const early = new ZmtpConnection({ socketType: "PUB", mechanism: nullMechanism() })
    expect(() => early.sendEncoded(new Uint8Array([0, 0]))).toThrow(ZmtpError)
    const [plain] = readyPair(plainClient({ username: "u", password: "p" }), plainServer({ authenticate: () => ({ allow: true }) }))
    expect(plain.sendsFramesAsEncoded).toBe(true)
  })

  it("FrameEncoder joins shared bytes only when they follow the previous ones in the same array", () => {
    const encoder = new FrameEncoder()
    const array = new Uint8Array(100)
    encoder.writeEncoded(array.subarray(0, 10))
    encoder.writeEncoded(array.subarray(10, 30))
    encoder.writeEncoded(array.subarray(40, 50)) // a gap: a new segment
    encoder.writeFrame(0, new Uint8Array([1, 2, 3]))
    encoder.writeEncoded(array.subarray(50, 60))
    const segments = encoder.takeSegments()
    expect(segments.map((segment) => segment.length)).toEqual([30, 10, 5, 10])
    expect(encoder.pendingBytes).toBe(0)
  })
})
