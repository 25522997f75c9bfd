/**
 * Fuzz target "zws": ZWS 2.0 over RFC 6455 framing (RFC 45) — masked client frames into our server,
 * unmasked server frames into our client, NULL and PLAIN handshakes, pings, 16- and 64-bit lengths. Seeds:
 * the WebSocket part (after the HTTP head) of every ws stream libzmq recorded, mutated and cut at random.
 *
 * Oracle: connection-oracle.ts, and delivered messages are a prefix of the whole messages an independent
 * reading of the WebSocket frames finds (binary frames, flags byte 0x01 more / 0x02 command).
 */
import { describe, it } from "vitest"
import fc from "fast-check"
import { checkPrefix, feedChecked } from "./connection-oracle.js"
import { chunk, cuts, fuzz, mutants, targetRuns } from "./fuzz-kit.js"
import { deliveredAsMessages, drain, LIMITS, receiverFor } from "./receivers.js"
import { splitHead, streams } from "./sessions.js"

const STREAMS = streams("ws")
const RUNS = targetRuns("zws", 2000)

/** RFC 6455 §5.2, read straight from the octets: the ZMTP messages the binary frames carry. */
function referenceZwsMessages(stream: Uint8Array): Uint8Array[][] {
  const messages: Uint8Array[][] = []
  let current: Uint8Array[] = []
  let pos = 0
  while (pos + 2 <= stream.length) {
    const opcode = stream[pos]! & 0x0f
    const masked = (stream[pos + 1]! & 0x80) !== 0
    let length = stream[pos + 1]! & 0x7f
    let at = pos + 2
    if (length === 126) {
      if (at + 2 > stream.length) break
      length = (stream[at]! << 8) | stream[at + 1]!
      at += 2
    } else if (length === 127) {
      if (at + 8 > stream.length) break
      const view = new DataView(stream.buffer, stream.byteOffset + at, 8)
      if (view.getUint32(0) !== 0) break
      length = view.getUint32(4)
      at += 8
    }
    const key = masked ? stream.subarray(at, at + 4) : undefined
    if (masked) at += 4
    if (at + length > stream.length) break
    const payload = stream.slice(at, at + length) // a copy: unmasked here, not in the stream
    if (key !== undefined) for (let i = 0; i < payload.length; i++) payload[i]! ^= key[i % 4]!
    pos = at + length
    if (opcode === 0x8) break // close
    if (opcode !== 0x2 || payload.length === 0) continue // control frames; others fail the connection
    const flags = payload[0]!
    if ((flags & 0x02) !== 0) continue // a command
    current.push(payload.subarray(1))
    if ((flags & 0x01) === 0) {
      messages.push(current)
      current = []
    }
  }
  return messages
}

describe("fuzz: ZWS 2.0 framing", () => {
  it("mutated libzmq ws sessions end in a typed error or whole messages, both roles", () => {
    const seeds = STREAMS.map((s) => splitHead(s.bytes).frames)
    fuzz("zws", RUNS, 1, fc.tuple(mutants(seeds), cuts, fc.constantFrom(...LIMITS)), ([mutant, cut, limit]) => {
      const stream = STREAMS[mutant.seed]!
      // Read first: the decoder unmasks client frames in place, in the chunks it is given.
      const reference = deliveredAsMessages(stream, referenceZwsMessages(mutant.bytes.slice()))
      const connection = receiverFor(stream, limit)
      const { messages } = feedChecked(connection, chunk(mutant.bytes, cut), { maxMessageSize: limit, onEvents: drain(connection) })
      checkPrefix(messages, reference)
    })
  })
})
