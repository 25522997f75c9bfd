/**
 * Fuzz target "greeting": the 64-octet greeting (RFC 23 §"Greeting"), judged stage by stage as its bytes
 * arrive. Seeds: the greetings of every tcp stream libzmq recorded (NULL and PLAIN, 3.0 and 3.1, client
 * and server), mutated, followed by the rest of their stream, cut at random.
 *
 * Oracle: connection-oracle.ts, and a reference reading of the greeting from the RFC: when the input holds
 * 64 octets, the connection fails with a greeting code (bad signature, version, mechanism) exactly when
 * the reference refuses them.
 */
import { describe, it } from "vitest"
import fc from "fast-check"
import { ZmtpErrorCode } from "../../src/index.js"
import { feedChecked } from "./connection-oracle.js"
import { check, chunk, cuts, fuzz, mutants, targetRuns } from "./fuzz-kit.js"
import { drain, receiverFor } from "./receivers.js"
import { streams } from "./sessions.js"

const STREAMS = streams("tcp")
const RUNS = targetRuns("greeting", 2000)
const GREETING_CODES: ReadonlySet<string> = new Set([
  ZmtpErrorCode.INVALID_SIGNATURE,
  ZmtpErrorCode.UNSUPPORTED_VERSION,
  ZmtpErrorCode.MECHANISM_MISMATCH,
])

/** RFC 23: 0xff, 8 padding octets, 0x7f; major ≥ 3; our mechanism name null-padded; as-server 0 or 1, and
 * not both PLAIN servers. */
function referenceAccepts(greeting: Uint8Array, mechanism: string, weAreServer: boolean): boolean {
  if (greeting[0] !== 0xff || greeting[9] !== 0x7f || greeting[10]! < 3) return false
  for (let i = 0; i < 20; i++) if (greeting[12 + i] !== (i < mechanism.length ? mechanism.charCodeAt(i) : 0)) return false
  const asServer = greeting[32]!
  if (asServer > 1) return false
  return !(mechanism === "PLAIN" && weAreServer && asServer === 1)
}

describe("fuzz: greeting", () => {
  it("a greeting the RFC refuses fails with a greeting code, one it accepts never does", () => {
    const greetings = STREAMS.map((s) => s.bytes.subarray(0, 64))
    fuzz("greeting", RUNS, 1, fc.tuple(mutants(greetings, 4), cuts), ([mutant, cut]) => {
      const stream = STREAMS[mutant.seed]!
      const input = new Uint8Array(mutant.bytes.length + stream.bytes.length - 64)
      input.set(mutant.bytes)
      input.set(stream.bytes.subarray(64), mutant.bytes.length)
      const connection = receiverFor(stream, -1)
      const { error } = feedChecked(connection, chunk(input, cut), { onEvents: drain(connection) })
      if (input.length < 64) return
      const accepts = referenceAccepts(input.subarray(0, 64), stream.mechanism, stream.receiver === "server")
      const greetingFailure = error !== undefined && GREETING_CODES.has(error.code)
      check(accepts !== greetingFailure, () => `reference ${accepts ? "accepts" : "refuses"} the greeting, the codec gave ${error?.code ?? "no error"}`)
    })
  })
})
