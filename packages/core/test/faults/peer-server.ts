/**
 * The bound side of a fault case, zmq-ts version (peer_server.py is the libzmq one). Runs in its own
 * process inside namespace b:
 *
 *   ROUTER at ADDRESS: checks each [id, seq, payload, sha1] (parts, checksum, per-routing-id order), echoes it
 *   PUB at PUB_ADDRESS (optional): ["t", n] every 50 ms
 *   MODE=rep: a REP at ADDRESS that answers each request with "reply:<request>" (Lazy Pirate)
 *
 * Env: ADDRESS, PUB_ADDRESS, OPTIONS (JSON socket options), MODE. stdin: "stats".
 * stdout: {ev:"ready"}, monitor events {ev:"accept"|"disconnect"|"handshake", t}, {ev:"stats", …}.
 */
import { createHash } from "node:crypto"
import { createInterface } from "node:readline"
import { Publisher, Reply, Router, type SocketEventType } from "../../src/index.js"
import type { ServerStats } from "./protocol.js"

const say = (line: object): void => void process.stdout.write(`${JSON.stringify(line)}\n`)
const options = JSON.parse(process.env["OPTIONS"] ?? "{}") as Record<string, number | string>
const stats: ServerStats = { received: 0, identities: [], corrupt: 0, partial: 0, reordered: 0, duplicated: 0 }
const lastSeq = new Map<string, number>()

const types: SocketEventType[] = ["accept", "disconnect", "handshake"]

if (process.env["MODE"] === "rep") {
  const reply = new Reply({ linger: 0, ...options })
  for (const type of types) reply.events.on(type, () => say({ ev: type, t: Date.now() }))
  await reply.bind(process.env["ADDRESS"]!)
  void (async () => {
    for await (const [request] of reply) {
      stats.received++
      await reply.send(`reply:${request!.toString()}`)
    }
  })()
} else {
  const router = new Router({ linger: 0, ...options })
  for (const type of types) router.events.on(type, () => say({ ev: type, t: Date.now() }))
  await router.bind(process.env["ADDRESS"]!)
  void (async () => {
    for await (const frames of router) {
      const id = frames[0]!.toString("hex")
      if (!stats.identities.includes(id)) stats.identities.push(id)
      if (frames.length !== 4) {
        stats.partial++
        continue
      }
      const seqText = frames[1]!.toString()
      if (createHash("sha1").update(seqText).update(frames[2]!).digest("hex") !== frames[3]!.toString()) {
        stats.corrupt++
        continue
      }
      stats.received++
      const seq = Number(seqText)
      const last = lastSeq.get(id) ?? -1
      if (seq === last) stats.duplicated++
      else if (seq < last) stats.reordered++
      else lastSeq.set(id, seq)
      // An echo to a peer that is gone is dropped by the ROUTER, as libzmq's does (no ROUTER_MANDATORY).
      await router.send(frames)
    }
  })()
  const pubAddress = process.env["PUB_ADDRESS"]
  if (pubAddress !== undefined && pubAddress !== "") {
    const { routingId: _routingId, ...shared } = options
    const publisher = new Publisher({ linger: 0, ...shared })
    await publisher.bind(pubAddress)
    let tick = 0
    setInterval(() => void publisher.send(["t", String(tick++)]).catch(() => undefined), 50)
  }
}

// The orchestrator holds our stdin: when it goes (even SIGKILLed), so do we.
const commands = createInterface({ input: process.stdin })
commands.on("close", () => process.exit(0))
commands.on("line", (line) => {
  if (line === "stats") say({ ev: "stats", ...stats, t: Date.now() })
})
say({ ev: "ready", t: Date.now() })
