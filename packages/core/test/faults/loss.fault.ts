/**
 * Packet loss (nftables `numgen random mod 100 < N drop` on both namespaces' input) under a steady stream
 * of checked multipart messages, ours and libzmq on either side, tcp and ws:
 *
 *   client (ns a) ──[seq, payload, sha1] every 20 ms──▶ ✕ N % of packets ✕ ──▶ ROUTER echo (ns b)
 *
 * TCP repairs every loss, so nothing may be lost, and nothing corrupted, reordered, duplicated or split.
 */
import { describe, expect, it } from "vitest"
import { SKIP_REASON, useHarness } from "./harness.js"
import { drain, eventsSince, integrityViolations, sleep, startScenario, stopScenario, type PairConfig, type RunningPair } from "./scenario.js"
import { recordRow } from "./table.js"

useHarness()

const CONFIGS: PairConfig[] = [
  { client: "zmq-ts", server: "zmq-ts", transport: "tcp" },
  { client: "zmq-ts", server: "libzmq", transport: "tcp" },
  { client: "libzmq", server: "zmq-ts", transport: "tcp" },
  { client: "zmq-ts", server: "zmq-ts", transport: "ws" },
  { client: "zmq-ts", server: "libzmq", transport: "ws" },
]
const STREAM_MS = 8000

describe.skipIf(SKIP_REASON !== undefined)("packet loss", () => {
  it.for([1, 10])("%i percent loss: every pair keeps delivering, nothing lost, corrupted, reordered or split", async (percent, context) => {
    const pairs: RunningPair[] = []
    try {
      pairs.push(...(await Promise.all(CONFIGS.map((config) => startScenario(config)))))
      const start = Date.now()
      for (const pair of pairs) pair.net.loss(percent)
      await sleep(STREAM_MS)
      const dropped = pairs.map((pair) => pair.net.dropped())
      for (const pair of pairs) pair.net.heal()
      const outcomes = await Promise.all(pairs.map((pair) => drain(pair)))
      const failures: string[] = []
      pairs.forEach((pair, index) => {
        const { client, server } = outcomes[index]!
        const disconnects = eventsSince(pair.client, "disconnect", start).length
        const problems = integrityViolations(outcomes[index]!)
        const lost = client.sent - client.received
        if (lost !== 0) problems.push(`${lost} lost`)
        if (disconnects !== 0) problems.push(`${disconnects} disconnects`)
        if (client.sent < STREAM_MS / 40) problems.push(`only ${client.sent} sent`)
        if (dropped[index] === 0) problems.push("nft dropped nothing: the fault was not applied")
        recordRow(context, {
          fault: `${percent} % packet loss, ${STREAM_MS / 1000} s`,
          transport: pair.config.transport,
          peers: pair.peers,
          mustHold: "all delivered, in order, intact; no disconnect",
          measured: `nft dropped ${dropped[index]} packets; sent ${client.sent}, echoed ${client.received}, lost ${lost}, server got ${server.received}, disconnects ${disconnects}, ticks ${client.ticks}`,
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
