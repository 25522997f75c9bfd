/**
 * Synchronised pub-sub (the Guide's "Node Coordination": syncpub/syncsub and the "more robust model"):
 *
 *   SynchronizedPublisher  PUB ──hellos, then data──▶ SUB ┐
 *                          REP ◀──── ready [token] ─── REQ ┘ SynchronizedSubscriber ×1–5
 *
 * Property: for any number of subscribers (1–5) and of messages (1–200), once `waitForSubscribers()` has
 * resolved, every subscriber receives all the messages, in order — the first included. "hello" mode over
 * tcp and inproc; "handshake" mode (the Guide's syncsub, no settle delay) over inproc, where a connect is
 * complete when it returns. Subscribers start before the publisher binds (as the Guide runs them) or after,
 * and their SUB may reconnect more slowly than their REQ: the slow joiner a bare REQ/REP handshake misses.
 */
import { Context, Publisher, Reply, Request, Subscriber } from "@zmq-ts/core"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import {
  isSyncHello,
  joinPublisher,
  PatternError,
  SYNC_HELLO,
  SynchronizedPublisher,
  SynchronizedSubscriber,
  waitForSubscribers,
  type SyncMode,
} from "../src/index.js"
import { bindAddress, fixedAddress, sleep, within, type TransportName } from "./helpers/endpoints.js"

interface Scenario {
  readonly transport: TransportName
  readonly mode: SyncMode
  readonly subscribers: number
  readonly messages: number
  /** Subscribers connect (and start joining) before the publisher binds. */
  readonly subscribersFirst: boolean
  /** The SUB sockets' reconnect interval (ms); their REQ sockets retry every 5 ms. */
  readonly subscriberReconnect: number
}

const scenario: fc.Arbitrary<Scenario> = fc
  .record({
    setup: fc.constantFrom(
      { transport: "tcp" as const, mode: "hello" as const },
      { transport: "inproc" as const, mode: "hello" as const },
      { transport: "inproc" as const, mode: "handshake" as const },
    ),
    subscribers: fc.integer({ min: 1, max: 5 }),
    messages: fc.integer({ min: 1, max: 200 }),
    subscribersFirst: fc.boolean(),
    subscriberReconnect: fc.constantFrom(5, 50),
  })
  .map(({ setup, ...rest }) => ({ ...setup, ...rest }))

async function runScenario(s: Scenario): Promise<void> {
  const context = new Context()
  const [endpoint, syncEndpoint] = s.subscribersFirst
    ? [await fixedAddress(s.transport, "sync-data"), await fixedAddress(s.transport, "sync-ready")]
    : [bindAddress(s.transport, "sync-data"), bindAddress(s.transport, "sync-ready")]
  const publisher = new SynchronizedPublisher({
    endpoint,
    syncEndpoint,
    subscribers: s.subscribers,
    mode: s.mode,
    helloInterval: 2,
    timeout: 5000,
    context,
  })
  const subscribers: SynchronizedSubscriber[] = []
  const subscribe = (): Promise<unknown> => {
    for (let i = 0; i < s.subscribers; i++) {
      subscribers.push(
        new SynchronizedSubscriber({
          endpoint: publisher.endpoints[0] ?? endpoint,
          syncEndpoint: publisher.syncEndpoints[0] ?? syncEndpoint,
          mode: s.mode,
          settleDelay: 0,
          timeout: 5000,
          context,
          subscriberOptions: { reconnectInterval: s.subscriberReconnect },
          syncOptions: { reconnectInterval: 5 },
        }),
      )
    }
    return Promise.all(subscribers.map((subscriber) => subscriber.join()))
  }
  try {
    let joins: Promise<unknown>
    if (s.subscribersFirst) {
      joins = subscribe()
      await sleep(2)
      await publisher.bind()
    } else {
      await publisher.bind()
      joins = subscribe()
    }
    expect(await publisher.waitForSubscribers()).toBe(s.subscribers)
    await joins
    for (let i = 0; i < s.messages; i++) await publisher.send(`m${i}`)
    const expected = Array.from({ length: s.messages }, (_, i) => `m${i}`)
    await Promise.all(
      subscribers.map(async (subscriber, index) => {
        const received: string[] = []
        while (received.length < s.messages) {
          const [frame] = await within(subscriber.receive(), 3000, `subscriber ${index}: message ${received.length}`).catch(
            (error: Error) => {
              throw new Error(`${error.message}; got ${received.length} of ${s.messages}, starting ${received[0] ?? "-"}`)
            },
          )
          received.push(frame!.toString())
        }
        expect(received).toEqual(expected)
      }),
    )
  } finally {
    publisher.close()
    for (const subscriber of subscribers) subscriber.close()
    context.terminate()
  }
}

describe("synchronised pub-sub", () => {
  it("every subscriber receives all M messages, in order, from the first", async () => {
    await fc.assert(fc.asyncProperty(scenario, runScenario), { numRuns: 40, interruptAfterTimeLimit: 10_000 })
  }, 25_000)

  it("works with the Guide's syncsub on plain sockets (handshake mode, empty requests)", async () => {
    const context = new Context()
    try {
      const publisher = new Publisher({ context, sendHighWaterMark: 0 })
      const syncService = new Reply({ context })
      await publisher.bind(bindAddress("inproc", "guide-pub"))
      await syncService.bind(bindAddress("inproc", "guide-sync"))
      const subscriber = new Subscriber({ context })
      subscriber.connect(publisher.lastEndpoint!)
      subscriber.subscribe("")
      const syncClient = new Request({ context })
      syncClient.connect(syncService.lastEndpoint!)
      const waiting = waitForSubscribers(publisher, syncService, { subscribers: 1, mode: "handshake", timeout: 2000 })
      await syncClient.send("") // the Guide's syncsub: an empty request
      expect((await syncClient.receive())[0]!.length).toBe(0)
      expect(await waiting).toBe(1)
      await publisher.send("Rhubarb")
      expect((await within(subscriber.receive(), 2000, "Rhubarb"))[0]!.toString()).toBe("Rhubarb")
    } finally {
      context.terminate()
    }
  })

  it("joinPublisher hands back data that arrived before the hello, and hellos are recognisable", async () => {
    const context = new Context()
    try {
      const publisher = new Publisher({ context })
      const syncService = new Reply({ context })
      await publisher.bind(bindAddress("inproc", "early-pub"))
      await syncService.bind(bindAddress("inproc", "early-sync"))
      const subscriber = new Subscriber({ context })
      subscriber.connect(publisher.lastEndpoint!)
      subscriber.subscribe("")
      const syncClient = new Request({ context })
      syncClient.connect(syncService.lastEndpoint!)
      await publisher.send("already publishing")
      const joining = joinPublisher(subscriber, syncClient, { timeout: 2000 })
      const waiting = waitForSubscribers(publisher, syncService, { subscribers: 1, helloInterval: 5, timeout: 2000 })
      const early = await joining
      await waiting
      expect(early.map(([frame]) => frame!.toString())).toEqual(["already publishing"])
      expect(isSyncHello([SYNC_HELLO])).toBe(true)
      expect(isSyncHello([SYNC_HELLO, Buffer.alloc(0)])).toBe(false)
    } finally {
      context.terminate()
    }
  })

  it("counts a subscriber once however often its token comes, and times out with ERR_PATTERN_TIMEOUT", async () => {
    const context = new Context()
    try {
      const publisher = new SynchronizedPublisher({
        endpoint: bindAddress("inproc", "dup-pub"),
        syncEndpoint: bindAddress("inproc", "dup-sync"),
        subscribers: 2,
        timeout: 300,
        context,
      })
      await publisher.bind()
      const client = new Request({ context })
      client.connect(publisher.syncEndpoints[0]!)
      const waiting = publisher.waitForSubscribers()
      for (let i = 0; i < 3; i++) {
        await client.send("same-token")
        await client.receive()
      }
      const error = await waiting.catch((e: unknown) => e)
      expect(PatternError.isInstance(error) && error.code).toBe("ERR_PATTERN_TIMEOUT")
      await expect(publisher.send("too early")).rejects.toMatchObject({ code: "ERR_PATTERN_INVALID_STATE" })
    } finally {
      context.terminate()
    }
  })

  it("rejects a wait with ERR_PATTERN_CLOSED when closed, and bad options with ERR_PATTERN_INVALID_OPTION", async () => {
    const context = new Context()
    try {
      expect(() => new SynchronizedPublisher({ endpoint: "inproc://x", syncEndpoint: "inproc://y", subscribers: 0, context })).toThrow(
        expect.objectContaining({ code: "ERR_PATTERN_INVALID_OPTION" }),
      )
      expect(
        () => new SynchronizedSubscriber({ endpoint: "inproc://x", syncEndpoint: "inproc://y", mode: "fast" as never, context }),
      ).toThrow(expect.objectContaining({ code: "ERR_PATTERN_INVALID_OPTION" }))
      const subscriber = new SynchronizedSubscriber({
        endpoint: bindAddress("inproc", "nobody"),
        syncEndpoint: bindAddress("inproc", "nobody-sync"),
        context,
      })
      const joining = subscriber.join()
      setTimeout(() => subscriber.close(), 20)
      await expect(joining).rejects.toMatchObject({ code: "ERR_PATTERN_CLOSED" })
    } finally {
      context.terminate()
    }
  })

  it("handshake mode over tcp, as the Guide's syncsub, with the default settle delay", async () => {
    const context = new Context()
    const publisher = new SynchronizedPublisher({
      endpoint: "tcp://127.0.0.1:*",
      syncEndpoint: "tcp://127.0.0.1:*",
      subscribers: 2,
      mode: "handshake",
      timeout: 5000,
      context,
    })
    const subscribers: SynchronizedSubscriber[] = []
    try {
      await publisher.bind()
      for (let i = 0; i < 2; i++) {
        subscribers.push(
          new SynchronizedSubscriber({
            endpoint: publisher.endpoints[0]!,
            syncEndpoint: publisher.syncEndpoints[0]!,
            mode: "handshake",
            settleDelay: 50,
            context,
          }),
        )
      }
      const joins = Promise.all(subscribers.map((s) => s.join()))
      await publisher.waitForSubscribers()
      await joins
      await publisher.send("first")
      for (const s of subscribers) expect((await within(s.receive(), 2000, "first"))[0]!.toString()).toBe("first")
    } finally {
      context.terminate()
    }
  })
})
