/**
 * The Paranoid Pirate queue and worker (RFC 6, PPP) with Lazy Pirate clients, and workers that fail:
 *
 *   LazyPirateClient ×1–2 ──▶ frontend ROUTER ══ ParanoidPirateQueue ══ backend ROUTER ◀── ParanoidPirateWorker ×1–3
 *                                                 (heartbeats both ways)               ◀── frozen PPP worker ×0–2
 *
 * Faults: a worker killed (closed) at some moment, a worker that crashes holding a request (its handler
 * throws), and a worker that freezes — it stops heartbeating and answering but keeps its connection open
 * (the Guide's "busy looping" worker, which only heartbeats can detect). One worker never fails.
 *
 * Property: every request is answered with its own reply (more retries than failing workers); a worker
 * that went silent is purged within liveness × interval (plus scheduling slack) and never before
 * (liveness − 1) × interval of silence — no false failures; and no request is given to a worker after it
 * was purged, nor once it has been silent for longer than liveness × interval.
 * Seeded mutation: a queue that never purges expired workers is caught.
 */
import { Context, Dealer } from "@zmq-ts/core"
import fc from "fast-check"
import { afterEach, describe, expect, it } from "vitest"
import {
  LazyPirateClient,
  PPP_HEARTBEAT,
  PPP_READY,
  ParanoidPirateQueue,
  ParanoidPirateWorker,
  PatternError,
  PatternErrorCode,
  parsePpp,
  type ParanoidPirateEvent,
  type ParanoidPirateQueueOptions,
  type ParanoidPirateWorkerEvent,
} from "../src/index.js"
import { fixedAddress, sleep, within } from "./helpers/endpoints.js"

const INTERVAL = 100
const LIVENESS = 3
/** How late the queue may notice a silent worker on a loaded machine. */
const SLACK = 300

type Fault =
  | { readonly kind: "kill"; readonly atMs: number }
  | { readonly kind: "crash"; readonly atRequest: number }
  | { readonly kind: "freeze"; readonly atMs: number }

interface Scenario {
  readonly clients: number
  readonly requestsPerClient: number
  readonly pauses: readonly number[]
  readonly faults: readonly Fault[]
}

const scenario: fc.Arbitrary<Scenario> = fc.record({
  clients: fc.integer({ min: 1, max: 2 }),
  requestsPerClient: fc.integer({ min: 1, max: 6 }),
  pauses: fc.array(fc.integer({ min: 0, max: 80 }), { minLength: 1, maxLength: 6 }),
  faults: fc.array(
    fc.oneof(
      fc.record({ kind: fc.constant("kill" as const), atMs: fc.integer({ min: 0, max: 400 }) }),
      fc.record({ kind: fc.constant("crash" as const), atRequest: fc.integer({ min: 1, max: 2 }) }),
      fc.record({ kind: fc.constant("freeze" as const), atMs: fc.integer({ min: 0, max: 400 }) }),
    ),
    { maxLength: 3 },
  ),
})

/** A PPP worker by hand (RFC 6): READY, HEARTBEAT every interval, echoes requests — until it freezes. */
class FreezingWorker {
  readonly socket: Dealer
  #timer: ReturnType<typeof setInterval> | undefined
  #frozen = false
  constructor(context: Context, queue: string, name: string) {
    const socket = new Dealer({ context, routingId: name, linger: 0 })
    this.socket = socket
    socket.connect(queue)
    void socket.send(PPP_READY).catch(() => {})
    this.#timer = setInterval(() => void socket.send(PPP_HEARTBEAT).catch(() => {}), INTERVAL)
    void (async () => {
      for await (const message of socket) {
        if (this.#frozen) continue
        const ppp = parsePpp(message)
        if (ppp.type === "envelope") await socket.send([...ppp.address, "", `${ppp.body[0]!.toString()}|${name}`])
      }
    })().catch(() => {})
  }
  freeze(): void {
    this.#frozen = true
    clearInterval(this.#timer)
  }
  close(): void {
    clearInterval(this.#timer)
    this.socket.close()
  }
}

type QueueFactory = (options: ParanoidPirateQueueOptions) => ParanoidPirateQueue

async function runScenario(s: Scenario, makeQueue: QueueFactory): Promise<boolean> {
  const context = new Context()
  const started = performance.now()
  const at = (): number => performance.now() - started
  const log: Array<{ readonly t: number; readonly event: ParanoidPirateEvent }> = []
  const queue = makeQueue({
    frontend: "tcp://127.0.0.1:*",
    backend: "tcp://127.0.0.1:*",
    heartbeatInterval: INTERVAL,
    liveness: LIVENESS,
    context,
    onEvent: (event) => log.push({ t: at(), event }),
  })
  /** When each worker (by routing id) went silent. */
  const silentAt = new Map<string, number>()
  const real: ParanoidPirateWorker[] = []
  const frozen: FreezingWorker[] = []
  const clients: LazyPirateClient[] = []
  const timers: Array<ReturnType<typeof setTimeout>> = []
  try {
    await queue.start()
    const backend = queue.backendEndpoints[0]!
    const specs: Array<Fault | undefined> = [undefined, ...s.faults]
    for (const [i, spec] of specs.entries()) {
      const name = `${spec?.kind === "freeze" ? "f" : "w"}${i}`
      if (spec?.kind === "freeze") {
        const worker = new FreezingWorker(context, backend, name)
        frozen.push(worker)
        timers.push(
          setTimeout(() => {
            worker.freeze()
            silentAt.set(name, at())
          }, spec.atMs),
        )
        continue
      }
      let handled = 0
      const worker = new ParanoidPirateWorker({
        queue: backend,
        context,
        heartbeatInterval: INTERVAL,
        liveness: LIVENESS,
        // One routing id for all its sockets is fine here: nothing makes it reconnect, the queue stays up.
        routingId: () => name,
        handler: async ([body]) => {
          handled++
          if (spec?.kind === "crash" && handled === spec.atRequest) {
            silentAt.set(name, at())
            throw new Error(`${name} crashes holding ${body!.toString()}`)
          }
          await sleep(2)
          return `${body!.toString()}|${name}`
        },
      })
      real.push(worker)
      await worker.start()
      worker.done().catch(() => {})
      if (spec?.kind === "kill") {
        timers.push(
          setTimeout(() => {
            worker.close()
            silentAt.set(name, at())
          }, spec.atMs),
        )
      }
    }
    const retries = s.faults.length + 1
    let pause = 0
    const results = await within(
      Promise.all(
        Array.from({ length: s.clients }, async (_, c) => {
          const client = new LazyPirateClient({ endpoint: queue.frontendEndpoints[0]!, context, timeout: 500, retries })
          clients.push(client)
          const replies: string[] = []
          for (let n = 0; n < s.requestsPerClient; n++) {
            replies.push((await client.request(`c${c}-${n}`))[0]!.toString())
            await sleep(s.pauses[pause++ % s.pauses.length]!)
          }
          return replies
        }),
      ),
      20_000,
      "every request to end",
    )
    // Long enough for every failure to be noticed.
    const lastSilence = Math.max(0, ...s.faults.map((f) => (f.kind === "crash" ? 0 : f.atMs)), ...silentAt.values())
    const settle = lastSilence + LIVENESS * INTERVAL + SLACK - at()
    if (settle > 0) await sleep(Math.ceil(settle) + 5)
    const ended = at()

    // Every request answered with its own reply.
    results.forEach((replies, c) => replies.forEach((reply, n) => expect(reply).toMatch(new RegExp(`^c${c}-${n}\\|[wf]\\d+$`))))

    for (const { t, event } of log) {
      if (event.type === "worker:expired") {
        const worker = event.worker.toString()
        const silent = silentAt.get(worker)
        // No false failures: only a worker that went silent is purged, and not before it was silent long enough.
        expect(silent, `${worker} purged at ${t.toFixed(0)} ms but never went silent`).toBeDefined()
        // A frozen worker's connection stays open: only its silence can give it away. (A closed one may be
        // noticed sooner, when a send to it fails.)
        if (worker.startsWith("f")) expect(t, `${worker} purged too early`).toBeGreaterThanOrEqual(silent! + (LIVENESS - 1) * INTERVAL - 20)
      }
    }
    for (const [worker, silent] of silentAt) {
      const deadline = silent + LIVENESS * INTERVAL + SLACK
      const expired = log.find((e) => e.event.type === "worker:expired" && e.event.worker.toString() === worker)
      // A worker killed before its READY reached the queue was never one of its workers: nothing to purge.
      const known = log.some((e) => e.event.type === "worker:ready" && e.event.worker.toString() === worker)
      if (known && deadline <= ended) {
        expect(expired, `${worker} (silent since ${silent.toFixed(0)} ms) not purged by ${deadline.toFixed(0)} ms`).toBeDefined()
        expect(expired!.t).toBeLessThanOrEqual(deadline)
      }
      for (const { t, event } of log) {
        if (event.type !== "dispatch" || event.worker.toString() !== worker) continue
        expect(t, `request given to ${worker} after it was purged`).toBeLessThan(expired?.t ?? Infinity)
        expect(t, `request given to ${worker} silent since ${silent.toFixed(0)} ms`).toBeLessThanOrEqual(deadline)
      }
    }
    return true
  } finally {
    for (const timer of timers) clearTimeout(timer)
    for (const client of clients) client.close()
    for (const worker of real) worker.close()
    for (const worker of frozen) worker.close()
    await queue.stop()
    context.terminate()
  }
}

/** The seeded mutation: the Guide's queue without s_workers_purge. */
class NeverPurges extends ParanoidPirateQueue {
  protected override purge(): void {}
}

describe("ParanoidPirateQueue and ParanoidPirateWorker", () => {
  it("answer every request with its own reply while workers are killed, crash or freeze; silent workers are purged in time and given nothing after", async () => {
    await fc.assert(
      fc.asyncProperty(scenario, (s) => runScenario(s, (options) => new ParanoidPirateQueue(options))),
      { numRuns: 10, interruptAfterTimeLimit: 12_000 },
    )
  }, 40_000)

  it("the property catches a queue that never purges expired workers", async () => {
    const freezes: fc.Arbitrary<Scenario> = fc.record({
      clients: fc.constant(1),
      requestsPerClient: fc.integer({ min: 1, max: 3 }),
      pauses: fc.constant([10]),
      faults: fc.tuple(fc.record({ kind: fc.constant("freeze" as const), atMs: fc.integer({ min: 0, max: 100 }) })),
    })
    const result = await fc.check(
      fc.asyncProperty(freezes, (s) => runScenario(s, (options) => new NeverPurges(options))),
      { numRuns: 2 },
    )
    expect(result.failed).toBe(true)
    expect(String(result.errorInstance)).toMatch(/not purged/)
  }, 30_000)
})

describe("ParanoidPirateWorker, one case at a time", () => {
  let context: Context
  afterEach(() => context?.terminate())

  it("reconnects with READY after the queue restarts, and serves again", async () => {
    context = new Context()
    const frontend = await fixedAddress("tcp", "pp-front")
    const backend = await fixedAddress("tcp", "pp-back")
    const queueEvents: string[] = []
    const makeQueue = (): ParanoidPirateQueue =>
      new ParanoidPirateQueue({
        frontend,
        backend,
        context,
        heartbeatInterval: 50,
        onEvent: (e) => {
          if (e.type === "worker:ready") queueEvents.push(e.worker.toString())
        },
      })
    const events: ParanoidPirateWorkerEvent[] = []
    const worker = new ParanoidPirateWorker({
      queue: backend,
      context,
      heartbeatInterval: 50,
      reconnectInterval: 50,
      routingId: (generation) => `worker.${generation}`,
      handler: ([body]) => `ok ${body!.toString()}`,
      onEvent: (e) => events.push(e),
    })
    const first = makeQueue()
    await first.start()
    await worker.start()
    const client = new LazyPirateClient({ endpoint: frontend, context, timeout: 1000, retries: 5 })
    try {
      expect((await client.request("1"))[0]!.toString()).toBe("ok 1")
      await first.stop()
      const stoppedAt = performance.now()
      while (!events.some((e) => e.type === "heartbeat-failure")) await within(sleep(5), 3000, "heartbeat failure")
      // It noticed within liveness × interval (+ slack), not before (liveness − 1) × interval.
      const noticed = performance.now() - stoppedAt
      expect(noticed).toBeGreaterThanOrEqual(100 - 20)
      expect(noticed).toBeLessThan(150 + SLACK)
      const second = makeQueue()
      await second.start()
      try {
        expect((await within(client.request("2"), 5000, "a reply from the restarted queue"))[0]!.toString()).toBe("ok 2")
        expect(queueEvents[0]).toBe("worker.0")
        expect(queueEvents.at(-1)).toMatch(/^worker\.[1-9]\d*$/) // a new socket, READY again
        expect(worker.connections).toBeGreaterThanOrEqual(2)
      } finally {
        await second.stop()
      }
    } finally {
      client.close()
      worker.close()
      await worker.done()
    }
  })

  it("backs off exponentially while the queue is gone, from reconnectInterval up to reconnectIntervalMax", async () => {
    context = new Context()
    const waits: number[] = []
    const worker = new ParanoidPirateWorker({
      queue: await fixedAddress("tcp", "nobody"),
      context,
      heartbeatInterval: 10,
      liveness: 1,
      reconnectInterval: 5,
      reconnectIntervalMax: 40,
      handler: () => "",
      onEvent: (e) => {
        if (e.type === "heartbeat-failure") waits.push(e.reconnectIn)
      },
    })
    await worker.start()
    while (waits.length < 6) await within(sleep(5), 3000, "six reconnects")
    worker.close()
    await worker.done()
    expect(waits.slice(0, 6)).toEqual([5, 10, 20, 40, 40, 40])
  })

  it("keeps heartbeating while its handler works, so a slow request is no false failure", async () => {
    context = new Context()
    const expired: string[] = []
    const queue = new ParanoidPirateQueue({
      frontend: "tcp://127.0.0.1:*",
      backend: "tcp://127.0.0.1:*",
      context,
      heartbeatInterval: 30,
      onEvent: (e) => {
        if (e.type === "worker:expired") expired.push(e.worker.toString())
      },
    })
    await queue.start()
    const worker = new ParanoidPirateWorker({
      queue: queue.backendEndpoints[0]!,
      context,
      heartbeatInterval: 30,
      handler: async () => {
        await sleep(400) // > liveness × interval
        return "slow but alive"
      },
    })
    await worker.start()
    const client = new LazyPirateClient({ endpoint: queue.frontendEndpoints[0]!, context, timeout: 3000, retries: 1 })
    try {
      expect((await client.request("x"))[0]!.toString()).toBe("slow but alive")
      expect(expired).toEqual([])
      expect(worker.connections).toBe(1)
    } finally {
      client.close()
      worker.close()
      await queue.stop()
    }
  })

  it("a handler that throws ends the worker with its error (the Guide's simulated crash)", async () => {
    context = new Context()
    const queue = new ParanoidPirateQueue({ frontend: "tcp://127.0.0.1:*", backend: "tcp://127.0.0.1:*", context })
    await queue.start()
    const worker = new ParanoidPirateWorker({
      queue: queue.backendEndpoints[0]!,
      context,
      handler: () => {
        throw new Error("simulating a crash")
      },
    })
    await worker.start()
    const client = new LazyPirateClient({ endpoint: queue.frontendEndpoints[0]!, context, timeout: 200, retries: 1 })
    try {
      const request = client.request("1").catch((e: unknown) => e)
      await expect(within(worker.done(), 2000, "the crash")).rejects.toThrow("simulating a crash")
      const error = await request
      expect(PatternError.isInstance(error) && error.code).toBe(PatternErrorCode.TIMEOUT)
    } finally {
      client.close()
      await queue.stop()
    }
  })

  it("reads PPP as RFC 6 defines it", () => {
    const b = (...bytes: number[]): Buffer => Buffer.from(bytes)
    expect(parsePpp([b(1)])).toEqual({ type: "ready" })
    expect(parsePpp([b(2)])).toEqual({ type: "heartbeat" })
    expect(parsePpp([b(3)])).toEqual({ type: "invalid" })
    expect(parsePpp([Buffer.from("client"), b(), Buffer.from("body")])).toEqual({
      type: "envelope",
      address: [Buffer.from("client")],
      body: [Buffer.from("body")],
    })
    expect(parsePpp([b(), Buffer.from("body")])).toEqual({ type: "envelope", address: [], body: [Buffer.from("body")] })
    expect(parsePpp([Buffer.from("client"), b()])).toEqual({ type: "invalid" }) // no content
    expect(parsePpp([Buffer.from("a"), Buffer.from("b")])).toEqual({ type: "invalid" }) // no terminator
  })
})
