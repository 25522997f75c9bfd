/**
 * The Guide's Lazy Pirate pattern over a lossy link: a REQ client of ours (lazy-pirate-client.ts) retries
 * by timeout, close, reopen and resend; the REP server (ours or libzmq) answers "reply:<request>".
 *
 *   REQ (ns a, zmq-ts) ──req:n──▶ ✕ 10 % of packets dropped ✕ ──▶ REP (ns b) ──reply:req:n──▶
 *
 * Every request must be answered, each exactly once from the client's view (a resent request may reach
 * the server twice: that is the pattern's known cost, reported, not failed).
 */
import { describe, expect, it } from "vitest"
import { SKIP_REASON, useHarness } from "./harness.js"
import { createPair, type NamespacePair } from "./netns.js"
import { startOurScript, startPeer, type Implementation, type Peer } from "./peers.js"
import { recordRow } from "./table.js"

useHarness()

interface Done {
  requests: number
  answered: number
  answeredTwice: number
  retries: number
  wrongReply: number
  abandoned: number
  elapsedMs: number
  slowestMs: number
}

const REQUESTS = 150
const TIMEOUT_MS = 500

const CONFIGS: Array<{ server: Implementation; transport: "tcp" | "ws" }> = [
  { server: "zmq-ts", transport: "tcp" },
  { server: "libzmq", transport: "tcp" },
  { server: "zmq-ts", transport: "ws" },
  { server: "libzmq", transport: "ws" },
]

describe.skipIf(SKIP_REASON !== undefined)("Lazy Pirate over 10 % loss", () => {
  it("every request answered, none answered twice from the client's view", async (context) => {
    const nets: NamespacePair[] = []
    const peers: Peer[] = []
    const failures: string[] = []
    try {
      const runs = await Promise.all(
        CONFIGS.map(async ({ server, transport }) => {
          const net = createPair()
          nets.push(net)
          const address = transport === "ws" ? `ws://${net.addressB}:5000/zmq` : `tcp://${net.addressB}:5000`
          const rep = await startPeer("server", { implementation: server, namespace: net.b, env: { ADDRESS: address, MODE: "rep" } })
          peers.push(rep)
          net.loss(10)
          const client = await startOurScript(net.a, "lazy-pirate-client.ts", {
            ADDRESS: address,
            REQUESTS: String(REQUESTS),
            TIMEOUT_MS: String(TIMEOUT_MS),
            RETRIES: "10",
          })
          peers.push(client)
          const done = (await client.waitFor((line) => line.ev === "done", 100_000, "the end of the requests")) as unknown as Done
          const dropped = net.dropped()
          const serverStats = await rep.serverStats()
          return { server, transport, done, dropped, serverReceived: serverStats.received }
        }),
      )
      for (const { server, transport, done, dropped, serverReceived } of runs) {
        const problems: string[] = []
        if (done.answered !== REQUESTS) problems.push(`${REQUESTS - done.answered} unanswered`)
        if (done.answeredTwice !== 0) problems.push(`${done.answeredTwice} answered twice`)
        if (done.wrongReply !== 0) problems.push(`${done.wrongReply} wrong replies`)
        if (dropped === 0) problems.push("nft dropped nothing: the fault was not applied")
        recordRow(context, {
          fault: `Lazy Pirate (timeout ${TIMEOUT_MS} ms, close, reopen, resend) over 10 % loss`,
          transport,
          peers: `zmq-ts REQ → ${server} REP`,
          mustHold: "every request answered; none answered twice (client's view)",
          measured:
            `nft dropped ${dropped} packets; ${done.answered}/${done.requests} answered, ${done.retries} retries, ${done.abandoned} abandoned, answered twice ${done.answeredTwice}; ` +
            `server got ${serverReceived} requests (${serverReceived - done.requests} resends reached it); ${done.elapsedMs} ms, slowest ${done.slowestMs} ms`,
          verdict: problems.length === 0 ? "ok" : problems.join("; "),
        })
        if (problems.length > 0) failures.push(`${server} ${transport}: ${problems.join("; ")}`)
      }
    } finally {
      await Promise.all(peers.map((peer) => peer.kill()))
      for (const net of nets) net.destroy()
    }
    expect(failures).toEqual([])
  })
})
