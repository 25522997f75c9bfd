/**
 * WsFrameDecoder's fast path (a short FIN binary frame whole in the chunk, decision 0017) decides exactly as
 * the general path: the same stream fed whole or cut anywhere (fast path wherever a frame lies whole in a
 * piece) and one byte at a time (never the fast path: every header is split) gives the same frames and the
 * same refusal, for any mix of good and bad frames, either role and any maxMessageSize.
 */
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { encodeWsFrame, WsFrameDecoder, WsOpcode, ZmtpError, ZmtpErrorCode } from "../src/index.js"
import type { WsFrameSink, WsRole } from "../src/index.js"

type Outcome = { events: string[]; error: string | undefined }

/** Feeds `stream` cut at `cuts` (offsets), or one byte at a time when `cuts` is "bytes". */
function decode(role: WsRole, maxMessageSize: number, stream: Uint8Array, cuts: readonly number[] | "bytes"): Outcome {
  const events: string[] = []
  const sink: WsFrameSink = {
    onMessage: (bytes, start, length) => events.push(`message ${Buffer.from(bytes.subarray(start, start + length)).toString("hex")}`),
    onPing: (payload) => events.push(`ping ${Buffer.from(payload).toString("hex")}`),
    onPong: (payload) => events.push(`pong ${Buffer.from(payload).toString("hex")}`),
    onClose: (code) => events.push(`close ${code}`),
  }
  const decoder = new WsFrameDecoder({ role, maxMessageSize })
  const bytes = new Uint8Array(stream) // a copy: the decoder unmasks in place (Buffer#slice would share)
  try {
    if (cuts === "bytes") {
      for (let i = 0; i < bytes.length; i++) decoder.feed(bytes.subarray(i, i + 1), sink)
    } else {
      const points = [...new Set(cuts.map((cut) => cut % (bytes.length + 1))), bytes.length].sort((a, b) => a - b)
      let from = 0
      for (const point of points) {
        if (point > from) decoder.feed(bytes.subarray(from, point), sink)
        from = Math.max(from, point)
      }
    }
  } catch (error) {
    if (!(error instanceof ZmtpError)) throw error
    return { events, error: error.code }
  }
  return { events, error: undefined }
}

const key = fc.uint8Array({ minLength: 4, maxLength: 4 })
/** One frame: mostly well-formed binary ones around the fast path's bounds, and some that must be refused. */
const frame = (role: WsRole) =>
  fc.oneof(
    { weight: 6, arbitrary: fc.tuple(fc.uint8Array({ minLength: 1, maxLength: 130, size: "max" }), key).map(([payload, mask]) => encodeWsFrame(WsOpcode.BINARY, [payload], role === "server" ? mask : undefined)) },
    { weight: 1, arbitrary: fc.tuple(fc.uint8Array({ maxLength: 20 }), key).map(([payload, mask]) => encodeWsFrame(WsOpcode.PING, [payload], role === "server" ? mask : undefined)) },
    // The wrong masking for the role, text, RSV bits, no FIN, an empty binary message.
    { weight: 1, arbitrary: fc.tuple(fc.uint8Array({ minLength: 1, maxLength: 20 }), key).map(([payload, mask]) => encodeWsFrame(WsOpcode.BINARY, [payload], role === "server" ? undefined : mask)) },
    { weight: 1, arbitrary: fc.constantFrom(Uint8Array.of(0x81, 0x01, 0x41), Uint8Array.of(0xc2, 0x01, 0x00), Uint8Array.of(0x02, 0x01, 0x00), Uint8Array.of(0x82, 0x00)) },
  )

describe("WsFrameDecoder's fast path", () => {
  it("decides as the general path for any stream, role and maxMessageSize", () => {
    fc.assert(
      fc.property(
        fc.constantFrom<WsRole>("client", "server").chain((role) => fc.tuple(fc.constant(role), fc.array(frame(role), { maxLength: 8 }))),
        fc.oneof(fc.constant(-1), fc.nat(140)),
        fc.array(fc.nat(1200), { maxLength: 6 }),
        ([role, frames], maxMessageSize, cuts) => {
          const stream = Buffer.concat(frames)
          const general = decode(role, maxMessageSize, stream, "bytes")
          expect(decode(role, maxMessageSize, stream, [])).toEqual(general)
          expect(decode(role, maxMessageSize, stream, cuts)).toEqual(general)
        },
      ),
      { numRuns: 1500 },
    )
  })

  it("refuses a short binary frame over maxMessageSize from its header, whole in one chunk", () => {
    // A 5-byte payload (flags + 4 body bytes) against maxMessageSize 3, unmasked (we are the client).
    const outcome = decode("client", 3, Uint8Array.of(0x82, 0x05, 0, 1, 2, 3, 4), [])
    expect(outcome).toEqual({ events: [], error: ZmtpErrorCode.MESSAGE_TOO_LARGE })
    expect(decode("client", 4, Uint8Array.of(0x82, 0x05, 0, 1, 2, 3, 4), [])).toEqual({ events: ["message 0001020304"], error: undefined })
  })
})
