/**
 * The connecting side of a fault case, zmq-ts version (peer_client.py is the libzmq one; both speak the
 * same line protocol). Runs in its own process inside namespace a:
 *
 *   DEALER (routingId) ──[seq, payload, sha1]──▶ server ROUTER echoes ──▶ checked here: order, checksum, parts
 *   SUB "t"            ◀──[t, n]── server PUB ticks every 50 ms (subscriptions restored after a reconnect?)
 *
 * Env: ADDRESS (the ROUTER's), SUB_ADDRESS (the PUB's, optional), OPTIONS (JSON socket options), RATE_MS
 * (one message per RATE_MS), SIZE (max payload bytes). stdin: "stop" (stop sending), "stats".
 * stdout, one JSON object a line: {ev:"ready"}, monitor events {ev:"connect"|"disconnect"|"handshake", t},
 * {ev:"first-echo", t}, {ev:"resumed", t, what} for the first reply/tick after ≥ 400 ms of silence,
 * {ev:"stats", …}. SEQ_START: the first sequence number (a replacement client continues above the old one).
 */
import { createHash, randomBytes } from "node:crypto"
import { createInterface } from "node:readline"
import { Dealer, Subscriber, ZmqError, type SocketEventType } from "../../src/index.js"
import { type ClientStats, QUIET_MS } from "./protocol.js"

const say = (line: object): void => void process.stdout.write(`${JSON.stringify(line)}\n`)
const options = JSON.parse(process.env["OPTIONS"] ?? "{}") as Record<string, number | string>
const rateMs = Number(process.env["RATE_MS"] ?? "20")
const size = Number(process.env["SIZE"] ?? "512")

const dealer = new Dealer({ linger: 0, sendTimeout: 0, ...options })
const types: SocketEventType[] = ["connect", "disconnect", "handshake", "connect:retry"]
for (const type of types) dealer.events.on(type, () => say({ ev: type, t: Date.now() }))

const stats: ClientStats = { sent: 0, eagain: 0, received: 0, gaps: 0, lostInGaps: 0, duplicated: 0, reordered: 0, corrupt: 0, partial: 0, ticks: 0 }
let nextSeq = Number(process.env["SEQ_START"] ?? "0")
let lastSeq = nextSeq - 1
/** Sequence numbers whose send was refused (EAGAIN): a gap over them is not a loss. */
const refused = new Set<number>()
/** Send time of each message in flight, for the echo round-trip times. */
const sentAt = new Map<number, number>()
const roundTrips: number[] = []
const percentile = (p: number): number => {
  const sorted = [...roundTrips].sort((x, y) => x - y)
  return sorted.length === 0 ? -1 : sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!
}
let lastReplyAt = 0
let lastTickAt = 0

const checksum = (seq: string, payload: Buffer): string => createHash("sha1").update(seq).update(payload).digest("hex")

dealer.connect(process.env["ADDRESS"]!)
let sending = true
const sender = setInterval(() => {
  if (!sending) return
  const number = nextSeq++
  const seq = String(number)
  const payload = randomBytes(1 + Math.floor(Math.random() * size))
  sentAt.set(number, Date.now())
  dealer.send([seq, payload, checksum(seq, payload)]).then(
    () => void stats.sent++,
    (error: unknown) => {
      if (error instanceof ZmqError && error.code === "EAGAIN") {
        stats.eagain++
        refused.add(number)
      }
      else throw error
    },
  )
}, rateMs)

void (async () => {
  for await (const frames of dealer) {
    const now = Date.now()
    if (lastReplyAt !== 0 && now - lastReplyAt >= QUIET_MS) say({ ev: "resumed", what: "reply", t: now, quietMs: now - lastReplyAt })
    lastReplyAt = now
    if (frames.length !== 3) {
      stats.partial++
      continue
    }
    const seqText = frames[0]!.toString()
    if (checksum(seqText, frames[1]!) !== frames[2]!.toString()) {
      stats.corrupt++
      continue
    }
    stats.received++
    if (stats.received === 1) say({ ev: "first-echo", t: now })
    const seq = Number(seqText)
    const at = sentAt.get(seq)
    sentAt.delete(seq)
    if (at !== undefined) roundTrips.push(now - at)
    if (seq === lastSeq) stats.duplicated++
    else if (seq < lastSeq) stats.reordered++
    else {
      let lost = 0
      for (let missing = lastSeq + 1; missing < seq; missing++) if (!refused.has(missing)) lost++
      if (lost > 0) {
        stats.gaps++
        stats.lostInGaps += lost
      }
      lastSeq = seq
    }
  }
})()

const subAddress = process.env["SUB_ADDRESS"]
if (subAddress !== undefined && subAddress !== "") {
  const { routingId: _routingId, sendHighWaterMark: _hwm, ...shared } = options
  const subscriber = new Subscriber({ linger: 0, ...shared })
  subscriber.subscribe("t")
  subscriber.connect(subAddress)
  void (async () => {
    for await (const _tick of subscriber) {
      const now = Date.now()
      if (lastTickAt !== 0 && now - lastTickAt >= QUIET_MS) say({ ev: "resumed", what: "tick", t: now, quietMs: now - lastTickAt })
      lastTickAt = now
      stats.ticks++
    }
  })()
}

// The orchestrator holds our stdin: when it goes (even SIGKILLed), so do we.
const commands = createInterface({ input: process.stdin })
commands.on("close", () => process.exit(0))
commands.on("line", (line) => {
  if (line === "stop") {
    sending = false
    clearInterval(sender)
  } else if (line === "stats") say({ ev: "stats", ...stats, rttP50: percentile(0.5), rttMax: percentile(1), t: Date.now() })
})
say({ ev: "ready", t: Date.now() })
