/**
 * Fuzz target "frames": frames and commands after the NULL handshake (RFC 23 §"Framing", §"Commands"):
 * READY's metadata, PING/PONG, SUBSCRIBE/CANCEL, messages of every size form, heartbeats — every tcp NULL
 * stream libzmq recorded, mutated and cut at random, fed to the `ZmtpConnection` that accepts it.
 *
 * Oracle: connection-oracle.ts (typed error only, EFSM after failure, limit and memory bounds), and the
 * messages delivered are a prefix of the whole messages an independent reading of the bytes finds.
 */
import { describe, it } from "vitest"
import fc from "fast-check"
import { checkPrefix, feedChecked, referenceMessages } from "./connection-oracle.js"
import { chunk, cuts, fuzz, mutants, targetRuns } from "./fuzz-kit.js"
import { deliveredAsMessages, drain, LIMITS, receiverFor } from "./receivers.js"
import { streams } from "./sessions.js"

const STREAMS = streams("tcp", "NULL")
const RUNS = targetRuns("frames", 2000)

describe("fuzz: frames and commands after a NULL handshake", () => {
  it("mutated libzmq sessions end in a typed error or whole messages, never anything else", () => {
    const seeds = STREAMS.map((s) => s.bytes)
    fuzz("frames", RUNS, 1, fc.tuple(mutants(seeds), cuts, fc.constantFrom(...LIMITS)), ([mutant, cut, limit]) => {
      const stream = STREAMS[mutant.seed]!
      const connection = receiverFor(stream, limit)
      const { messages } = feedChecked(connection, chunk(mutant.bytes, cut), { maxMessageSize: limit, onEvents: drain(connection) })
      checkPrefix(messages, deliveredAsMessages(stream, referenceMessages(mutant.bytes)))
    })
  })
})
