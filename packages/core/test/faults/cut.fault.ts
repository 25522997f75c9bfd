/**
 * Link cut for 1 s (side a's veth down: a visible cut; or an nft `drop` on both sides: a silent
 * blackhole), then healed, over every pairing at once (cuts.ts):
 *
 *   with heartbeats (100 ms PING, 400 ms timeout, both sides): the client's `disconnect` within the bound,
 *     echoes and PUB ticks back after the heal, the ROUTER sees one routing id throughout (it rebinds)
 *   without: zmq-ts does what libzmq does (neither notices a 1 s cut: TCP retransmits), and nothing is lost
 */
import { describe, expect, it } from "vitest"
import { cutRules, runCut, report, type CutKind } from "./cuts.js"
import { SKIP_REASON, useHarness } from "./harness.js"
import type { PairConfig } from "./scenario.js"

useHarness()

const CUT_MS = 1000
/** After the heal, the connection must be back within this (the first reconnect SYN's 1 s retransmit, and slack). */
const RECOVER_BOUND_MS = 3000

const configs = (kind: CutKind): Array<PairConfig & { kind: CutKind }> => [
  { kind, client: "zmq-ts", server: "zmq-ts", transport: "tcp", heartbeats: true },
  { kind, client: "zmq-ts", server: "libzmq", transport: "tcp", heartbeats: true },
  { kind, client: "libzmq", server: "zmq-ts", transport: "tcp", heartbeats: true },
  { kind, client: "libzmq", server: "libzmq", transport: "tcp", heartbeats: true },
  { kind, client: "zmq-ts", server: "zmq-ts", transport: "ws", heartbeats: true },
  { kind, client: "zmq-ts", server: "libzmq", transport: "ws", heartbeats: true },
  { kind, client: "zmq-ts", server: "zmq-ts", transport: "tcp", heartbeats: false },
  { kind, client: "zmq-ts", server: "libzmq", transport: "tcp", heartbeats: false },
  { kind, client: "libzmq", server: "libzmq", transport: "tcp", heartbeats: false },
]

describe.skipIf(SKIP_REASON !== undefined)(`link cut ${CUT_MS / 1000} s`, () => {
  it.for(["link-down", "blackhole"] as const)("%s: heartbeats detect it, everything comes back after the heal", async (kind, context) => {
    const measures = await runCut(configs(kind), CUT_MS)
    expect(report(context, measures, CUT_MS, cutRules(measures, RECOVER_BOUND_MS))).toEqual([])
  })

  // The ROUTER side without heartbeats keeps the dead connection, so the client's reconnect (same routing
  // id) meets a ROUTER that still has that id bound: how long until it rebinds, against libzmq's ROUTER.
  it("blackhole with heartbeats on the client only: the routing id rebinds as libzmq's does", async (context) => {
    const kind: CutKind = "blackhole"
    const measures = await runCut(
      [
        { kind, client: "zmq-ts", server: "zmq-ts", transport: "tcp", heartbeats: "client-only" },
        { kind, client: "zmq-ts", server: "libzmq", transport: "tcp", heartbeats: "client-only" },
        { kind, client: "libzmq", server: "zmq-ts", transport: "tcp", heartbeats: "client-only" },
        { kind, client: "libzmq", server: "libzmq", transport: "tcp", heartbeats: "client-only" },
      ],
      CUT_MS,
    )
    expect(report(context, measures, CUT_MS, cutRules(measures, RECOVER_BOUND_MS))).toEqual([])
  })
})
