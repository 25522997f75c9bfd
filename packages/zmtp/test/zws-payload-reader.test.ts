/**
 * ZWS payloads (flags byte + body) to ZMTP frames, as ZwsFrameDecoder reads them from (chunk, start, length)
 * with the flags and size checks skipped for a last data frame within maxMessageSize (decision 0017, round 2):
 * for any payloads, limits and chunking, it yields the frames and the refusal a plain reading of RFC 45 and
 * the limits gives, and the message-mode decoder (one payload per input) yields the same.
 */
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { FLAG_COMMAND, FLAG_MORE } from "../src/frame.js"
import type { FrameSink } from "../src/frame-decoder.js"
import { encodeWsFrame, WsOpcode, ZmtpError, ZmtpErrorCode } from "../src/index.js"
import { ZwsFrameDecoder, ZwsMessageDecoder } from "../src/zws-framing.js"

type Outcome = { frames: string[]; error: string | undefined }

const control = { onPing() {}, onPong() {}, onClose() {} }

/**
 * What RFC 45 and the limits make of `payloads`, written out independently of the decoder. `framed`: the
 * WebSocket header is read first, so an empty payload or one over both limits is refused before its flags.
 */
function expected(payloads: readonly Uint8Array[], maxMessageSize: number, maxCommandSize: number, framed: boolean): Outcome {
  const frames: string[] = []
  for (const payload of payloads) {
    if (payload.length === 0) return { frames, error: framed ? ZmtpErrorCode.WS_MALFORMED_FRAME : ZmtpErrorCode.MALFORMED_FRAME }
    const flags = payload[0]!
    const size = payload.length - 1
    const command = (flags & 0x02) !== 0
    if (framed && maxMessageSize >= 0 && size > Math.max(maxMessageSize, maxCommandSize)) return { frames, error: ZmtpErrorCode.MESSAGE_TOO_LARGE }
    if ((flags & 0xfc) !== 0) return { frames, error: ZmtpErrorCode.MALFORMED_FRAME }
    if (command && (flags & 0x01) !== 0) return { frames, error: ZmtpErrorCode.MALFORMED_FRAME }
    if (command ? size > maxCommandSize : maxMessageSize >= 0 && size > maxMessageSize) return { frames, error: ZmtpErrorCode.MESSAGE_TOO_LARGE }
    frames.push(`${command ? FLAG_COMMAND : flags & FLAG_MORE} ${Buffer.from(payload.subarray(1)).toString("hex")}`)
  }
  return { frames, error: undefined }
}

function collect(run: (sink: FrameSink) => void, frames: string[]): string | undefined {
  const sink: FrameSink = { onFrame: (flags, body) => frames.push(`${flags} ${Buffer.from(body).toString("hex")}`) }
  try {
    run(sink)
  } catch (error) {
    if (!(error instanceof ZmtpError)) throw error
    return error.code
  }
  return undefined
}

/** The payloads masked as a client sends them, fed to a server-side decoder cut at `cuts` (or byte by byte). */
function framed(payloads: readonly Uint8Array[], maxMessageSize: number, maxCommandSize: number, cuts: readonly number[] | "bytes", key: Uint8Array): Outcome {
  const stream = Buffer.concat(payloads.map((payload) => encodeWsFrame(WsOpcode.BINARY, [payload], key)))
  const decoder = new ZwsFrameDecoder("server", maxMessageSize, maxCommandSize, (buffer, offset, length) => Buffer.from(buffer, offset, length), control)
  const frames: string[] = []
  const error = collect((sink) => {
    if (cuts === "bytes") {
      for (let i = 0; i < stream.length; i++) decoder.feed(stream.subarray(i, i + 1), sink)
      return
    }
    const points = [...new Set(cuts.map((cut) => cut % (stream.length + 1))), stream.length].sort((a, b) => a - b)
    let from = 0
    for (const point of points) {
      if (point > from) decoder.feed(stream.subarray(from, point), sink)
      from = Math.max(from, point)
    }
  }, frames)
  return { frames, error }
}

function messages(payloads: readonly Uint8Array[], maxMessageSize: number, maxCommandSize: number): Outcome {
  const decoder = new ZwsMessageDecoder(maxMessageSize, maxCommandSize, undefined)
  const frames: string[] = []
  const error = collect((sink) => {
    for (const payload of payloads) decoder.feed(payload, sink)
  }, frames)
  return { frames, error }
}

/** A payload: mostly valid flags (0–3) around the size limits, sometimes reserved bits or an empty one. */
const payload = fc.oneof(
  { weight: 8, arbitrary: fc.tuple(fc.integer({ min: 0, max: 3 }), fc.uint8Array({ maxLength: 140 })).map(([flags, body]) => Uint8Array.of(flags, ...body)) },
  { weight: 1, arbitrary: fc.tuple(fc.integer({ min: 0, max: 255 }), fc.uint8Array({ maxLength: 20 })).map(([flags, body]) => Uint8Array.of(flags, ...body)) },
  { weight: 1, arbitrary: fc.constant(new Uint8Array(0)) },
)

describe("ZWS payload reading", () => {
  it("gives the frames and refusal of RFC 45 and the limits, for any payloads, limits and chunking", () => {
    fc.assert(
      fc.property(
        fc.array(payload, { maxLength: 10 }),
        fc.oneof(fc.constant(-1), fc.nat(150)),
        fc.nat(150),
        fc.array(fc.nat(1500), { maxLength: 6 }),
        fc.uint8Array({ minLength: 4, maxLength: 4 }),
        (payloads, maxMessageSize, maxCommandSize, cuts, key) => {
          const want = expected(payloads, maxMessageSize, maxCommandSize, true)
          expect(framed(payloads, maxMessageSize, maxCommandSize, cuts, key)).toEqual(want)
          expect(framed(payloads, maxMessageSize, maxCommandSize, "bytes", key)).toEqual(want)
          expect(messages(payloads, maxMessageSize, maxCommandSize)).toEqual(expected(payloads, maxMessageSize, maxCommandSize, false))
        },
      ),
      { numRuns: 400 },
    )
  })

  it("refuses a reserved flags bit, a command with MORE, and sizes over either limit", () => {
    const cases: [Uint8Array, string][] = [
      [Uint8Array.of(0x04, 1), ZmtpErrorCode.MALFORMED_FRAME],
      [Uint8Array.of(0x03, 1), ZmtpErrorCode.MALFORMED_FRAME],
      [Uint8Array.of(0x02, ...new Uint8Array(11)), ZmtpErrorCode.MESSAGE_TOO_LARGE],
      [Uint8Array.of(0x00, ...new Uint8Array(6)), ZmtpErrorCode.MESSAGE_TOO_LARGE],
      [Uint8Array.of(0x01, ...new Uint8Array(6)), ZmtpErrorCode.MESSAGE_TOO_LARGE],
    ]
    for (const [bytes, code] of cases) {
      expect(framed([Uint8Array.of(0, 7), bytes], 5, 10, [], Uint8Array.of(1, 2, 3, 4))).toEqual({ frames: ["0 07"], error: code })
    }
  })
})
