/**
 * The Simple Pirate queue with Lazy Pirate clients and workers that crash:
 *
 *   LazyPirateClient ×1–2 ──▶ frontend ROUTER ══ SimplePirateQueue (LRU) ══ backend ROUTER ◀── SimplePirateWorker ×2–4
 *
 * Workers crash (their handler throws, or they are closed at some moment) while holding a request or while
 * idle; one worker never does. The queue has no reliability of its own: a request given to a dead worker is
 * lost and its client resends it.
 *
 * Property: with more retries than crashing workers, every request is answered exactly once from the
 * client's view, with its own reply, by a worker that completed it; and the queue only ever gives a request
 * to a worker that is idle by its own account (READY or replied since its last request).
 * Seeded mutation: a queue that leaves the worker on the idle list when it gives it a request (it gives
 * requests to busy and dead workers) is caught.
 */
import { Context } from "@zmq-ts/core"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import {
  LazyPirateClient,
  SimplePirateQueue,
  SimplePirateWorker,
  type SimplePirateEvent,
  type SimplePirateQueueOptions,
} from "../src/index.js"
import { bindAddress, sleep, within, type TransportName } from "./helpers/endpoints.js"

type Fault = { readonly kind: "holding"; readonly atRequest: number } | { readonly kind: "close"; readonly afterMs: number }

interface Scenario {
  readonly transport: TransportName
  readonly clients: number
  readonly requestsPerClient: number
  readonly faults: readonly Fault[]
  readonly delays: readonly number[]
}

const fault: fc.Arbitrary<Fault> = fc.oneof(
  fc.record({ kind: fc.constant("holding" as const), atRequest: fc.integer({ min: 1, max: 3 }) }),
  fc.record({ kind: fc.constant("close" as const), afterMs: fc.integer({ min: 0, max: 150 }) }),
)

const scenario: fc.Arbitrary<Scenario> = fc.record({
  transport: fc.constantFrom<TransportName>("tcp", "inproc"),
  clients: fc.integer({ min: 1, max: 2 }),
  requestsPerClient: fc.integer({ min: 1, max: 5 }),
  faults: fc.array(fault, { maxLength: 3 }),
  delays: fc.array(fc.integer({ min: 0, max: 10 }), { minLength: 1, maxLength: 8 }),
})

const TIMEOUT = 300

type QueueFactory = (options: SimplePirateQueueOptions) => SimplePirateQueue

async function runScenario(s: Scenario, makeQueue: QueueFactory): Promise<boolean> {
  const context = new Context()
  const events: SimplePirateEvent[] = []
  let violation: Error | undefined
  let violated: (error: Error) => void = () => {}
  const violatedPromise = new Promise<never>((_, reject) => (violated = reject))
  violatedPromise.catch(() => {})
  const state = new Map<string, "idle" | "busy">()
  const queue = makeQueue({
    frontend: bindAddress(s.transport, "sp-front"),
    backend: bindAddress(s.transport, "sp-back"),
    context,
    onEvent: (event) => {
      events.push(event)
      const worker = event.worker.toString()
      if (event.type === "dispatch") {
        if (state.get(worker) !== "idle" && violation === undefined) {
          violation = new Error(`request given to ${worker} while ${state.get(worker) ?? "unknown"}`)
          violated(violation)
        }
        state.set(worker, "busy")
      } else state.set(worker, "idle")
    },
  })
  const workers: SimplePirateWorker[] = []
  const clients: LazyPirateClient[] = []
  const timers: Array<ReturnType<typeof setTimeout>> = []
  /** request → the workers that completed it. */
  const completed = new Map<string, string[]>()
  try {
    await queue.start()
    const backend = queue.backendEndpoints[0]!
    const specs: Array<Fault | undefined> = [undefined, ...s.faults]
    let delay = 0
    for (const [i, spec] of specs.entries()) {
      const name = `w${i}`
      let handled = 0
      const worker = new SimplePirateWorker({
        queue: backend,
        context,
        requestOptions: { routingId: name },
        handler: async ([body]) => {
          handled++
          if (spec?.kind === "holding" && handled === spec.atRequest) throw new Error(`${name} crashes holding ${body!.toString()}`)
          await sleep(s.delays[delay++ % s.delays.length]!)
          const request = body!.toString()
          completed.set(request, [...(completed.get(request) ?? []), name])
          return `${request}|${name}`
        },
      })
      workers.push(worker)
      await worker.start()
      worker.done().catch(() => {}) // a crash is the point
      if (spec?.kind === "close") timers.push(setTimeout(() => worker.close(), spec.afterMs))
    }
    const retries = s.faults.length + 1
    const results = await within(
      Promise.race([violatedPromise, Promise.all(
        Array.from({ length: s.clients }, async (_, c) => {
          const client = new LazyPirateClient({ endpoint: queue.frontendEndpoints[0]!, context, timeout: TIMEOUT, retries })
          clients.push(client)
          const replies: string[] = []
          for (let n = 0; n < s.requestsPerClient; n++) replies.push((await client.request(`c${c}-${n}`))[0]!.toString())
          return replies
        }),
      )]),
      TIMEOUT * (retries + 1) * s.clients * s.requestsPerClient + 2000,
      "every request to end",
    )
    if (violation !== undefined) throw violation
    for (const [c, replies] of results.entries()) {
      replies.forEach((reply, n) => {
        const [request, worker] = reply.split("|")
        expect(request).toBe(`c${c}-${n}`)
        expect(completed.get(request!)).toContain(worker)
      })
    }
    return true
  } finally {
    for (const timer of timers) clearTimeout(timer)
    for (const client of clients) client.close()
    for (const worker of workers) worker.close()
    await queue.stop()
    context.terminate()
  }
}

/** The seeded mutation: hands out the least recently used worker but leaves it on the idle list. */
class KeepsBusyWorkersIdle extends SimplePirateQueue {
  protected override nextWorker(idle: Buffer[]): Buffer {
    return idle[0]!
  }
}

describe("SimplePirateQueue", () => {
  it("with Lazy Pirate clients, answers every request once with its own reply while workers crash holding requests or idle", async () => {
    await fc.assert(
      fc.asyncProperty(scenario, (s) => runScenario(s, (options) => new SimplePirateQueue(options))),
      { numRuns: 12, interruptAfterTimeLimit: 15_000 },
    )
  }, 30_000)

  it("the property catches a queue that leaves a worker on the idle list when it gives it a request", async () => {
    const busy = scenario.filter((s) => s.clients * s.requestsPerClient >= 2)
    const result = await fc.check(
      fc.asyncProperty(busy, (s) => runScenario(s, (options) => new KeepsBusyWorkersIdle(options))),
      { numRuns: 5 },
    )
    expect(result.failed).toBe(true)
  }, 30_000)
})

describe("SimplePirateQueue, one case at a time", () => {
  it("hands requests to the least recently used worker, READY being the single byte 0x01", async () => {
    const context = new Context()
    const queue = new SimplePirateQueue({ frontend: bindAddress("inproc", "f"), backend: bindAddress("inproc", "b"), context })
    try {
      await queue.start()
      const workers = ["A", "B", "C"].map(
        (name) => new SimplePirateWorker({ queue: queue.backendEndpoints[0]!, context, requestOptions: { routingId: name }, handler: () => name }),
      )
      for (const [i, worker] of workers.entries()) {
        await worker.start()
        while (queue.idleWorkers < i + 1) await sleep(1)
      }
      const client = new LazyPirateClient({ endpoint: queue.frontendEndpoints[0]!, context, timeout: 2000 })
      const order: string[] = []
      for (let i = 0; i < 6; i++) order.push((await client.request("x"))[0]!.toString())
      expect(order).toEqual(["A", "B", "C", "A", "B", "C"])
      client.close()
      for (const worker of workers) worker.close()
    } finally {
      await queue.stop()
      context.terminate()
    }
  })

  it("a handler that throws ends the worker with its error (the Guide's simulated crash)", async () => {
    const context = new Context()
    const queue = new SimplePirateQueue({ frontend: bindAddress("inproc", "f"), backend: bindAddress("inproc", "b"), context })
    try {
      await queue.start()
      const worker = new SimplePirateWorker({
        queue: queue.backendEndpoints[0]!,
        context,
        handler: () => {
          throw new Error("simulating a crash")
        },
      })
      await worker.start()
      const client = new LazyPirateClient({ endpoint: queue.frontendEndpoints[0]!, context, timeout: 100, retries: 1 })
      const request = client.request("1").catch((e: unknown) => e)
      await expect(within(worker.done(), 2000, "the worker to crash")).rejects.toThrow("simulating a crash")
      expect(worker.socket.closed).toBe(true)
      await request
      client.close()
    } finally {
      await queue.stop()
      context.terminate()
    }
  })
})
