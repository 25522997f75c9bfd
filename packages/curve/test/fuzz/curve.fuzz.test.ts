/**
 * Fuzz target "curve": the CURVE handshake (RFC 26, RFC 25) and MESSAGE boxes on both sides — libzmq's
 * HELLO/INITIATE/MESSAGEs into our server, its WELCOME/READY/MESSAGEs into our client. Seeds: the sessions
 * record-sessions.ts recorded with libzmq, replayed with our side's random source fixed as when recorded
 * (fixed-random.ts), so unmutated bytes complete the handshake and every later state is reachable.
 *
 * Oracle: connection-oracle.ts (typed error only, EFSM after failure, limit and memory bounds), and the
 * messages delivered are a prefix of those the unmutated session delivers: a mutated box never opens, so
 * nothing the peer did not send is ever delivered.
 */
import { ZmtpConnection } from "@zmq-ts/zmtp"
import fc from "fast-check"
import { beforeAll, describe, expect, it } from "vitest"
import { checkPrefix, feedChecked } from "../../../zmtp/test/fuzz/connection-oracle.js"
import { chunk, cuts, fuzz, mutants, targetRuns } from "../../../zmtp/test/fuzz/fuzz-kit.js"
import { drain } from "../../../zmtp/test/fuzz/receivers.js"
import { loadCurve } from "../../src/index.js"
import { curveSessions, receiverOptions } from "./curve-sessions.js"
import { fixRandom } from "./fixed-random.js"

const RUNS = targetRuns("curve", 1000)
const SESSIONS = curveSessions()

beforeAll(async () => {
  await loadCurve()
})

/** Our end of `session` as recorded, fed `chunks` with the oracle. */
function replay(index: number, chunks: readonly Uint8Array[], maxMessageSize = -1): ReturnType<typeof feedChecked> {
  const session = SESSIONS[index]!
  const restore = fixRandom(session.randomSeed)
  try {
    const connection = new ZmtpConnection(receiverOptions(session, maxMessageSize))
    return feedChecked(connection, chunks, { maxMessageSize, onEvents: drain(connection) })
  } finally {
    restore()
  }
}

describe("fuzz: CURVE handshake and messages", () => {
  it("each recorded session replays whole: the handshake completes and libzmq's four messages arrive", () => {
    SESSIONS.forEach((session, i) => {
      const { messages, error } = replay(i, [session.bytes])
      expect(error).toBeUndefined()
      expect(messages.length, session.name).toBe(4)
    })
  })

  for (const receiver of ["server", "client"] as const) {
    it(`${receiver} side: mutated sessions end in a typed error or a prefix of libzmq's messages`, () => {
      const indexes = SESSIONS.flatMap((s, i) => (s.receiver === receiver ? [i] : []))
      const seeds = indexes.map((i) => SESSIONS[i]!.bytes)
      const expected = indexes.map((i) => replay(i, [SESSIONS[i]!.bytes]).messages)
      fuzz("curve", RUNS, 0.5, fc.tuple(mutants(seeds), cuts, fc.constantFrom(-1, -1, 100, 255)), ([mutant, cut, limit]) => {
        const { messages } = replay(indexes[mutant.seed]!, chunk(mutant.bytes, cut), limit)
        checkPrefix(messages, expected[mutant.seed]!)
      })
    })
  }
})
