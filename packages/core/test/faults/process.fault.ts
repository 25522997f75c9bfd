/**
 * Faults of the peer process, not the network (so ipc applies too), and of the bind address:
 *
 *   SIGKILL mid-message   the server dies while large messages stream; a new one binds the same address:
 *                         the client notices (the kernel closes the connection), reconnects, and neither
 *                         the client nor the new server ever sees a partial or corrupt message
 *   client SIGKILL        the same with the client killed; a new client with the same routing id: the
 *                         ROUTER rebinds it (the kernel closed the old connection) and sees no partial message
 *   SIGSTOP, full pipe    the server is frozen until the client's pipe is full (EAGAIN); SIGCONT: without
 *                         heartbeats every accepted message arrives, in order; with them the freeze is
 *                         detected within the bound and the connection comes back after SIGCONT
 *   address removed       side b's address is deleted for 2 s and re-added (the listener stays bound):
 *                         as a blackhole (cuts.ts), compared with libzmq ↔ libzmq
 */
import { describe, expect, it } from "vitest"
import { DETECT_BOUND_MS, cutRules, report, runCut, type CutKind } from "./cuts.js"
import { SKIP_REASON, useHarness } from "./harness.js"
import { HEARTBEAT, drain, integrityViolations, sleep, startScenario, stopScenario, type PairConfig, type RunningPair } from "./scenario.js"
import type { ClientStats } from "./protocol.js"
import { recordRow } from "./table.js"

useHarness()

const PAIRINGS: Array<Pick<PairConfig, "client" | "server" | "transport">> = [
  { client: "zmq-ts", server: "zmq-ts", transport: "tcp" },
  { client: "zmq-ts", server: "libzmq", transport: "tcp" },
  { client: "libzmq", server: "zmq-ts", transport: "tcp" },
  { client: "zmq-ts", server: "zmq-ts", transport: "ipc" },
  { client: "zmq-ts", server: "libzmq", transport: "ipc" },
  { client: "libzmq", server: "zmq-ts", transport: "ipc" },
  { client: "zmq-ts", server: "zmq-ts", transport: "ws" },
]

const since = (pair: RunningPair, event: string, at: number, what?: string): number | undefined => {
  const found = pair.client.lines.find((line) => line.t >= at && line.ev === event && (what === undefined || ("what" in line && line.what === what)))
  return found === undefined ? undefined : found.t - at
}
const ms = (value: number | undefined): string => (value === undefined ? "none" : `${value} ms`)

/**
 * Every pairing streaming messages of up to 256 KiB, 20 a second; over tcp and ws through the relay in 512-byte
 * pieces, which keeps the stream busy all the time, so a kill lands inside a message's bytes (ipc: unthrottled).
 */
const startStreamingLarge = (): Promise<RunningPair[]> =>
  Promise.all(
    PAIRINGS.map((pairing) =>
      startScenario({ ...pairing, size: 256 * 1024, rateMs: 50, subscribe: false, ...(pairing.transport === "ipc" ? {} : { relay: { piece: 512 } }) }),
    ),
  )

/** SIGKILLs one side of every pair at once; resolves with when each kill was sent. */
const killAll = (pairs: readonly RunningPair[], side: "server" | "client"): Promise<number[]> =>
  Promise.all(
    pairs.map(async (pair) => {
      const at = Date.now()
      await pair[side].kill()
      return at
    }),
  )

/** The client must notice a killed server at once (no heartbeats needed: the kernel closes the connection). */
const KILL_DETECT_BOUND_MS = 1000
/** After the new server binds, echoes must be back within the reconnect interval (100 ms) and slack. */
const RESTART_RECOVER_BOUND_MS = 2500

describe.skipIf(SKIP_REASON !== undefined)("peer process faults", () => {
  it("server SIGKILLed mid-message, restarted on the same address: reconnect, no partial message", async (context) => {
    const pairs: RunningPair[] = []
    const failures: string[] = []
    try {
      pairs.push(...(await startStreamingLarge()))
      await sleep(1000)
      const killedAt = await killAll(pairs, "server")
      await sleep(1000)
      // The restart's clock starts when the new server has bound: the `t` of its "ready" line, printed right after bind.
      const restartedAt = await Promise.all(
        pairs.map(async (pair) => {
          await pair.restartServer({ killFirst: false })
          return pair.server.lines.find((line) => line.ev === "ready")!.t
        }),
      )
      await Promise.all(
        pairs.map((pair, index) =>
          pair.client.waitFor((line) => line.t >= restartedAt[index]! && line.ev === "resumed", 15_000, "an echo from the new server").catch(() => undefined),
        ),
      )
      await sleep(1000)
      const outcomes = await Promise.all(pairs.map((pair) => drain(pair, 10_000)))
      pairs.forEach((pair, index) => {
        const outcome = outcomes[index]!
        const detect = since(pair, "disconnect", killedAt[index]!)
        const recover = since(pair, "resumed", restartedAt[index]!, "reply")
        const problems = integrityViolations(outcome)
        if (detect === undefined || detect > KILL_DETECT_BOUND_MS) problems.push(`disconnect ${ms(detect)} (bound ${KILL_DETECT_BOUND_MS} ms)`)
        if (recover === undefined || recover > RESTART_RECOVER_BOUND_MS) problems.push(`echoes back ${ms(recover)} after the restart (bound ${RESTART_RECOVER_BOUND_MS} ms)`)
        if (outcome.server.received === 0) problems.push("the new server received nothing")
        recordRow(context, {
          fault: "server SIGKILL mid-message, restarted on the same address",
          transport: pair.config.transport,
          peers: pair.peers,
          mustHold: `disconnect ≤ ${KILL_DETECT_BOUND_MS} ms; back ≤ ${RESTART_RECOVER_BOUND_MS} ms after the new server's bind; no partial/corrupt message either side`,
          measured:
            `client detect ${ms(detect)}, echoes back ${ms(recover)} after the new server's bind; sent ${outcome.client.sent}, echoed ${outcome.client.received}, ` +
            `lost ${outcome.client.sent - outcome.client.received} (in flight at the kill), new server got ${outcome.server.received} whole, partial ${outcome.server.partial}`,
          verdict: problems.length === 0 ? "ok" : problems.join("; "),
        })
        if (problems.length > 0) failures.push(`${pair.peers} ${pair.config.transport}: ${problems.join("; ")}`)
      })
    } finally {
      await Promise.all(pairs.map(stopScenario))
    }
    expect(failures).toEqual([])
  })

  it("client SIGKILLed mid-message, a new client with the same routing id: the ROUTER rebinds it, no partial message", async (context) => {
    const pairs: RunningPair[] = []
    const failures: string[] = []
    try {
      pairs.push(...(await startStreamingLarge()))
      await sleep(1000)
      const killedAt = await killAll(pairs, "client")
      await sleep(1000)
      await Promise.all(pairs.map((pair) => pair.replaceClient(1_000_000)))
      const restartedAt = pairs.map((pair) => pair.client.lines.find((line) => line.ev === "ready")!.t)
      await sleep(2000)
      const outcomes = await Promise.all(pairs.map((pair) => drain(pair, 10_000)))
      pairs.forEach((pair, index) => {
        const outcome = outcomes[index]!
        const serverDetect = pair.server.lines.find((line) => line.ev === "disconnect" && line.t >= killedAt[index]!)
        const firstEcho = since(pair, "first-echo", restartedAt[index]!)
        const problems = integrityViolations(outcome)
        if (serverDetect === undefined) problems.push("the server never saw the disconnect")
        if (firstEcho === undefined || outcome.client.received === 0) problems.push("the new client got no echo (its routing id was not rebound)")
        if (outcome.client.sent !== outcome.client.received) problems.push(`${outcome.client.sent - outcome.client.received} of the new client's messages lost`)
        if (outcome.server.identities.length !== 1) problems.push(`ROUTER saw ${outcome.server.identities.length} routing ids`)
        recordRow(context, {
          fault: "client SIGKILL mid-message, new client with the same routing id",
          transport: pair.config.transport,
          peers: pair.peers,
          mustHold: "server notices; new client's messages all echoed (same routing id); no partial/corrupt message at the server",
          measured:
            `server detect ${ms(serverDetect === undefined ? undefined : serverDetect.t - killedAt[index]!)}, new client's first echo ${ms(firstEcho)} after its start; ` +
            `new client sent ${outcome.client.sent}, echoed ${outcome.client.received}; server got ${outcome.server.received} whole in all, partial ${outcome.server.partial}, routing ids ${outcome.server.identities.length}`,
          verdict: problems.length === 0 ? "ok" : problems.join("; "),
        })
        if (problems.length > 0) failures.push(`${pair.peers} ${pair.config.transport}: ${problems.join("; ")}`)
      })
    } finally {
      await Promise.all(pairs.map(stopScenario))
    }
    expect(failures).toEqual([])
  })

  it("server SIGSTOPped with a full pipe, then SIGCONT: without heartbeats nothing lost; with them detected and back", async (context) => {
    const FREEZE_MS = 3000
    const configs: PairConfig[] = [
      ...PAIRINGS.filter((pairing) => pairing.transport !== "ws").map((pairing) => ({ ...pairing, heartbeats: false })),
      { client: "zmq-ts", server: "zmq-ts", transport: "tcp", heartbeats: true },
      { client: "zmq-ts", server: "libzmq", transport: "tcp", heartbeats: true },
      { client: "libzmq", server: "libzmq", transport: "tcp", heartbeats: true },
    ]
    const pairs: RunningPair[] = []
    const failures: string[] = []
    try {
      // Small high-water marks, TCP buffers capped at 64 KiB, up to 64 KiB every 5 ms: the pipe fills within the freeze.
      pairs.push(
        ...(await Promise.all(
          configs.map((config) =>
            startScenario({
              ...config,
              size: 64 * 1024,
              rateMs: 5,
              subscribe: false,
              smallTcpBuffers: true,
              clientOptions: { sendHighWaterMark: 100, receiveHighWaterMark: 100 },
              serverOptions: { receiveHighWaterMark: 100, sendHighWaterMark: 100_000 },
            }),
          ),
        )),
      )
      await sleep(500)
      const frozenAt = pairs.map((pair) => {
        pair.server.signal("SIGSTOP")
        return Date.now()
      })
      // Frozen for FREEZE_MS, and in any case until the client's sends are refused (the pipe is full; 15 s at most).
      await sleep(FREEZE_MS)
      const full = async (pair: RunningPair): Promise<ClientStats> => {
        for (const deadline = Date.now() + 15_000; ; await sleep(200)) {
          const stats = await pair.client.clientStats()
          if (stats.eagain > 0 || Date.now() > deadline) return stats
        }
      }
      const frozenStats = await Promise.all(pairs.map(full))
      const thawedAt = pairs.map((pair) => {
        const at = Date.now()
        pair.server.signal("SIGCONT")
        return at
      })
      await Promise.all(
        pairs.map((pair, index) =>
          pair.client.waitFor((line) => line.t >= thawedAt[index]! && line.ev === "resumed", 15_000, "an echo after SIGCONT").catch(() => undefined),
        ),
      )
      await sleep(1000)
      const outcomes = await Promise.all(pairs.map((pair) => drain(pair, 15_000)))
      pairs.forEach((pair, index) => {
        const outcome = outcomes[index]!
        const heartbeats = pair.config.heartbeats === true
        const detect = since(pair, "disconnect", frozenAt[index]!)
        const recover = since(pair, "resumed", thawedAt[index]!, "reply")
        const refused = frozenStats[index]!.eagain
        const lost = outcome.client.sent - outcome.client.received
        const problems = integrityViolations(outcome)
        if (refused === 0) problems.push("the pipe never filled (no EAGAIN during the freeze)")
        if (recover === undefined) problems.push("no echo after SIGCONT")
        if (heartbeats) {
          if (detect === undefined || detect > DETECT_BOUND_MS) problems.push(`disconnect ${ms(detect)} (bound ${DETECT_BOUND_MS} ms)`)
        } else {
          if (detect !== undefined) problems.push(`disconnect after ${detect} ms without heartbeats`)
          if (lost !== 0) problems.push(`${lost} lost`)
        }
        const hb = heartbeats ? `heartbeats ${HEARTBEAT.heartbeatInterval}/${HEARTBEAT.heartbeatTimeout} ms` : "no heartbeats"
        recordRow(context, {
          fault: `server SIGSTOP ≥ ${FREEZE_MS / 1000} s until the pipe is full, ${hb}`,
          transport: pair.config.transport,
          peers: pair.peers,
          mustHold: heartbeats
            ? `disconnect ≤ ${DETECT_BOUND_MS} ms; back after SIGCONT; intact`
            : "no disconnect; after SIGCONT every accepted message echoed, in order, intact",
          measured:
            `EAGAIN during the freeze ${refused}, client detect ${ms(detect)}, echoes back ${ms(recover)} after SIGCONT; ` +
            `sent ${outcome.client.sent}, echoed ${outcome.client.received}, lost ${lost}`,
          verdict: problems.length === 0 ? "ok" : problems.join("; "),
        })
        if (problems.length > 0) failures.push(`${pair.peers} ${pair.config.transport} ${hb}: ${problems.join("; ")}`)
      })
    } finally {
      await Promise.all(pairs.map(stopScenario))
    }
    expect(failures).toEqual([])
  })

  it("bind address removed for 2 s and re-added: as libzmq, and everything comes back", async (context) => {
    const CUT_MS = 2000
    const kind: CutKind = "address-removed"
    const configs = [true, false].flatMap((heartbeats) => [
      { kind, client: "zmq-ts", server: "zmq-ts", transport: "tcp", heartbeats } as const,
      { kind, client: "zmq-ts", server: "libzmq", transport: "tcp", heartbeats } as const,
      { kind, client: "libzmq", server: "libzmq", transport: "tcp", heartbeats } as const,
    ])
    const measures = await runCut(configs, CUT_MS)
    expect(report(context, measures, CUT_MS, cutRules(measures, 3000))).toEqual([])
  })
})
