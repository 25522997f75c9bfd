/**
 * The soak's client process: the other end of every socket in server.ts, checking what comes back, plus
 * the reconnects and churn a long-running program goes through:
 *
 * - REQ ×2 → REP, each reply must be its request byte for byte. When the server restarts its REP, a request
 *   in flight gets no reply: after REQUEST_TIMEOUT_MS the REQ is closed and a new one made (the runner
 *   fails the run when there are more timeouts than 2 per restart).
 * - DEALER ×2 → ROUTER (echo): replies must come back complete and in order.
 * - SUB ×3 (tcp, tcp, ipc) ← PUB: from its first message on, each SUB must see every sequence number in
 *   order. Every REPLACE_SUB_SECONDS one SUB is closed and a new one takes its place (a peer that closes
 *   and reopens).
 * - PUSH → PULL: the server checks order; at the end the counts must match.
 * - Churn, CHURN_PER_SECOND times a second: a new Context, a REQ in it that connects (tcp and ipc in turn),
 *   sends one request, checks the reply and closes, plus an inproc PUSH/PULL pair in the same Context;
 *   then the Context is terminated.
 *
 * With `injectLeak` (soak.ts --inject-leak, to prove the growth rule catches a leak) it keeps a record of
 * every message it receives, and every LEAK_SOCKET_EVERY-th churn cycle leaves its Context and REQ open.
 *
 * usage: client.ts <WorkloadOptions as JSON>   (started by soak.ts, speaks ./protocol.ts)
 */
import { setTimeout as sleep } from "node:timers/promises"
import { Context, Dealer, Pull, Push, Request, Subscriber, ZmqError } from "@zmq-ts/core"
import { nextLine, waitForStdinEnd } from "../lib/child.js"
import { Failures } from "./errors.js"
import { Pace } from "./pace.js"
import { check, makePayload } from "./payload.js"
import { writeLine, type ServerEndpoints, type WorkloadOptions } from "./protocol.js"
import { SelfSampler } from "./sampler.js"

const REQUESTS_PER_SECOND = 250
const DEALER_PER_SECOND = 250
const PUSH_PER_SECOND = 1500
const CHURN_PER_SECOND = 5
const INPROC_MESSAGES = 10
const REPLACE_SUB_SECONDS = 10
const REQUEST_TIMEOUT_MS = 3000
const CHURN_TIMEOUT_MS = 5000
const LEAK_SOCKET_EVERY = 5

const options = JSON.parse(process.argv[2] ?? "{}") as WorkloadOptions
const failures = new Failures()
const counters = {
  reqRoundTrips: 0,
  reqTimeouts: 0,
  dealerReplies: 0,
  subReceived: 0,
  subReplaced: 0,
  pushSent: 0,
  churnCycles: 0,
  inprocReceived: 0,
}
let stopping = false
/** What --inject-leak keeps: a record per message received, never released. */
const leaked: Array<{ sequence: number | undefined; head: Buffer }> = []
const leakedSockets: Array<{ context: Context; request: Request }> = []
const keep = (frame: Buffer | undefined): void => {
  if (options.injectLeak && frame !== undefined) leaked.push({ sequence: check(frame), head: Buffer.from(frame.subarray(0, 16)) })
}

const endpointsLine = await nextLine()
if (endpointsLine === undefined) throw new Error("no endpoints from the runner")
const endpoints = JSON.parse(endpointsLine) as ServerEndpoints

const isTimeout = (error: unknown): boolean => error instanceof ZmqError && error.code === "EAGAIN"

async function requests(id: number): Promise<void> {
  const pace = new Pace(REQUESTS_PER_SECOND)
  let request = new Request({ linger: 0, receiveTimeout: REQUEST_TIMEOUT_MS })
  request.connect(endpoints.reply)
  let sequence = id * 1_000_000_000
  while (!stopping) {
    const payload = makePayload(sequence++)
    await request.send(payload)
    try {
      const [answer] = await request.receive()
      keep(answer)
      if (answer === undefined || !answer.equals(payload)) failures.add(`REQ ${id}: the reply to request ${sequence - 1} is not its request`)
      counters.reqRoundTrips++
    } catch (error) {
      if (!isTimeout(error)) throw error
      // The REP restarted with our request in flight (restarts are every 15 s, timeouts 3 s): a new REQ.
      counters.reqTimeouts++
      request.close()
      request = new Request({ linger: 0, receiveTimeout: REQUEST_TIMEOUT_MS })
      request.connect(endpoints.reply)
      pace.restart()
    }
    await pace.step()
  }
  request.close()
}

async function dealer(id: number): Promise<void> {
  const socket = new Dealer({ linger: 0 })
  socket.connect(endpoints.router)
  let sent = 0
  let received = 0
  const receiving = (async () => {
    // The iterator ends when the socket is closed (its pending receive then rejects with EAGAIN).
    for await (const frames of socket) {
      keep(frames[0])
      const sequence = check(frames[0])
      if (sequence !== received) failures.add(`DEALER ${id}: expected reply ${received}, got ${sequence ?? "a malformed one"}`)
      received = (sequence ?? received) + 1
      counters.dealerReplies++
    }
  })()
  const pace = new Pace(DEALER_PER_SECOND)
  while (!stopping) {
    await socket.send(makePayload(sent++))
    await pace.step()
  }
  for (const deadline = Date.now() + 5000; received < sent && Date.now() < deadline; ) await sleep(20)
  if (received !== sent) failures.add(`DEALER ${id}: ${sent - received} of ${sent} replies missing at the end`)
  socket.close()
  await receiving
}

/** One SUB's life: from its first message on it must see every sequence number, in order. */
async function subscribe(address: string, slot: number): Promise<void> {
  const socket = new Subscriber({ linger: 0, receiveHighWaterMark: 0 })
  socket.connect(address)
  socket.subscribe("t")
  subscribers[slot] = socket
  let expected: number | undefined
  for await (const frames of socket) {
    const body = frames[1]
    keep(body)
    const sequence = check(body)
    if (frames[0]?.toString() !== "t" || sequence === undefined) failures.add(`SUB ${slot}: a malformed message`)
    else if (expected !== undefined && sequence !== expected) failures.add(`SUB ${slot}: expected message ${expected}, got ${sequence}`)
    expected = (sequence ?? expected ?? 0) + 1
    counters.subReceived++
  }
}

const subscriberAddresses = [endpoints.publisherTcp, endpoints.publisherTcp, endpoints.publisherIpc]
const subscribers: Subscriber[] = []
/** Each slot's current SUB loop (a replaced one has ended: its socket was closed). */
const subscriberLoops: Array<Promise<void>> = []
const startSubscriber = (slot: number): void => {
  subscriberLoops[slot] = subscribe(subscriberAddresses[slot]!, slot).catch((error: unknown) => failures.add(`SUB ${slot} failed: ${String(error)}`))
}

async function replaceSubscribers(): Promise<void> {
  for (let slot = 0; !stopping; slot = (slot + 1) % subscriberAddresses.length) {
    await sleep(REPLACE_SUB_SECONDS * 1000)
    if (stopping) return
    subscribers[slot]?.close()
    startSubscriber(slot)
    counters.subReplaced++
  }
}

async function push(): Promise<void> {
  const socket = new Push({ linger: 10_000 })
  socket.connect(endpoints.pull)
  const pace = new Pace(PUSH_PER_SECOND)
  while (!stopping) {
    await socket.send(makePayload(counters.pushSent))
    counters.pushSent++
    await pace.step()
  }
  socket.close() // linger: what is queued is still written
}

async function churn(): Promise<void> {
  const pace = new Pace(CHURN_PER_SECOND)
  for (let cycle = 0; !stopping; cycle++) {
    const context = new Context()
    const request = new Request({ context, linger: 0, receiveTimeout: CHURN_TIMEOUT_MS })
    request.connect(cycle % 2 === 0 ? endpoints.churnTcp : endpoints.churnIpc)
    const payload = makePayload(cycle)
    await request.send(payload)
    try {
      const [answer] = await request.receive()
      if (answer === undefined || !answer.equals(payload)) failures.add(`churn REQ ${cycle}: the reply is not its request`)
    } catch (error) {
      if (!isTimeout(error)) throw error
      failures.add(`churn REQ ${cycle}: no reply in ${CHURN_TIMEOUT_MS} ms`)
    }
    const pull = new Pull({ context, linger: 0 })
    await pull.bind(`inproc://churn-${cycle}`)
    const pushSocket = new Push({ context, linger: 0 })
    pushSocket.connect(`inproc://churn-${cycle}`)
    for (let i = 0; i < INPROC_MESSAGES; i++) await pushSocket.send(makePayload(i))
    for (let i = 0; i < INPROC_MESSAGES; i++) {
      const [frame] = await pull.receive()
      if (check(frame) !== i) failures.add(`churn inproc ${cycle}: expected message ${i}, got ${check(frame) ?? "a malformed one"}`)
      counters.inprocReceived++
    }
    if (options.injectLeak && cycle % LEAK_SOCKET_EVERY === 0) {
      pushSocket.close()
      pull.close()
      leakedSockets.push({ context, request })
    } else {
      context.terminate() // closes the three sockets
    }
    counters.churnCycles++
    await pace.step()
  }
}

const guard = (name: string, loop: Promise<void>): Promise<void> => loop.catch((error: unknown) => failures.add(`${name} failed: ${String(error)}`))
subscriberAddresses.forEach((_, slot) => startSubscriber(slot))
const loops = [
  guard("REQ 0", requests(0)),
  guard("REQ 1", requests(1)),
  guard("DEALER 0", dealer(0)),
  guard("DEALER 1", dealer(1)),
  guard("PUSH", push()),
  guard("churn", churn()),
  guard("SUB replacement", replaceSubscribers()),
]

const sampler = new SelfSampler()
const sampling = setInterval(() => writeLine("SAMPLE", { ...sampler.take(), counters, errors: failures.count }), 1000)
writeLine("READY")

let line: string | undefined
do line = await nextLine()
while (line !== undefined && line !== "stop")
stopping = true
await Promise.race([Promise.all(loops), sleep(15_000)])
clearInterval(sampling)
sampler.stop()
for (const socket of subscribers) socket.close()
await Promise.race([Promise.all(subscriberLoops), sleep(2000)])
for (const { context } of leakedSockets) context.terminate()
writeLine("FINAL", { counters: { ...counters, leakedRecords: leaked.length, leakedSockets: leakedSockets.length }, errors: failures.count, errorSamples: failures.samples })
// The PUSH socket's linger is still writing what it queued: stay until the server has it (the runner then
// closes our stdin).
await waitForStdinEnd(20_000)
process.exit(0)
