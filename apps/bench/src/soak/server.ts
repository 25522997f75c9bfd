/**
 * The soak's server process: it binds every server-side socket, answers and checks what the client sends,
 * publishes, and restarts its REP on the same tcp endpoint every RESTART_SECONDS (close, then bind a new
 * socket to the port the first one got), as a restarted server would.
 *
 *   client REQ ×2 ──tcp──▶ REP (restarted)          client PUSH ──tcp──▶ PULL (sequence checked)
 *   client DEALER ×2 ─tcp─▶ ROUTER (echoes)         PUB ──tcp ×2, ipc ×1──▶ client SUB ×3 (replaced)
 *   churn REQ (new Context each) ──tcp / ipc──▶ churn REP
 *
 * usage: server.ts <WorkloadOptions as JSON>   (started by soak.ts, speaks ./protocol.ts)
 */
import { setTimeout as sleep } from "node:timers/promises"
import { Publisher, Pull, Reply, Router, ZmqError } from "@zmq-ts/core"
import { nextLine } from "../lib/child.js"
import { Failures } from "./errors.js"
import { Pace } from "./pace.js"
import { check, makePayload } from "./payload.js"
import { writeLine, type ServerEndpoints, type WorkloadOptions } from "./protocol.js"
import { SelfSampler } from "./sampler.js"

const RESTART_SECONDS = 15
const PUBLISH_PER_SECOND = 500
const REBIND_TIMEOUT_MS = 5000

const options = JSON.parse(process.argv[2] ?? "{}") as WorkloadOptions
const failures = new Failures()
const counters = {
  repReplies: 0,
  repRestarts: 0,
  pullReceived: 0,
  routerEchoes: 0,
  pubSent: 0,
  churnReplies: 0,
}
let stopping = false

/** Echoes every request until the socket is closed (its iterator then ends). */
async function serveReplies(reply: Reply, onReply: () => void): Promise<void> {
  for await (const request of reply) {
    try {
      await reply.send(request)
      onReply()
    } catch (error) {
      if (reply.closed) return
      throw error
    }
  }
}

/** Binds a new REP on `address`; the port of a closed one may take a moment to free. */
async function bindReply(address: string): Promise<Reply> {
  const deadline = Date.now() + REBIND_TIMEOUT_MS
  for (;;) {
    const reply = new Reply({ linger: 0 })
    try {
      await reply.bind(address)
      return reply
    } catch (error) {
      reply.close()
      if (!(error instanceof ZmqError && error.code === "EADDRINUSE") || Date.now() > deadline) throw error
      await sleep(20)
    }
  }
}

let reply = await bindReply("tcp://127.0.0.1:0")
const replyAddress = reply.lastEndpoint!
const guard = (name: string, loop: Promise<void>): void => void loop.catch((error: unknown) => failures.add(`${name} failed: ${String(error)}`))
guard("REP", serveReplies(reply, () => counters.repReplies++))

const pull = new Pull({ linger: 0 })
await pull.bind("tcp://127.0.0.1:0")
const router = new Router({ linger: 0 })
await router.bind("tcp://127.0.0.1:0")
// Unbounded queues: the checks below expect every published message, even across a stall of the client.
const publisher = new Publisher({ linger: 0, sendHighWaterMark: 0 })
await publisher.bind("tcp://127.0.0.1:0")
const publisherTcp = publisher.lastEndpoint!
await publisher.bind(`ipc://${options.ipcPublisherPath}`)
const churn = new Reply({ linger: 0 })
await churn.bind("tcp://127.0.0.1:0")
const churnTcp = churn.lastEndpoint!
await churn.bind(`ipc://${options.ipcChurnPath}`)

const endpoints: ServerEndpoints = {
  reply: replyAddress,
  pull: pull.lastEndpoint!,
  router: router.lastEndpoint!,
  publisherTcp,
  publisherIpc: `ipc://${options.ipcPublisherPath}`,
  churnTcp,
  churnIpc: `ipc://${options.ipcChurnPath}`,
}

/** One PUSH peer, so PUSH→PULL must arrive complete and in order: 0, 1, 2, … */
async function receivePushes(): Promise<void> {
  for await (const frames of pull) {
    const sequence = check(frames[0])
    if (sequence !== counters.pullReceived) failures.add(`PULL: expected message ${counters.pullReceived}, got ${sequence ?? "a malformed one"}`)
    counters.pullReceived = (sequence ?? counters.pullReceived) + 1
  }
}

async function echoRouter(): Promise<void> {
  while (!router.closed) {
    let frames: Buffer[]
    try {
      frames = await router.receive()
      await router.send(frames)
    } catch (error) {
      if (router.closed) return
      throw error
    }
    counters.routerEchoes++
  }
}

async function publish(): Promise<void> {
  const pace = new Pace(PUBLISH_PER_SECOND)
  while (!stopping) {
    await publisher.send(["t", makePayload(counters.pubSent)])
    counters.pubSent++
    await pace.step()
  }
}

async function restartReplies(): Promise<void> {
  while (!stopping) {
    await sleep(RESTART_SECONDS * 1000)
    if (stopping) return
    reply.close()
    reply = await bindReply(replyAddress)
    counters.repRestarts++
    guard("REP", serveReplies(reply, () => counters.repReplies++))
  }
}

guard("PULL", receivePushes())
guard("ROUTER", echoRouter())
guard("PUB", publish())
guard("REP restarts", restartReplies())
guard("churn REP", serveReplies(churn, () => counters.churnReplies++))

const sampler = new SelfSampler()
const sampling = setInterval(() => writeLine("SAMPLE", { ...sampler.take(), counters, errors: failures.count }), 1000)
writeLine("READY", endpoints)

// `stop <n>`: the client has stopped after sending n PUSH messages; wait (bounded) until they are all in.
let line: string | undefined
do line = await nextLine()
while (line !== undefined && !line.startsWith("stop"))
stopping = true
const expected = Number(line?.split(" ")[1] ?? Number.NaN)
for (const deadline = Date.now() + 10_000; counters.pullReceived < expected && Date.now() < deadline; ) await sleep(20)
if (Number.isFinite(expected) && counters.pullReceived !== expected) {
  failures.add(`PUSH→PULL: the client sent ${expected} messages, ${counters.pullReceived} arrived`)
}
clearInterval(sampling)
sampler.stop()
for (const socket of [reply, pull, router, publisher, churn]) socket.close()
writeLine("FINAL", { counters, errors: failures.count, errorSamples: failures.samples })
process.exit(0)
