/**
 * Fuzz target "plain": the PLAIN handshake (RFC 24) on both sides — HELLO/INITIATE into our server,
 * WELCOME/READY/ERROR into our client — then frames. Seeds: every tcp PLAIN stream libzmq recorded, each
 * direction, mutated and cut at random.
 *
 * Oracle: connection-oracle.ts, and delivered messages are a prefix of the whole messages in the bytes.
 */
import { describe, it } from "vitest"
import fc from "fast-check"
import { checkPrefix, feedChecked, referenceMessages } from "./connection-oracle.js"
import { chunk, cuts, fuzz, mutants, targetRuns } from "./fuzz-kit.js"
import { drain, receiverFor } from "./receivers.js"
import { streams, type Stream } from "./sessions.js"

const RUNS = targetRuns("plain", 2000)

function fuzzSide(seeds: readonly Stream[]): void {
  fuzz("plain", RUNS, 0.5, fc.tuple(mutants(seeds.map((s) => s.bytes)), cuts), ([mutant, cut]) => {
    const stream = seeds[mutant.seed]!
    const connection = receiverFor(stream, -1)
    const { messages } = feedChecked(connection, chunk(mutant.bytes, cut), { onEvents: drain(connection) })
    checkPrefix(messages, referenceMessages(mutant.bytes))
  })
}

describe("fuzz: PLAIN handshake", () => {
  const plain = streams("tcp", "PLAIN")
  it("server side: mutated HELLO/INITIATE streams end in a typed error or whole messages", () => {
    fuzzSide(plain.filter((s) => s.receiver === "server"))
  })
  it("client side: mutated WELCOME/READY streams end in a typed error or whole messages", () => {
    fuzzSide(plain.filter((s) => s.receiver === "client"))
  })
})
