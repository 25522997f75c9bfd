/**
 * The Freelance client (model three, RFC 10/FLP) against a model of its servers, with faults:
 *
 *   FreelanceClient ──▶ 1–3 test servers (plain ROUTERs, routing id = endpoint), each of which may be killed,
 *                       restarted, hung (it reads but never answers, PINGs included), or made to lose or
 *                       delay its next reply, at random moments, while requests come 1–3 at a time.
 *
 * Property, checked against the servers' recorded health over time:
 * - every request settles once, with its own reply (the test servers echo the body, so a reply to another
 *   request shows) or with TIMEOUT, never anything else, within globalTimeout (+ slack);
 * - a reply comes from a server that did receive that request;
 * - no request goes to a server that, by the client's own events, had been silent for serverTtl;
 * - liveness: a request during which some server was healthy all along (and for a moment before) is
 *   answered, not timed out; at the end every server is healed, and requests are answered again.
 * Then the same property against two deliberately broken clients, which it must catch: one that keeps
 * using expired servers, one that does not check the sequence number of replies.
 */
import { Context, Router, type Message, type MessageLike, type RouterOptions } from "@zmq-ts/core"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { FreelanceClient, PatternError, PatternErrorCode, type FreelanceClientOptions, type FreelanceEvent } from "../src/index.js"
import { fixedAddress, sleep, within } from "./helpers/endpoints.js"

const TIMING = { pingInterval: 30, serverTtl: 120, globalTimeout: 700 } as const
/** How long a server must have been healthy before a request for the liveness rule to apply to it. */
const WARM = 150
/** Scheduling noise allowed between the client's decision and its event. */
const TOLERANCE = 25

type Action =
  | { readonly kind: "request"; readonly count: number }
  | { readonly kind: "kill" | "restart" | "hang" | "unhang" | "lose"; readonly server: number }
  | { readonly kind: "delay"; readonly server: number; readonly ms: number }
  | { readonly kind: "pause"; readonly ms: number }

interface Scenario {
  readonly servers: number
  readonly actions: readonly Action[]
}

const server = fc.nat(2)
const action: fc.Arbitrary<Action> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant("request" as const), count: fc.integer({ min: 1, max: 3 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constantFrom("kill" as const, "restart" as const), server }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constantFrom("hang" as const, "unhang" as const), server }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("lose" as const), server }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("delay" as const), server, ms: fc.integer({ min: 20, max: 900 }) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("pause" as const), ms: fc.integer({ min: 0, max: 200 }) }) },
)

const scenario: fc.Arbitrary<Scenario> = fc.record({
  servers: fc.integer({ min: 1, max: 3 }),
  actions: fc.array(action, { minLength: 1, maxLength: 14 }),
})

/** A plain ROUTER speaking RFC 10 with faults on demand; it keeps a record of its health for the model. */
class TestServer {
  readonly name: string
  readonly endpoint: string
  readonly #context: Context
  #router: Router | undefined
  hung = false
  lose = 0
  delay = 0
  /** Delayed replies not sent yet. */
  #late = 0
  /** Request bodies received. */
  readonly received = new Set<string>()
  /** [from, to) intervals when the server was not healthy (down, hung, losing or delaying a reply). */
  readonly unhealthy: Array<[number, number]> = []
  #unhealthySince: number | undefined

  constructor(name: string, endpoint: string, context: Context) {
    this.name = name
    this.endpoint = endpoint
    this.#context = context
  }

  get up(): boolean {
    return this.#router !== undefined
  }

  /** Opens or closes an unhealthy interval according to the state now. */
  update(): void {
    const healthy = this.up && !this.hung && this.lose === 0 && this.delay === 0 && this.#late === 0
    const now = performance.now()
    if (!healthy && this.#unhealthySince === undefined) this.#unhealthySince = now
    if (healthy && this.#unhealthySince !== undefined) {
      this.unhealthy.push([this.#unhealthySince, now])
      this.#unhealthySince = undefined
    }
  }

  /** True if the server was healthy over all of [from, to]. */
  healthyDuring(from: number, to: number): boolean {
    const intervals: Array<[number, number]> = [...this.unhealthy]
    if (this.#unhealthySince !== undefined) intervals.push([this.#unhealthySince, Infinity])
    return intervals.every(([a, b]) => b < from || a > to)
  }

  async start(): Promise<void> {
    if (this.#router !== undefined) return
    const router = new Router({ context: this.#context, routingId: this.endpoint, linger: 0 })
    for (let attempt = 0; ; attempt++) {
      try {
        await router.bind(this.endpoint)
        break
      } catch (error) {
        if (attempt >= 50) throw error
        await sleep(10) // the killed server's port may take a moment to be free
      }
    }
    this.#router = router
    this.update()
    void this.#serve(router)
  }

  kill(): void {
    if (this.#router === undefined) return
    this.#router.close()
    this.#router = undefined
    this.lose = 0
    this.delay = 0
    this.update()
  }

  async #serve(router: Router): Promise<void> {
    for await (const [client, control, ...body] of router) {
      if (client === undefined || control === undefined || this.hung) continue
      if (body.length === 0) {
        if (control.toString() === "PING") this.#send(router, [client, Buffer.from("PONG")])
        continue
      }
      const request = body.map(String).join("|")
      this.received.add(request)
      const reply: Message[] = [client, control, Buffer.from("re"), ...body]
      if (this.lose > 0) {
        this.lose--
        this.update()
        continue
      }
      if (this.delay > 0) {
        const ms = this.delay
        this.delay = 0
        this.#late++
        setTimeout(() => {
          this.#late--
          if (this.#router === router) this.#send(router, reply)
          this.update()
        }, ms)
        continue
      }
      this.#send(router, reply)
    }
  }

  #send(router: Router, message: Message[]): void {
    router.send(message).catch(() => {}) // the client may be gone: dropped, as a ROUTER does
  }
}

interface Outcome {
  readonly body: string
  readonly start: number
  end: number
  result: { kind: "reply"; frames: string[] } | { kind: "error"; error: unknown } | undefined
}

type Stamped = FreelanceEvent & { readonly at: number }

/** Makes the client under test; the mutation tests pass broken ones. */
type ClientFactory = (options: FreelanceClientOptions) => FreelanceClient

const realClient: ClientFactory = (options) => new FreelanceClient(options)

/** Runs one scenario; throws (an assertion error) when the property does not hold. */
async function runScenario(s: Scenario, makeClient: ClientFactory = realClient): Promise<void> {
  const context = new Context()
  const events: Stamped[] = []
  const servers: TestServer[] = []
  for (let i = 0; i < s.servers; i++) servers.push(new TestServer(`s${i}`, await fixedAddress("tcp", `fl${i}`), context))
  const client = makeClient({
    ...TIMING,
    context,
    routerOptions: { reconnectInterval: 10, linger: 0 },
    onEvent: (event) => events.push({ ...event, at: performance.now() }),
  })
  const outcomes: Outcome[] = []
  const settled: Array<Promise<void>> = []
  try {
    for (const server of servers) await server.start()
    for (const server of servers) client.connect(server.endpoint)
    // Start once every server has answered a PING, so that "healthy for a while" means known alive too.
    await within(
      (async () => {
        while (!servers.every((server) => events.some((e) => e.type === "pong" && e.server === server.endpoint))) await sleep(5)
      })(),
      3000,
      "every server to answer a PING",
    )
    let counter = 0
    const fire = (body: string): void => {
      const outcome: Outcome = { body, start: performance.now(), end: 0, result: undefined }
      outcomes.push(outcome)
      settled.push(
        client.request(body).then(
          (frames) => {
            if (outcome.result !== undefined) throw new Error(`${body} settled twice`)
            outcome.end = performance.now()
            outcome.result = { kind: "reply", frames: frames.map(String) }
          },
          (error: unknown) => {
            if (outcome.result !== undefined) throw new Error(`${body} settled twice`)
            outcome.end = performance.now()
            outcome.result = { kind: "error", error }
          },
        ),
      )
    }
    for (const a of s.actions) {
      const target = a.kind === "request" || a.kind === "pause" ? undefined : servers[a.server % servers.length]!
      switch (a.kind) {
        case "request":
          for (let i = 0; i < a.count; i++) fire(`q${counter++}`)
          break
        case "kill":
          target!.kill()
          break
        case "restart":
          await target!.start()
          break
        case "hang":
        case "unhang":
          target!.hung = a.kind === "hang"
          target!.update()
          break
        case "lose":
          if (target!.up) target!.lose++
          target!.update()
          break
        case "delay":
          if (target!.up) target!.delay = a.ms
          target!.update()
          break
        case "pause":
          await sleep(a.ms)
          break
      }
    }
    // Then every server is healed (restarted, unhung); once they are warm, requests must be answered again,
    // by servers that died and came back among others.
    for (const server of servers) {
      await server.start()
      server.hung = false
      server.update()
    }
    await sleep(WARM + 2 * TIMING.pingInterval)
    for (let i = 0; i < 2; i++) fire(`h${i}`)
    await within(Promise.all(settled), TIMING.globalTimeout + 3000, "every request to settle")

    for (const o of outcomes) {
      const result = o.result!
      if (result.kind === "reply") {
        // Its own reply, never another request's.
        if (result.frames.join("|") !== `re|${o.body}`) throw new Error(`${o.body} got the reply ${JSON.stringify(result.frames)}`)
        if (!servers.some((server) => server.received.has(o.body))) throw new Error(`${o.body} was answered by no server that received it`)
      } else {
        if (!(PatternError.isInstance(result.error) && result.error.code === PatternErrorCode.TIMEOUT)) throw result.error
        // Liveness: a server healthy all along (and for WARM before) must have answered it.
        const healthy = servers.find((server) => server.healthyDuring(o.start - WARM, o.end))
        if (healthy !== undefined) throw new Error(`${o.body} timed out although ${healthy.name} was healthy all along`)
      }
      if (o.end - o.start > TIMING.globalTimeout + 1000) throw new Error(`${o.body} took ${Math.round(o.end - o.start)} ms`)
    }

    // Never a request to a server silent for serverTtl, by the client's own account.
    const lastHeard = new Map<string, number>()
    for (const e of events) {
      if (e.type === "connect" || e.type === "pong" || e.type === "reply" || e.type === "stale") lastHeard.set(e.server, e.at)
      if (e.type === "send") {
        const heard = lastHeard.get(e.server) ?? -Infinity
        if (e.at - heard >= TIMING.serverTtl + TOLERANCE) {
          throw new Error(`request ${e.sequence} went to ${e.server}, silent for ${Math.round(e.at - heard)} ms (ttl ${TIMING.serverTtl})`)
        }
      }
    }
  } finally {
    client.close()
    for (const server of servers) server.kill()
    await Promise.allSettled(settled)
    context.terminate()
  }
}

/** Keeps offering every server, alive or not, in connect order: uses servers past their TTL. */
class ExpiredServerClient extends FreelanceClient {
  protected override selectServers(): readonly string[] {
    return this.servers
  }
}

/**
 * Does not check the sequence number: gives every reply to the newest request sent. Its ROUTER rewrites each
 * reply's CCF to that request's sequence number, as if the client took any reply for the current request.
 */
class SequenceBlindRouter extends Router {
  #newest = Buffer.from("0")

  override send(message: MessageLike | readonly MessageLike[]): Promise<void> {
    if (Array.isArray(message) && message.length >= 3) this.#newest = Buffer.from(String(message[1]))
    return super.send(message)
  }

  // The return type is inferred from super's (it is typed by `this`).
  override [Symbol.asyncIterator]() {
    const inner = super[Symbol.asyncIterator]()
    return {
      next: async () => {
        const item = await inner.next()
        if (item.done !== true && item.value.length >= 3) item.value[1] = this.#newest
        return item
      },
    }
  }
}

class SequenceBlindClient extends FreelanceClient {
  protected override createSocket(options: RouterOptions): Router {
    return new SequenceBlindRouter(options)
  }
}

/** A hung first server, past its TTL when the request comes: it must go to the second one. */
const hungPrimary: Scenario = { servers: 2, actions: [{ kind: "hang", server: 0 }, { kind: "pause", ms: 200 }, { kind: "request", count: 1 }] }
/** q0's first reply is delayed 400 ms (its retry is answered); it lands while q1 waits on the hung server. */
const lateReply: Scenario = {
  servers: 1,
  actions: [
    { kind: "delay", server: 0, ms: 400 },
    { kind: "request", count: 1 },
    { kind: "pause", ms: 300 },
    { kind: "hang", server: 0 },
    { kind: "request", count: 1 },
  ],
}

describe("FreelanceClient against faulty servers", () => {
  it("gives every request its own reply or TIMEOUT, never uses an expired server, and answers while a server is healthy", async () => {
    await fc.assert(
      fc.asyncProperty(scenario, (s) => runScenario(s)),
      { numRuns: 20, interruptAfterTimeLimit: 15_000, examples: [[hungPrimary], [lateReply]] },
    )
  }, 40_000)

  it("catches a client that keeps using a server past its TTL", async () => {
    const result = await fc.check(
      fc.asyncProperty(scenario, (s) => runScenario(s, (options) => new ExpiredServerClient(options))),
      { numRuns: 3, endOnFailure: true, examples: [[hungPrimary]] },
    )
    expect(result.failed).toBe(true)
  }, 20_000)

  it("catches a client that does not check the sequence number of replies", async () => {
    const result = await fc.check(fc.asyncProperty(scenario, (s) => runScenario(s, (options) => new SequenceBlindClient(options))), { numRuns: 3, endOnFailure: true, examples: [[lateReply]] })
    expect(result.failed).toBe(true)
    expect(String(result.errorInstance)).toMatch(/got the reply/)
  }, 20_000)
})
