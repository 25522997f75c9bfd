/**
 * Link cut for 30 s, then healed: link down and blackhole at the same time in parallel namespaces (one
 * 30 s wait for every configuration), tcp only (ws rides the same TCP; the 1 s cuts cover ws), with and
 * without heartbeats, zmq-ts ↔ zmq-ts, zmq-ts → libzmq, and the libzmq ↔ libzmq reference (cuts.ts):
 *
 *   heartbeats: disconnect within the bound, back after the heal within libzmq's time (+ 2 s)
 *   none:       whatever libzmq does (a 30 s cut is inside TCP's retransmission budget: nobody notices),
 *               back after the heal, nothing lost
 */
import { describe, expect, it } from "vitest"
import { cutRules, report, runCut, type CutKind } from "./cuts.js"
import { SKIP_REASON, useHarness } from "./harness.js"
import type { PairConfig } from "./scenario.js"

useHarness()

const CUT_MS = 30_000
const RECOVER_BOUND_MS = 3000

const configs = (kind: CutKind): Array<PairConfig & { kind: CutKind }> =>
  [true, false].flatMap((heartbeats) => [
    { kind, client: "zmq-ts", server: "zmq-ts", transport: "tcp", heartbeats },
    { kind, client: "zmq-ts", server: "libzmq", transport: "tcp", heartbeats },
    { kind, client: "libzmq", server: "libzmq", transport: "tcp", heartbeats },
  ])

describe.skipIf(SKIP_REASON !== undefined)(`link cut ${CUT_MS / 1000} s`, () => {
  it("link down and blackhole at once, with and without heartbeats: as libzmq, and everything comes back", { timeout: 240_000 }, async (context) => {
    const measures = await runCut([...configs("link-down"), ...configs("blackhole")], CUT_MS)
    expect(report(context, measures, CUT_MS, cutRules(measures, RECOVER_BOUND_MS))).toEqual([])
  })
})
