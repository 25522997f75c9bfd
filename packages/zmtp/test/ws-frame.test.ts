/**
 * The RFC 6455 framing layer ZWS 2.0 runs on: frames written by encodeWsFrame come back intact from
 * WsFrameDecoder under any chunking, masked client→server and unmasked server→client (RFC 6455 §5.1); what
 * ZWS refuses (RFC 45 §"Framing", libzmq ws_decoder.cpp) ends in a remote ZmtpError, sizes from the header.
 */
import { describe, expect, it } from "vitest"
import fc from "fast-check"
import { encodeWsFrame, WsFrameDecoder, WsOpcode, ZmtpError, ZmtpErrorCode, wsClosePayload } from "../src/index.js"
import type { WsFrameSink, WsRole } from "../src/index.js"
import { concat, hex } from "./helpers/chunking.js"

type Event = { kind: "message" | "ping" | "pong"; payload: number[] } | { kind: "close"; code: number | undefined }

function collector(): { sink: WsFrameSink; events: Event[] } {
  const events: Event[] = []
  return {
    events,
    sink: {
      onMessage: (bytes, start, length) => events.push({ kind: "message", payload: [...bytes.subarray(start, start + length)] }),
      onPing: (payload) => events.push({ kind: "ping", payload: [...payload] }),
      onPong: (payload) => events.push({ kind: "pong", payload: [...payload] }),
      onClose: (code) => events.push({ kind: "close", code }),
    },
  }
}

/** Feeds `bytes` (copied: the decoder unmasks in place) cut at `cuts`. */
function feed(decoder: WsFrameDecoder, bytes: Uint8Array, cuts: readonly number[], sink: WsFrameSink): void {
  const points = [...new Set(cuts.map((cut) => cut % (bytes.length + 1)))].sort((a, b) => a - b)
  let from = 0
  for (const point of [...points, bytes.length]) {
    if (point > from) decoder.feed(bytes.slice(from, point), sink)
    from = Math.max(from, point)
  }
}

function decodeAll(role: WsRole, bytes: Uint8Array, maxMessageSize = -1): Event[] {
  const { sink, events } = collector()
  new WsFrameDecoder({ role, maxMessageSize }).feed(bytes.slice(), sink)
  return events
}

function wsError(run: () => unknown): ZmtpError {
  try {
    run()
  } catch (error) {
    if (error instanceof ZmtpError) return error
    throw error
  }
  throw new Error("expected a ZmtpError")
}

const MASK = hex("37fa213d")

describe("RFC 6455 examples (§5.7)", () => {
  it("decodes the masked 'Hello' (as binary) at a server and the unmasked one at a client", () => {
    // §5.7's text frames with the opcode changed to binary, which is all ZWS allows.
    expect(decodeAll("client", hex("82 05 48656c6c6f"))).toEqual([{ kind: "message", payload: [...hex("48656c6c6f")] }])
    expect(decodeAll("server", hex("82 85 37fa213d 7f9f4d5158"))).toEqual([{ kind: "message", payload: [...hex("48656c6c6f")] }])
    expect(encodeWsFrame(WsOpcode.BINARY, [hex("48656c6c6f")], MASK)).toEqual(hex("82 85 37fa213d 7f9f4d5158"))
  })

  it("uses the 16-bit and 64-bit lengths from 126 and 65536 bytes on", () => {
    expect([...encodeWsFrame(WsOpcode.BINARY, [new Uint8Array(256)]).subarray(0, 4)]).toEqual([0x82, 0x7e, 0x01, 0x00])
    expect([...encodeWsFrame(WsOpcode.BINARY, [new Uint8Array(65536)]).subarray(0, 10)]).toEqual([0x82, 0x7f, 0, 0, 0, 0, 0, 1, 0, 0])
    expect(decodeAll("client", encodeWsFrame(WsOpcode.BINARY, [new Uint8Array(65536).fill(7)]))[0]).toMatchObject({ kind: "message" })
  })

  it("delivers ping, pong and close", () => {
    const bytes = concat(
      encodeWsFrame(WsOpcode.PING, [hex("0102")], MASK),
      encodeWsFrame(WsOpcode.PONG, [], MASK),
      encodeWsFrame(WsOpcode.CLOSE, [wsClosePayload(1000)], MASK),
    )
    expect(decodeAll("server", bytes)).toEqual([
      { kind: "ping", payload: [1, 2] },
      { kind: "pong", payload: [] },
      { kind: "close", code: 1000 },
    ])
    expect(decodeAll("client", encodeWsFrame(WsOpcode.CLOSE, []))).toEqual([{ kind: "close", code: undefined }])
  })
})

describe("what ZWS 2.0 refuses", () => {
  const cases: [string, WsRole, Uint8Array, string][] = [
    ["a text frame", "client", hex("81 01 00"), ZmtpErrorCode.WS_MALFORMED_FRAME],
    ["a fragment (FIN clear)", "client", hex("02 01 00"), ZmtpErrorCode.WS_MALFORMED_FRAME],
    ["a continuation frame", "client", hex("80 01 00"), ZmtpErrorCode.WS_MALFORMED_FRAME],
    ["an empty binary payload", "client", hex("82 00"), ZmtpErrorCode.WS_MALFORMED_FRAME],
    ["an empty masked binary payload", "server", hex("82 80 00000000"), ZmtpErrorCode.WS_MALFORMED_FRAME],
    ["an unmasked client frame", "server", hex("82 01 00"), ZmtpErrorCode.WS_MALFORMED_FRAME],
    ["a masked server frame", "client", hex("82 81 00000000 00"), ZmtpErrorCode.WS_MALFORMED_FRAME],
    ["RSV1 (compression) set", "client", hex("c2 01 00"), ZmtpErrorCode.WS_MALFORMED_FRAME],
    ["an unknown opcode", "client", hex("83 01 00"), ZmtpErrorCode.WS_MALFORMED_FRAME],
    ["a ping over 125 bytes", "client", hex("89 7e 007e"), ZmtpErrorCode.WS_MALFORMED_FRAME],
    ["a 2^63 length", "client", hex("82 7f 8000000000000000"), ZmtpErrorCode.MESSAGE_TOO_LARGE],
    ["a 2^53 length", "client", hex("82 7f 0020000000000000"), ZmtpErrorCode.MESSAGE_TOO_LARGE],
  ]
  for (const [what, role, bytes, code] of cases) {
    it(`${what} → ${code}, from the header alone, however it is cut`, () => {
      for (let cut = 0; cut <= bytes.length; cut++) {
        const decoder = new WsFrameDecoder({ role, maxMessageSize: -1 })
        const { sink, events } = collector()
        const error = wsError(() => {
          decoder.feed(bytes.slice(0, cut), sink)
          decoder.feed(bytes.slice(cut), sink)
        })
        expect(error.code).toBe(code)
        expect(error.origin).toBe("remote")
        expect(events).toEqual([])
      }
    })
  }

  it("maxMessageSize counts the ZMTP body (payload less the flags byte), checked before any body byte", () => {
    const ok = encodeWsFrame(WsOpcode.BINARY, [hex("00"), new Uint8Array(10)])
    expect(decodeAll("client", ok, 10)).toHaveLength(1)
    const big = encodeWsFrame(WsOpcode.BINARY, [hex("00"), new Uint8Array(11)])
    expect(wsError(() => decodeAll("client", big.subarray(0, 2), 10)).code).toBe(ZmtpErrorCode.MESSAGE_TOO_LARGE)
    // A 1 GiB claim with a limit: refused from the 10 header bytes.
    expect(wsError(() => decodeAll("client", hex("82 7f 0000000040000000"), 1 << 20)).code).toBe(ZmtpErrorCode.MESSAGE_TOO_LARGE)
  })

  it("an unlimited huge claim allocates only what arrives", () => {
    const decoder = new WsFrameDecoder({ role: "client", maxMessageSize: -1 })
    const { sink, events } = collector()
    decoder.feed(hex("82 7f 0000010000000000 00 01 02"), sink)
    expect(events).toEqual([])
    expect(decoder.idle).toBe(false)
  })
})

describe("properties", () => {
  const frame = fc.oneof(
    { weight: 5, arbitrary: fc.record({ opcode: fc.constant(WsOpcode.BINARY), payload: fc.uint8Array({ minLength: 1, maxLength: 70_000 }) }) },
    { weight: 1, arbitrary: fc.record({ opcode: fc.constantFrom(WsOpcode.PING, WsOpcode.PONG), payload: fc.uint8Array({ maxLength: 125 }) }) },
  )

  it("round trips under any chunking, both roles", () => {
    fc.assert(
      fc.property(fc.array(frame, { maxLength: 12 }), fc.array(fc.nat(), { maxLength: 20 }), fc.constantFrom<WsRole>("client", "server"), fc.uint8Array({ minLength: 4, maxLength: 4 }), (frames, cuts, role, mask) => {
        const wire = concat(...frames.map((f) => encodeWsFrame(f.opcode, [f.payload], role === "server" ? mask : undefined)))
        const { sink, events } = collector()
        const decoder = new WsFrameDecoder({ role, maxMessageSize: -1 })
        feed(decoder, wire, cuts, sink)
        const kind = { [WsOpcode.BINARY]: "message", [WsOpcode.PING]: "ping", [WsOpcode.PONG]: "pong" } as const
        expect(events).toEqual(frames.map((f) => ({ kind: kind[f.opcode], payload: [...f.payload] })))
        expect(decoder.idle).toBe(true)
      }),
      { numRuns: 150 },
    )
  })

  it("random bytes only ever end in a remote ZmtpError", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.array(fc.nat(), { maxLength: 8 }), fc.constantFrom<WsRole>("client", "server"), (bytes, cuts, role) => {
        const { sink } = collector()
        try {
          feed(new WsFrameDecoder({ role, maxMessageSize: 1000 }), bytes, cuts, sink)
        } catch (error) {
          expect(ZmtpError.isInstance(error)).toBe(true)
          expect((error as ZmtpError).origin).toBe("remote")
        }
      }),
      { numRuns: 500 },
    )
  })
})
