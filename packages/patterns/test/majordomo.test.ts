/**
 * The Majordomo broker, client and worker (RFC 7 MDP/0.1, RFC 8 MMI) against a model, with faults:
 *
 *   clients (MajordomoClient, REQ) ──▶ MajordomoBroker (ROUTER) ◀── workers (MajordomoWorker, DEALER)
 *                                      services a, b, c
 *
 * 1. Routing and recovery: any set of workers per service, some of which die holding a request (their
 *    context is terminated: no DISCONNECT, as a crash), and replies lost on their way to the client. Every
 *    request for a served service is answered, in order per client, by a worker of that service (the reply
 *    names the service its worker serves); a request for a service nobody serves gives `undefined` once the
 *    retries are spent.
 * 2. Heartbeats and MMI: workers register, then some crash and some leave (DISCONNECT). Once the heartbeats
 *    of the dead have stopped for `heartbeat × liveness`, the broker has expired them, and `mmi.service`
 *    answers "200" exactly for the services a live worker serves, "404" for the others, "501" for unknown
 *    mmi.* services.
 * 3. Broker restart: the broker is closed mid-run and a new one binds the same endpoint; workers notice
 *    (DISCONNECT for their heartbeats, or silence) and register again, and the clients' retries are answered.
 *
 * The seeded mutations (a broker whose ROUTER hands REQUESTs to any service's worker; one that keeps
 * dead workers because it never stops hearing heartbeats) are shown to be caught by properties 1 and 2.
 */
import { Context, Router, type Message, type MessageLike, type RouterOptions } from "@zmq-ts/core"
import fc from "fast-check"
import { afterEach, describe, expect, it } from "vitest"
import { MajordomoBroker, MajordomoClient, MajordomoWorker, MdpCommand, PatternError, PatternErrorCode } from "../src/index.js"
import { workerCommand } from "../src/majordomo-protocol.js"
import { bindAddress, fixedAddress, sleep, within } from "./helpers/endpoints.js"

const HEARTBEAT = 100
const LIVENESS = 3
const SERVICES = ["a", "b", "c"] as const
type ServiceName = (typeof SERVICES)[number]

/** Everything a test made, closed after it whatever happened. */
const cleanups: Array<() => void> = []
afterEach(() => {
  for (const cleanup of cleanups.splice(0).reverse()) {
    try {
      cleanup()
    } catch {
      // already closed
    }
  }
})

/** A worker in its own context, so terminating the context is a crash (no DISCONNECT is sent). */
interface TestWorker {
  readonly service: ServiceName
  readonly worker: MajordomoWorker
  readonly context: Context
  readonly handled: string[]
  readonly done: Promise<void>
  crash(): void
}

function startWorker(endpoint: string, service: ServiceName, crashOnRequest?: number): TestWorker {
  const context = new Context()
  const worker = new MajordomoWorker(endpoint, service, { heartbeat: HEARTBEAT, liveness: LIVENESS, reconnect: HEARTBEAT, context })
  const handled: string[] = []
  const crash = (): void => context.terminate()
  cleanups.push(() => {
    worker.close()
    context.terminate()
  })
  const done = worker
    .serve((request) => {
      handled.push(request.map(String).join("|"))
      // Dies holding the request: the reply is never sent.
      if (crashOnRequest !== undefined && handled.length === crashOnRequest) crash()
      return [service, ...request]
    })
    .catch((error: unknown) => {
      // A crashed worker's receive() ends with CLOSED (its context was terminated under it).
      if (!(PatternError.isInstance(error) && error.code === PatternErrorCode.CLOSED)) throw error
    })
  return { service, worker, context, handled, done, crash }
}

/** How a test changes the broker's ROUTER: a fault (a lost reply) or a mutation, made here, not in the broker. */
interface RouterTamper {
  /** Each message the broker sends; what goes out instead (undefined: dropped). */
  send?(frames: Buffer[]): Buffer[] | undefined
  /** Each message the broker receives, before the broker sees it. */
  received?(frames: Message[]): void
  /** A message to hand the broker before the next real one (forged input). */
  forge?(): Message[] | undefined
}

function tamperedRouter(tamper: RouterTamper): (options: RouterOptions) => Router {
  // A sealed socket takes no instance fields: the tamper is captured by the class.
  class TamperedRouter extends Router {
    override send(message: MessageLike | readonly MessageLike[]): Promise<void> {
      const frames = (message as readonly Buffer[]).map((frame) => (typeof frame === "string" ? Buffer.from(frame) : frame))
      const changed = tamper.send === undefined ? frames : tamper.send(frames)
      return changed === undefined ? Promise.resolve() : super.send(changed)
    }

    override get readable(): boolean {
      return super.readable || pending.length > 0
    }

    // Typed `never`: the base declares Promise<Received<this>> (a Router's is Message[]), not expressible here.
    override receive(): Promise<never> {
      const forged = pending.shift() ?? tamper.forge?.()
      if (forged !== undefined) return Promise.resolve(forged) as Promise<never>
      return super.receive().then((message: Message[]) => {
        tamper.received?.(message)
        return message
      }) as Promise<never>
    }
  }
  const pending: Message[][] = []
  return (options) => {
    const socket = new TamperedRouter(options)
    if (tamper.forge !== undefined) {
      // Forged input is handed over when the broker polls: make it look readable while some is due.
      const forge = tamper.forge
      tamper.forge = () => undefined
      const tick = setInterval(() => {
        const message = forge()
        if (message !== undefined) pending.push(message)
      }, HEARTBEAT / 2)
      cleanups.push(() => clearInterval(tick))
    }
    return socket
  }
}

async function startBroker(endpoint: string, tamper?: RouterTamper): Promise<MajordomoBroker> {
  const options = { heartbeat: HEARTBEAT, liveness: LIVENESS }
  const broker =
    tamper === undefined
      ? new MajordomoBroker(options)
      : new (class extends MajordomoBroker {
          protected override createSocket(socketOptions: RouterOptions): Router {
            return tamperedRouter(tamper)(socketOptions)
          }
        })(options)
  cleanups.push(() => broker.close())
  await broker.bind(endpoint)
  return broker
}

async function until(test: () => boolean, ms: number, label: string): Promise<void> {
  const end = performance.now() + ms
  while (!test()) {
    if (performance.now() > end) throw new Error(`timed out after ${ms} ms: ${label}`)
    await sleep(10)
  }
}

const isRequestToWorker = (frames: readonly Buffer[]): boolean => frames[2]?.toString() === "MDPW01" && frames[3]?.[0] === MdpCommand.REQUEST
const isReplyToClient = (frames: readonly Buffer[]): boolean => frames[2]?.toString() === "MDPC01"
const isReady = (frames: readonly Buffer[]): boolean => frames[2]?.toString() === "MDPW01" && frames[3]?.[0] === MdpCommand.READY

// ---------------------------------------------------------------------------------------------------------
// 1. Routing and recovery

interface RoutingScenario {
  /** Per service: healthy workers (0 = nobody serves it) and workers that die on their n-th request. */
  readonly workers: Readonly<Record<ServiceName, { readonly healthy: number; readonly crashing: readonly number[] }>>
  /** Per client: the services it asks, in order. */
  readonly clients: readonly (readonly ServiceName[])[]
  /** Which replies (by their order at the broker) are lost on the way to the client. */
  readonly lostReplies: readonly number[]
}

const workersOf: fc.Arbitrary<{ healthy: number; crashing: number[] }> = fc.record({
  healthy: fc.integer({ min: 0, max: 2 }),
  crashing: fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 2 }),
})

const routingScenario: fc.Arbitrary<RoutingScenario> = fc.record({
  workers: fc.record({ a: workersOf, b: workersOf, c: workersOf }).map((w) => ({ ...w, a: { ...w.a, healthy: Math.max(1, w.a.healthy) } })),
  clients: fc.array(fc.array(fc.constantFrom(...SERVICES), { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 3 }),
  lostReplies: fc.uniqueArray(fc.nat(12), { maxLength: 2 }),
})

async function runRouting(s: RoutingScenario, mutant?: RouterTamper): Promise<void> {
  let replies = 0
  // The fault: some replies are lost between the broker and their client.
  const lose = (frames: Buffer[]): Buffer[] | undefined => (isReplyToClient(frames) && s.lostReplies.includes(replies++) ? undefined : frames)
  const broker = await startBroker(bindAddress("tcp", "md"), {
    send: (frames) => {
      const kept = lose(frames)
      return kept === undefined || mutant?.send === undefined ? kept : mutant.send(kept)
    },
    ...(mutant?.received === undefined ? {} : { received: mutant.received }),
  })
  const endpoint = broker.endpoints[0]!
  const workers: TestWorker[] = []
  for (const service of SERVICES) {
    const { healthy, crashing } = s.workers[service]
    for (const n of crashing) workers.push(startWorker(endpoint, service, n))
    for (let i = 0; i < healthy; i++) workers.push(startWorker(endpoint, service))
  }
  // Registration is asynchronous: wait until the broker knows every worker.
  await until(() => broker.workerCount === workers.length, 5000, "workers registered")
  const served = (service: ServiceName): boolean => s.workers[service].healthy > 0
  // Enough tries for every fault that can hit one request: each crash, each lost reply, plus one.
  const faults = SERVICES.reduce((n, service) => n + s.workers[service].crashing.length, 0) + s.lostReplies.length
  const results = await Promise.all(
    s.clients.map(async (services, c) => {
      const client = new MajordomoClient(endpoint, { timeout: 250, retries: faults + 2 })
      cleanups.push(() => client.close())
      const replies: Array<string[] | undefined> = []
      for (const [i, service] of services.entries()) {
        if (!served(service) && s.workers[service].crashing.length === 0) {
          // Nobody serves it: mdcli_send gives up (a short-lived client, to keep the test quick).
          const probe = new MajordomoClient(endpoint, { timeout: 150, retries: 1 })
          cleanups.push(() => probe.close())
          replies.push((await probe.request(service, [`${c}.${i}`]))?.map(String))
          probe.close()
          continue
        }
        if (!served(service)) continue // only crashing workers: the outcome depends on timing, not asserted
        replies.push((await client.request(service, [`${c}.${i}`]))?.map(String))
      }
      client.close()
      return replies
    }),
  )
  // The model: each request for a served service is answered by a worker of that service, in order.
  s.clients.forEach((services, c) => {
    const expected = services.flatMap((service, i): Array<string[] | undefined> => {
      if (served(service)) return [[service, `${c}.${i}`]]
      return s.workers[service].crashing.length === 0 ? [undefined] : []
    })
    expect(results[c]).toEqual(expected)
  })
  // And by the workers' own account: each handled only requests for its service (request bodies name their
  // client and position; the client's list says which service each was for).
  for (const worker of workers) {
    for (const request of worker.handled) {
      const [c, i] = request.split(".").map(Number)
      expect(s.clients[c!]![i!]).toBe(worker.service)
    }
  }
}

// ---------------------------------------------------------------------------------------------------------
// 2. Heartbeats and MMI

type Fate = "alive" | "crash" | "leave"
interface ExpiryScenario {
  readonly workers: readonly { readonly service: ServiceName; readonly fate: Fate }[]
  readonly unknownMmi: string
}

const expiryScenario: fc.Arbitrary<ExpiryScenario> = fc.record({
  workers: fc.array(fc.record({ service: fc.constantFrom(...SERVICES), fate: fc.constantFrom<Fate>("alive", "crash", "leave") }), { maxLength: 5 }),
  unknownMmi: fc.constantFrom("mmi.services", "mmi.stats", "mmi.", "mmi.SERVICE"),
})

async function runExpiry(s: ExpiryScenario, mutant?: RouterTamper): Promise<void> {
  const broker = await startBroker(bindAddress("tcp", "md"), mutant)
  const endpoint = broker.endpoints[0]!
  const workers = s.workers.map(({ service }) => startWorker(endpoint, service))
  await until(() => broker.workerCount === workers.length, 5000, "workers registered")
  s.workers.forEach(({ fate }, i) => {
    if (fate === "crash") workers[i]!.crash()
    else if (fate === "leave") workers[i]!.worker.close()
  })
  // The dead are expired once silent for heartbeat × liveness; a purge runs every heartbeat.
  await sleep(HEARTBEAT * (LIVENESS + 2))
  const client = new MajordomoClient(endpoint, { timeout: 1000, retries: 1 })
  cleanups.push(() => client.close())
  const ask = async (service: string, body: string): Promise<string | undefined> => (await client.request(service, [body]))?.map(String).join("|")
  for (const service of SERVICES) {
    const alive = s.workers.filter((w) => w.service === service && w.fate === "alive").length
    expect(await ask("mmi.service", service), `mmi.service ${service}`).toBe(alive > 0 ? "200" : "404")
    expect(broker.workersOf(service)).toBe(alive)
  }
  expect(await ask("mmi.service", "nobody")).toBe("404")
  expect(await ask(s.unknownMmi, "a")).toBe("501")
  expect(broker.workerCount).toBe(s.workers.filter((w) => w.fate === "alive").length)
  client.close()
}

// ---------------------------------------------------------------------------------------------------------
// 3. Broker restart

interface RestartScenario {
  readonly workers: number
  readonly requests: number
  readonly restartAfter: number
  readonly downFor: number
}

const restartScenario: fc.Arbitrary<RestartScenario> = fc.record({
  workers: fc.integer({ min: 1, max: 3 }),
  requests: fc.integer({ min: 4, max: 12 }),
  restartAfter: fc.integer({ min: 0, max: 3 }),
  // Shorter and longer than the workers' liveness (300 ms): DISCONNECT for an unknown worker, or silence.
  downFor: fc.constantFrom(0, 50, 450),
})

async function runRestart(s: RestartScenario): Promise<void> {
  const endpoint = await fixedAddress("tcp", "md")
  let broker = await startBroker(endpoint)
  const workers = Array.from({ length: s.workers }, () => startWorker(endpoint, "a"))
  await until(() => broker.workerCount === s.workers, 5000, "workers registered")
  const client = new MajordomoClient(endpoint, { timeout: 300, retries: 10 })
  cleanups.push(() => client.close())
  for (let i = 0; i < s.requests; i++) {
    if (i === s.restartAfter) {
      broker.close()
      await broker.done()
      await sleep(s.downFor)
      broker = await startBroker(endpoint)
    }
    expect((await client.request("a", [`r${i}`]))?.map(String)).toEqual(["a", `r${i}`])
  }
  // Every worker found the new broker and registered again (RFC 7: a new socket, a new READY).
  const restarted = broker
  await until(() => restarted.workerCount === s.workers, 5000, "workers registered again")
  client.close()
  void workers
}

describe("Majordomo (RFC 7 + RFC 8) against a model", () => {
  it("routes every request to a worker of its service and recovers from crashed workers and lost replies", async () => {
    await fc.assert(
      fc.asyncProperty(routingScenario, async (s) => {
        try {
          await within(runRouting(s), 15_000, "routing scenario")
        } finally {
          for (const cleanup of cleanups.splice(0).reverse()) cleanup()
        }
      }),
      { numRuns: 6 },
    )
  }, 120_000)

  it("expires dead workers by heartbeat, forgets those that said DISCONNECT, and answers MMI as the model", async () => {
    await fc.assert(
      fc.asyncProperty(expiryScenario, async (s) => {
        try {
          await within(runExpiry(s), 10_000, "expiry scenario")
        } finally {
          for (const cleanup of cleanups.splice(0).reverse()) cleanup()
        }
      }),
      { numRuns: 5 },
    )
  }, 120_000)

  it("survives a broker restart: workers register again and clients' retries are answered", async () => {
    await fc.assert(
      fc.asyncProperty(restartScenario, async (s) => {
        try {
          await within(runRestart(s), 15_000, "restart scenario")
        } finally {
          for (const cleanup of cleanups.splice(0).reverse()) cleanup()
        }
      }),
      { numRuns: 4 },
    )
  }, 120_000)

  it("seeded mutation: a broker that hands REQUESTs to any service's worker is caught", async () => {
    const mutant = (): RouterTamper => {
      // Each REQUEST goes to the next registered worker, whatever its service.
      const workers: Buffer[] = []
      let next = 0
      return {
        send: (frames) => (isRequestToWorker(frames) && workers.length > 0 ? [workers[next++ % workers.length]!, ...frames.slice(1)] : frames),
        received: (frames) => {
          if (isReady(frames)) workers.push(frames[0]!)
        },
      }
    }
    const fixed: RoutingScenario = {
      workers: { a: { healthy: 1, crashing: [] }, b: { healthy: 1, crashing: [] }, c: { healthy: 0, crashing: [] } },
      clients: [["a", "b", "a", "b"]],
      lostReplies: [],
    }
    const result = await fc.check(
      fc.asyncProperty(routingScenario, async (s) => {
        try {
          await within(runRouting(s, mutant()), 15_000, "mutant routing scenario")
        } finally {
          for (const cleanup of cleanups.splice(0).reverse()) cleanup()
        }
      }),
      { numRuns: 4, endOnFailure: true, examples: [[fixed]] },
    )
    expect(result.failed).toBe(true)
  }, 120_000)

  it("seeded mutation: a broker that keeps hearing heartbeats from dead workers (never expires them) is caught", async () => {
    const mutant = (): RouterTamper => {
      // Forges a HEARTBEAT from every worker that ever registered, twice per heartbeat interval.
      const seen: Buffer[] = []
      let turn = 0
      return {
        received: (frames) => {
          if (isReady(frames)) seen.push(frames[0]!)
        },
        forge: () => (seen.length === 0 ? undefined : [seen[turn++ % seen.length]!, ...workerCommand(MdpCommand.HEARTBEAT)]),
      }
    }
    const fixed: ExpiryScenario = { workers: [{ service: "a", fate: "crash" }], unknownMmi: "mmi.stats" }
    const result = await fc.check(
      fc.asyncProperty(expiryScenario, async (s) => {
        try {
          await within(runExpiry(s, mutant()), 10_000, "mutant expiry scenario")
        } finally {
          for (const cleanup of cleanups.splice(0).reverse()) cleanup()
        }
      }),
      { numRuns: 3, endOnFailure: true, examples: [[fixed]] },
    )
    expect(result.failed).toBe(true)
  }, 60_000)
})
