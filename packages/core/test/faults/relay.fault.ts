/**
 * Faults of the byte stream itself, made by the userspace relay (relay.ts) in namespace b:
 *
 *   client (ns a) ──veth──▶ relay :6000 ──lo──▶ server :5000 (ns b)
 *                           100 ms ± 20 ms each way, or every chunk re-written 1 byte at a time
 *
 * ZMTP must frame correctly whatever the segmentation and however late the bytes come: nothing lost,
 * corrupted, reordered, duplicated or split, and no disconnect (no heartbeats here: the stream is alive).
 */
import { describe, expect, it } from "vitest"
import { SKIP_REASON, useHarness } from "./harness.js"
import { drain, eventsSince, integrityViolations, sleep, startScenario, stopScenario, type PairConfig, type RunningPair } from "./scenario.js"
import { recordRow } from "./table.js"

useHarness()

const PAIRINGS: Array<Pick<PairConfig, "client" | "server" | "transport">> = [
  { client: "zmq-ts", server: "zmq-ts", transport: "tcp" },
  { client: "zmq-ts", server: "libzmq", transport: "tcp" },
  { client: "libzmq", server: "zmq-ts", transport: "tcp" },
  { client: "zmq-ts", server: "zmq-ts", transport: "ws" },
  { client: "zmq-ts", server: "libzmq", transport: "ws" },
]
const STREAM_MS = 6000

const RELAYS = [
  { name: "relay latency 100 ms ± 20 ms each way", relay: { latencyMs: 100, jitterMs: 20 }, rttAtLeast: 160 },
  { name: "relay delivers in 1-byte pieces", relay: { piece: 1 }, rttAtLeast: 0 },
] as const

describe.skipIf(SKIP_REASON !== undefined)("relay faults", () => {
  it.for(RELAYS)("$name: every pair keeps delivering, intact and in order", async ({ name, relay, rttAtLeast }, context) => {
    const pairs: RunningPair[] = []
    try {
      pairs.push(...(await Promise.all(PAIRINGS.map((pairing) => startScenario({ ...pairing, relay, subscribe: false })))))
      const start = Date.now()
      await sleep(STREAM_MS)
      const outcomes = await Promise.all(pairs.map((pair) => drain(pair)))
      const relayed = await Promise.all(
        pairs.map(async (pair) => {
          const from = pair.relay!.lines.length
          pair.relay!.command("stats")
          return (await pair.relay!.waitFor((line) => line.ev === "stats", 5000, "relay stats", from)) as unknown as { bytes: number; writes: number }
        }),
      )
      const failures: string[] = []
      pairs.forEach((pair, index) => {
        const outcome = outcomes[index]!
        const { client } = outcome
        const disconnects = eventsSince(pair.client, "disconnect", start).length
        const problems = integrityViolations(outcome)
        const lost = client.sent - client.received
        if (lost !== 0) problems.push(`${lost} lost`)
        if (disconnects !== 0) problems.push(`${disconnects} disconnects`)
        if (client.sent < STREAM_MS / 40) problems.push(`only ${client.sent} sent`)
        const { bytes, writes } = relayed[index]!
        if ("piece" in relay && writes < bytes / relay.piece) problems.push(`relay wrote ${bytes} bytes in only ${writes} writes`)
        if ((client.rttP50 ?? 0) < rttAtLeast) problems.push(`median round trip ${client.rttP50} ms: the relay's delay was not applied`)
        recordRow(context, {
          fault: name,
          transport: pair.config.transport,
          peers: pair.peers,
          mustHold: "all delivered, in order, intact; no disconnect",
          measured: `relay wrote ${bytes} B in ${writes} writes; sent ${client.sent}, echoed ${client.received}, lost ${lost}, echo round trip p50 ${client.rttP50} ms / max ${client.rttMax} ms, disconnects ${disconnects}`,
          verdict: problems.length === 0 ? "ok" : problems.join("; "),
        })
        if (problems.length > 0) failures.push(`${pair.peers} ${pair.config.transport}: ${problems.join("; ")}`)
      })
      expect(failures).toEqual([])
    } finally {
      await Promise.all(pairs.map(stopScenario))
    }
  })
})
