/**
 * The load-balancing broker (the Guide's lbbroker), with workers joining and leaving:
 *
 *   clients (REQ) ×1–4 ──▶ frontend ROUTER ══ LRU queue ══ backend ROUTER ◀── workers (REQ) joining/leaving
 *
 * Property: for any sequence of client requests, worker joins and graceful leaves (LEAVE … BYE) and reply
 * delays, over inproc and tcp, every request is answered exactly once, by a worker that was idle when the
 * broker gave it the request (it had announced READY, and its previous request had been answered — both
 * by the broker's account and by the worker's own log), and each reply reaches the client that asked.
 */
import { Context, Request, type Message } from "@zmq-ts/core"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { LoadBalancingBroker, LoadBalancingWorker, type LoadBalancingEvent } from "../src/index.js"
import { bindAddress, sleep, within, type TransportName } from "./helpers/endpoints.js"

type Action =
  | { readonly kind: "request"; readonly client: number; readonly delay: number }
  | { readonly kind: "join" }
  | { readonly kind: "leave"; readonly worker: number }
  | { readonly kind: "pause"; readonly ms: number }

interface Scenario {
  readonly transport: TransportName
  readonly clients: number
  readonly initialWorkers: number
  readonly actions: readonly Action[]
}

const action: fc.Arbitrary<Action> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant("request" as const), client: fc.nat(3), delay: fc.integer({ min: 0, max: 8 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("join" as const) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("leave" as const), worker: fc.nat(5) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("pause" as const), ms: fc.integer({ min: 0, max: 4 }) }) },
)

const scenario: fc.Arbitrary<Scenario> = fc.record({
  transport: fc.constantFrom<TransportName>("inproc", "tcp"),
  clients: fc.integer({ min: 1, max: 4 }),
  initialWorkers: fc.integer({ min: 0, max: 3 }),
  actions: fc.array(action, { minLength: 1, maxLength: 40, size: "medium" }),
})

type LogEntry =
  | (LoadBalancingEvent & { readonly seq: number })
  | { readonly type: "handler:start" | "handler:done"; readonly seq: number; readonly worker: string; readonly request: string }

async function runScenario(s: Scenario): Promise<void> {
  const context = new Context()
  const log: LogEntry[] = []
  let seq = 0
  // Checked as it happens, so a broken broker fails at once rather than by a client waiting forever.
  const model = new Map<string, "idle" | "busy" | "gone">()
  const finished = new Map<string, number>()
  let violation: (error: Error) => void = () => {}
  const violated = new Promise<never>((_, reject) => (violation = reject))
  violated.catch(() => {})
  const check = (event: LoadBalancingEvent): void => {
    const worker = event.worker.toString()
    const state = model.get(worker)
    if (event.type === "worker:ready") model.set(worker, "idle")
    else if (event.type === "worker:leave") model.set(worker, "gone")
    else if (event.type === "reply") model.set(worker, "idle")
    else if (event.type === "dispatch") {
      const dispatched = log.filter((e) => e.type === "dispatch" && e.worker.toString() === worker).length
      if (state !== "idle" || (finished.get(worker) ?? 0) !== dispatched) {
        violation(new Error(`request dispatched to ${worker} while ${state ?? "unknown"} (${finished.get(worker) ?? 0} of its ${dispatched} earlier requests done)`))
      }
      model.set(worker, "busy")
    }
  }
  const broker = new LoadBalancingBroker({
    frontend: bindAddress(s.transport, "lb-front"),
    backend: bindAddress(s.transport, "lb-back"),
    context,
    onEvent: (event) => {
      check(event)
      log.push({ ...event, seq: seq++ })
    },
  })
  const live: LoadBalancingWorker[] = []
  const leaving: Array<Promise<void>> = []
  const clients: Request[] = []
  let workerCount = 0
  try {
    await broker.start()
    const frontend = broker.frontendEndpoints[0]!
    const backend = broker.backendEndpoints[0]!

    const join = async (): Promise<void> => {
      const name = `w${workerCount++}`
      const worker = new LoadBalancingWorker({
        broker: backend,
        context,
        requestOptions: { routingId: name },
        handler: async ([body]) => {
          const request = body!.toString()
          log.push({ type: "handler:start", seq: seq++, worker: name, request })
          await sleep(Number(request.split("-")[2]))
          log.push({ type: "handler:done", seq: seq++, worker: name, request })
          finished.set(name, (finished.get(name) ?? 0) + 1)
          return `${request}|${name}`
        },
      })
      live.push(worker)
      await worker.start()
    }

    const sent: string[][] = []
    const replies: Array<{ client: number; request: string; reply: string }> = []
    const chains: Array<Promise<void>> = []
    for (let c = 0; c < s.clients; c++) {
      const client = new Request({ context })
      client.connect(frontend)
      clients.push(client)
      sent.push([])
      chains.push(Promise.resolve())
    }

    for (let i = 0; i < s.initialWorkers; i++) await join()
    let requestNumber = 0
    for (const a of s.actions) {
      if (a.kind === "request") {
        const c = a.client % s.clients
        const request = `c${c}-${requestNumber++}-${a.delay}`
        sent[c]!.push(request)
        const client = clients[c]!
        chains[c] = chains[c]!.then(async () => {
          await client.send(request)
          const [reply] = await client.receive()
          replies.push({ client: c, request, reply: reply!.toString() })
        })
      } else if (a.kind === "join") {
        await join()
      } else if (a.kind === "leave") {
        if (live.length === 0) continue
        const [worker] = live.splice(a.worker % live.length, 1)
        leaving.push(worker!.stop({ timeout: 5000 }))
      } else {
        await sleep(a.ms)
      }
    }
    if (live.length === 0) await join() // someone must be left to answer
    await within(Promise.race([Promise.all(chains), violated]), 5000, "every client to get its replies")
    await within(Promise.race([Promise.all(leaving), violated]), 5000, "leaving workers to get BYE")

    // Every request answered exactly once, and each reply reached the client that asked (in its order).
    const requests = sent.flat()
    expect(replies).toHaveLength(requests.length)
    for (let c = 0; c < s.clients; c++) {
      const mine = replies.filter((r) => r.client === c)
      expect(mine.map((r) => r.request)).toEqual(sent[c])
      for (const r of mine) expect(r.reply.startsWith(`${r.request}|w`)).toBe(true)
    }
    const starts = log.filter((e) => e.type === "handler:start")
    expect(starts.map((e) => (e as { request: string }).request).sort()).toEqual([...requests].sort())

    // Each dispatch went to a worker that was idle: READY seen, not left, and its previous request answered
    // (the broker routed the reply, and the worker's handler had finished).
    const dispatches = log.filter((e) => e.type === "dispatch")
    expect(dispatches).toHaveLength(requests.length)
    for (const d of dispatches) {
      const worker = (d as { worker: Buffer }).worker.toString()
      const before = log.filter((e) => e.seq < d.seq && "worker" in e && String((e as { worker: unknown }).worker) === worker)
      expect(before.some((e) => e.type === "worker:ready")).toBe(true)
      expect(before.some((e) => e.type === "worker:leave")).toBe(false)
      const previous = before.filter((e) => e.type === "dispatch").length
      expect(before.filter((e) => e.type === "reply")).toHaveLength(previous)
      expect(before.filter((e) => e.type === "handler:done")).toHaveLength(previous)
    }
    // The worker's own view: it never started a request before finishing the one before.
    const byWorker = new Map<string, string[]>()
    for (const e of log) {
      if (e.type !== "handler:start" && e.type !== "handler:done") continue
      const list = byWorker.get(e.worker) ?? []
      list.push(e.type)
      byWorker.set(e.worker, list)
    }
    for (const list of byWorker.values()) list.forEach((type, i) => expect(type).toBe(i % 2 === 0 ? "handler:start" : "handler:done"))
  } finally {
    for (const worker of live) worker.close()
    for (const client of clients) client.close()
    await broker.stop()
    context.terminate()
  }
}

describe("LoadBalancingBroker", () => {
  it("answers every request exactly once, by an idle worker, to the client that asked, while workers join and leave", async () => {
    await fc.assert(fc.asyncProperty(scenario, runScenario), { numRuns: 40, interruptAfterTimeLimit: 12_000 })
  }, 30_000)
})

describe("LoadBalancingBroker, one case at a time", () => {
  it("hands each request to the least recently used idle worker", async () => {
    const context = new Context()
    const broker = new LoadBalancingBroker({ frontend: bindAddress("inproc", "f"), backend: bindAddress("inproc", "b"), context })
    try {
      await broker.start()
      const workers = ["A", "B", "C"].map(
        (name) =>
          new LoadBalancingWorker({
            broker: broker.backendEndpoints[0]!,
            context,
            requestOptions: { routingId: name },
            handler: () => name,
          }),
      )
      for (const worker of workers) {
        await worker.start()
        while (broker.idleWorkers < workers.indexOf(worker) + 1) await sleep(1)
      }
      const client = new Request({ context })
      client.connect(broker.frontendEndpoints[0]!)
      const order: string[] = []
      for (let i = 0; i < 6; i++) {
        await client.send("x")
        order.push((await within(client.receive(), 2000, "reply"))[0]!.toString())
      }
      expect(order).toEqual(["A", "B", "C", "A", "B", "C"])
      for (const worker of workers) await worker.stop({ timeout: 2000 })
      expect(workers.map((w) => w.handled)).toEqual([2, 2, 2])
    } finally {
      await broker.stop()
      context.terminate()
    }
  })

  it("works with the Guide's own worker (REQ, READY, [client, '', reply]) and notices a vanished idle worker", async () => {
    const context = new Context()
    const events: string[] = []
    const broker = new LoadBalancingBroker({
      frontend: "tcp://127.0.0.1:*",
      backend: "tcp://127.0.0.1:*",
      context,
      onEvent: (event) => events.push(`${event.type} ${event.worker.toString()}`),
    })
    try {
      await broker.start()
      // A worker that vanishes without LEAVE while idle.
      const ghost = new Request({ context, routingId: "ghost" })
      ghost.connect(broker.backendEndpoints[0]!)
      await ghost.send("READY")
      while (broker.idleWorkers < 1) await sleep(1)
      const gone = new Promise<void>((resolve) => broker.backend.events.on("disconnect", () => resolve()))
      ghost.close()
      // The Guide's worker, by hand.
      const guide = new Request({ context, routingId: "guide" })
      guide.connect(broker.backendEndpoints[0]!)
      await guide.send("READY")
      const serving = (async () => {
        const [client, empty, request] = await guide.receive()
        expect(empty!.length).toBe(0)
        await guide.send([client!, "", `OK ${request!.toString()}`])
      })()
      while (broker.idleWorkers < 2) await sleep(1)
      await within(gone, 2000, "the broker to see the ghost's connection close")
      const client = new Request({ context })
      client.connect(broker.frontendEndpoints[0]!)
      await client.send("HELLO")
      expect((await within(client.receive(), 3000, "reply"))[0]!.toString()).toBe("OK HELLO")
      await serving
      expect(events).toContain("worker:lost ghost")
      expect(events).toContain("dispatch guide")
      guide.close()
      client.close()
    } finally {
      await broker.stop()
      context.terminate()
    }
  })

  it("a worker whose broker is gone stops after its leave timeout", async () => {
    const context = new Context()
    try {
      const worker = new LoadBalancingWorker({ broker: bindAddress("inproc", "nobody"), context, handler: () => "" })
      await worker.start()
      const started = performance.now()
      await worker.stop({ timeout: 50 })
      expect(performance.now() - started).toBeGreaterThanOrEqual(45)
      expect(worker.socket.closed).toBe(true)
    } finally {
      context.terminate()
    }
  })

  it("a handler that throws ends the worker with its error", async () => {
    const context = new Context()
    const broker = new LoadBalancingBroker({ frontend: bindAddress("inproc", "f"), backend: bindAddress("inproc", "b"), context })
    try {
      await broker.start()
      const worker = new LoadBalancingWorker({
        broker: broker.backendEndpoints[0]!,
        context,
        handler: () => {
          throw new Error("boom")
        },
      })
      await worker.start()
      const client = new Request({ context })
      client.connect(broker.frontendEndpoints[0]!)
      await client.send("x")
      await expect(within(worker.done(), 2000, "the worker to fail")).rejects.toThrow("boom")
      expect(worker.socket.closed).toBe(true)
    } finally {
      await broker.stop()
      context.terminate()
    }
  })
})
