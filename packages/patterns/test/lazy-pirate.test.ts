/**
 * The Lazy Pirate client against a scripted server that misbehaves:
 *
 *   LazyPirateClient (REQ, reopened after each timeout) ──tcp──▶ server (ROUTER, echoes; restarted on "crash")
 *
 * The server takes each request it receives (each attempt of each request) with the next action of a
 * script: answer at once, answer too late (after the client's timeout: a lost reply that comes back later),
 * drop it (a lost reply), or crash (close and restart on the same port, losing the request).
 *
 * Property: for any script, each request resolves with ITS OWN echo exactly when the model says an attempt
 * within `retries` was answered in time, and rejects with ERR_PATTERN_TIMEOUT otherwise — never with a
 * reply to another request (late replies are on their way all the time), and it recovers after a restart.
 * Seeded mutation: a client that keeps its socket (relaxed, so that it can resend) instead of reopening it
 * returns late replies to later requests, and the property catches it.
 */
import { Context, Request, Router, type RequestOptions } from "@zmq-ts/core"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { LazyPirateClient, PatternError, PatternErrorCode, type LazyPirateEvent } from "../src/index.js"
import { sleep, within } from "./helpers/endpoints.js"

type Action = "ok" | "late" | "drop" | "crash"

interface Scenario {
  readonly requests: number
  readonly retries: number
  readonly script: readonly Action[]
}

const TIMEOUT = 250
const LATE = 380

const scenario: fc.Arbitrary<Scenario> = fc.record({
  requests: fc.integer({ min: 1, max: 5 }),
  retries: fc.integer({ min: 1, max: 3 }),
  script: fc.array(
    fc.oneof(
      { weight: 4, arbitrary: fc.constant<Action>("ok") },
      { weight: 2, arbitrary: fc.constant<Action>("late") },
      { weight: 1, arbitrary: fc.constant<Action>("drop") },
      { weight: 1, arbitrary: fc.constant<Action>("crash") },
    ),
    { maxLength: 10 },
  ),
})

/** What the model says each request ends with: its echo, or a timeout. Actions past the script are "ok". */
function model(s: Scenario): Array<"reply" | "timeout"> {
  const out: Array<"reply" | "timeout"> = []
  let next = 0
  for (let r = 0; r < s.requests; r++) {
    let result: "reply" | "timeout" = "timeout"
    for (let attempt = 0; attempt < s.retries; attempt++) {
      if ((s.script[next++] ?? "ok") === "ok") {
        result = "reply"
        break
      }
    }
    out.push(result)
  }
  return out
}

/** The scripted server: a ROUTER (so it may leave requests unanswered) that restarts on "crash". */
class ScriptedServer {
  readonly #context: Context
  readonly #script: readonly Action[]
  readonly #timers = new Set<ReturnType<typeof setTimeout>>()
  #router: Router | undefined
  #received = 0
  #stopped = false
  #loop: Promise<void> = Promise.resolve()
  endpoint = ""

  constructor(context: Context, script: readonly Action[]) {
    this.#context = context
    this.#script = script
  }

  async start(endpoint = "tcp://127.0.0.1:*"): Promise<void> {
    const router = new Router({ context: this.#context, linger: 0 })
    for (let tries = 0; ; tries++) {
      try {
        await router.bind(endpoint)
        break
      } catch (error) {
        if (tries > 100) throw error
        await sleep(5) // the old binding of a restarted server may not be released yet
      }
    }
    this.endpoint = router.lastEndpoint!
    this.#router = router
    this.#loop = this.#serve(router)
  }

  async #serve(router: Router): Promise<void> {
    try {
      for (;;) {
        const [id, empty, ...body] = await router.receive()
        const action = this.#script[this.#received++] ?? "ok"
        const reply = [id!, empty!, ...body]
        if (action === "ok") await router.send(reply)
        else if (action === "late") {
          const timer = setTimeout(() => {
            this.#timers.delete(timer)
            const current = this.#router
            if (current === router && !router.closed) router.send(reply).catch(() => {})
          }, LATE)
          this.#timers.add(timer)
        } else if (action === "crash") {
          router.close()
          await sleep(20)
          if (!this.#stopped) await this.start(this.endpoint)
          return
        }
      }
    } catch {
      // closed
    }
  }

  async stop(): Promise<void> {
    this.#stopped = true
    for (const timer of this.#timers) clearTimeout(timer)
    this.#router?.close()
    await this.#loop
  }
}

async function runScenario(s: Scenario, makeClient: (endpoint: string, context: Context, retries: number) => LazyPirateClient): Promise<boolean> {
  const context = new Context()
  const server = new ScriptedServer(context, s.script)
  let client: LazyPirateClient | undefined
  try {
    await server.start()
    client = makeClient(server.endpoint, context, s.retries)
    const expected = model(s)
    for (let r = 0; r < s.requests; r++) {
      const request = `request-${r}`
      let outcome: string
      try {
        const reply = await within(client.request([request, "payload"]), TIMEOUT * (s.retries + 2), "a request to end")
        outcome = reply.map((frame) => frame.toString()).join("|")
      } catch (error) {
        if (!PatternError.isInstance(error) || error.code !== PatternErrorCode.TIMEOUT) throw error
        outcome = "timeout"
      }
      // Never another request's reply; a reply exactly when the model says one came in time.
      expect(outcome).toBe(expected[r] === "reply" ? `${request}|payload` : "timeout")
    }
    return true
  } finally {
    client?.close()
    await server.stop()
    context.terminate()
  }
}

const goodClient = (endpoint: string, context: Context, retries: number): LazyPirateClient =>
  new LazyPirateClient({ endpoint, context, retries, timeout: TIMEOUT })

/** The seeded mutation: keeps its one socket (made relaxed so it can resend) instead of reopening it. */
class KeepsItsSocket extends LazyPirateClient {
  #only: Request | undefined
  readonly #endpoint: string
  readonly #context: Context
  constructor(endpoint: string, context: Context, retries: number) {
    super({ endpoint, context, retries, timeout: TIMEOUT })
    this.#endpoint = endpoint
    this.#context = context
  }
  protected override createSocket(): Request {
    const options: RequestOptions = { context: this.#context, relaxed: true, linger: 0 }
    const socket = new Request(options)
    socket.connect(this.#endpoint)
    return socket
  }
  protected override reopen(previous: Request | undefined): Request {
    this.#only ??= previous ?? this.createSocket()
    return this.#only
  }
}

describe("LazyPirateClient", () => {
  it("returns each request's own reply when an attempt within its retries is answered in time, and times out otherwise (late and lost replies, server crashes and restarts)", async () => {
    await fc.assert(
      fc.asyncProperty(scenario, (s) => runScenario(s, goodClient)),
      { numRuns: 15, interruptAfterTimeLimit: 14_000 },
    )
  }, 30_000)

  it("the property catches a client that keeps its socket instead of reopening it (late replies go to later requests)", async () => {
    // A late reply to the first request that comes while the next one waits (its reply lost or late too).
    const late: fc.Arbitrary<Scenario> = fc.record({
      requests: fc.integer({ min: 2, max: 3 }),
      retries: fc.constant(2),
      script: fc.constantFrom<readonly Action[]>(["late", "ok", "drop", "ok"], ["late", "ok", "late", "ok"]),
    })
    const result = await fc.check(
      fc.asyncProperty(late, (s) =>
        runScenario(s, (endpoint, context, retries) => new KeepsItsSocket(endpoint, context, retries)),
      ),
      { numRuns: 3 },
    )
    expect(result.failed).toBe(true)
    // It failed for the right reason: a later request was given request-0's reply.
    expect(String(result.errorInstance)).toMatch(/request-0\|payload/)
  }, 20_000)
})

describe("LazyPirateClient, one case at a time", () => {
  it("abandons after `retries` sends when no server answers, reopening the socket before each resend", async () => {
    const context = new Context()
    const events: LazyPirateEvent[] = []
    const client = new LazyPirateClient({ endpoint: "tcp://127.0.0.1:1", context, timeout: 60, retries: 3, onEvent: (e) => events.push(e) })
    try {
      const sockets = new Set<Request | undefined>()
      const started = performance.now()
      const pending = client.request("1")
      const watching = (async () => {
        while (performance.now() - started < 250) {
          sockets.add(client.socket)
          await sleep(5)
        }
      })()
      const error = await pending.catch((e: unknown) => e)
      await watching
      expect(PatternError.isInstance(error) && error.code).toBe(PatternErrorCode.TIMEOUT)
      expect(performance.now() - started).toBeGreaterThanOrEqual(170)
      expect(events).toEqual([
        { type: "retry", attempt: 1, retriesLeft: 2 },
        { type: "retry", attempt: 2, retriesLeft: 1 },
        { type: "abandon", attempts: 3 },
      ])
      sockets.delete(undefined)
      expect(sockets.size).toBe(3) // one socket per attempt
    } finally {
      client.close()
      context.terminate()
    }
  })

  it("drops a reply that `matches` rejects (the Guide's sequence check) and retries", async () => {
    const context = new Context()
    const server = new Router({ context, linger: 0 })
    await server.bind("tcp://127.0.0.1:*")
    const events: string[] = []
    const client = new LazyPirateClient({
      endpoint: server.lastEndpoint!,
      context,
      timeout: 100,
      matches: (reply, request) => reply[0]!.equals(request[0]!),
      onEvent: (e) => events.push(e.type),
    })
    try {
      let first = true
      const serving = (async () => {
        for (;;) {
          const [id, empty, body] = await server.receive()
          await server.send([id!, empty!, first ? "999" : body!])
          first = false
        }
      })().catch(() => {})
      const [reply] = await within(client.request("7"), 2000, "the reply")
      expect(reply!.toString()).toBe("7")
      expect(events).toEqual(["mismatch", "retry"])
      server.close()
      await serving
    } finally {
      client.close()
      context.terminate()
    }
  })

  it("queues requests made while one is outstanding, and answers each with its own reply", async () => {
    const context = new Context()
    const server = new Router({ context, linger: 0 })
    await server.bind("tcp://127.0.0.1:*")
    const client = new LazyPirateClient({ endpoint: server.lastEndpoint!, context, timeout: 1000 })
    try {
      const serving = (async () => {
        for (;;) {
          const [id, empty, body] = await server.receive()
          await sleep(3)
          await server.send([id!, empty!, `re:${body!.toString()}`])
        }
      })().catch(() => {})
      const replies = await within(Promise.all(["a", "b", "c"].map((r) => client.request(r))), 3000, "three replies")
      expect(replies.map(([frame]) => frame!.toString())).toEqual(["re:a", "re:b", "re:c"])
      server.close()
      await serving
    } finally {
      client.close()
      context.terminate()
    }
  })

  it("close() ends a waiting request with ERR_PATTERN_CLOSED, and later requests too", async () => {
    const context = new Context()
    const client = new LazyPirateClient({ endpoint: "tcp://127.0.0.1:1", context, timeout: 5000 })
    try {
      const pending = client.request("x")
      await sleep(20)
      client.close()
      const error = await within(pending.catch((e: unknown) => e), 1000, "the request to end")
      expect(PatternError.isInstance(error) && error.code).toBe(PatternErrorCode.CLOSED)
      const later = await client.request("y").catch((e: unknown) => e)
      expect(PatternError.isInstance(later) && later.code).toBe(PatternErrorCode.CLOSED)
    } finally {
      context.terminate()
    }
  })

  it("rejects invalid options with ERR_PATTERN_INVALID_OPTION", () => {
    const invalid = (make: () => unknown): unknown => {
      try {
        make()
      } catch (error) {
        return PatternError.isInstance(error) ? error.code : error
      }
      return "no error"
    }
    expect(invalid(() => new LazyPirateClient({ endpoint: "" }))).toBe(PatternErrorCode.INVALID_OPTION)
    expect(invalid(() => new LazyPirateClient({ endpoint: "tcp://x:1", retries: 0 }))).toBe(PatternErrorCode.INVALID_OPTION)
    expect(invalid(() => new LazyPirateClient({ endpoint: "tcp://x:1", timeout: -1 }))).toBe(PatternErrorCode.INVALID_OPTION)
    expect(invalid(() => new LazyPirateClient({ endpoint: "tcp://x:1", timeout: 1.5 }))).toBe(PatternErrorCode.INVALID_OPTION)
  })
})

