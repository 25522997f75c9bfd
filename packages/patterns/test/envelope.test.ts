/**
 * Pub-sub envelopes (the Guide's psenvpub/psenvsub), matching as ZeroMQ does — a prefix of the first frame,
 * never past it — and whole-topic matching with `exactTopic`:
 *
 *               ┌──▶ SUB 1   prefixes 1 (+ its sentinel)   ─┐
 *   XPUB ───────┼──▶ SUB 2   prefixes 2                     ├─ each receives exactly the envelopes whose topic
 *               └──▶ SUB 3   (1–3 subscribers)             ─┘  frame starts with (or, exact, equals) one of its
 *                                                              topics, in order, whole
 *
 * Topics and bodies are drawn from {a, b}, so that a body often continues a topic into a subscription
 * ("a" + "b…" vs a subscription to "ab"): a match across the frame boundary would show. No sleeping
 * around the slow joiner: each subscriber ends with a subscription to its own sentinel topic (first byte
 * 0xff, which no drawn topic has), and publishing starts once the XPUB has handed all sentinels over;
 * publishing ends with a message on each sentinel topic, which its subscriber reads up to.
 */
import { Context, Subscriber, XPublisher, type Message } from "@zmq-ts/core"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import {
  decodeAddressedEnvelope,
  decodeEnvelope,
  encodeAddressedEnvelope,
  encodeEnvelope,
  PatternError,
  receiveEnvelope,
  sendAddressedEnvelope,
  sendEnvelope,
  subscribeTopic,
  topicFrame,
  unsubscribeTopic,
} from "../src/index.js"
import { bindAddress, within, type TransportName } from "./helpers/endpoints.js"

const text = (maxLength: number): fc.Arbitrary<string> =>
  fc.array(fc.constantFrom("a", "b"), { maxLength }).map((chars) => chars.join(""))

interface Published {
  readonly topic: string
  readonly body: string
  /** Sent as [topic, address, body] instead of [topic, body]. */
  readonly address: string | null
}

interface Scenario {
  readonly transport: TransportName
  readonly exactTopic: boolean
  readonly subscribers: readonly (readonly string[])[]
  readonly messages: readonly Published[]
}

const scenario: fc.Arbitrary<Scenario> = fc.record({
  transport: fc.constantFrom<TransportName>("inproc", "tcp"),
  exactTopic: fc.boolean(),
  subscribers: fc.array(fc.array(text(2), { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 3 }),
  messages: fc.array(
    fc.record({ topic: text(3), body: text(3), address: fc.option(text(2), { nil: null }) }),
    { minLength: 1, maxLength: 50 },
  ),
})

const sentinel = (i: number): Buffer => Buffer.of(0xff, i)

function matches(topic: string, subscriptions: readonly string[], exact: boolean): boolean {
  return subscriptions.some((s) => (exact ? topic === s : topic.startsWith(s)))
}

async function runScenario(s: Scenario): Promise<void> {
  const context = new Context()
  const options = { exactTopic: s.exactTopic }
  const publisher = new XPublisher({ context })
  const subscribers: Subscriber[] = []
  try {
    await publisher.bind(bindAddress(s.transport, "envelopes"))
    const endpoint = publisher.lastEndpoint!
    for (const [i, topics] of s.subscribers.entries()) {
      const subscriber = new Subscriber({ context })
      subscribers.push(subscriber)
      subscriber.connect(endpoint)
      for (const topic of topics) subscribeTopic(subscriber, topic, options)
      subscriber.subscribe(sentinel(i))
      // Subscriptions travel in order: once the sentinel's is in, so are the others.
      for (;;) {
        const [frame] = await within(publisher.receive(), 3000, "the sentinel subscription")
        if (frame![0] === 1 && frame!.subarray(1).equals(sentinel(i))) break
      }
    }
    for (const m of s.messages) {
      if (m.address === null) await sendEnvelope(publisher, { topic: m.topic, body: m.body }, options)
      else await sendAddressedEnvelope(publisher, { topic: m.topic, address: m.address, body: m.body }, options)
    }
    for (let i = 0; i < s.subscribers.length; i++) await publisher.send([sentinel(i), ""])

    for (const [i, subscriber] of subscribers.entries()) {
      const received: Published[] = []
      for (;;) {
        const message = await within(subscriber.receive(), 3000, `subscriber ${i}'s sentinel`)
        if (message[0]![0] === 0xff) {
          if (message[0]!.equals(sentinel(i))) break
          continue // another subscriber's sentinel, seen through a subscription to everything
        }
        if (message.length === 2) {
          const { topic, body } = decodeEnvelope(message, options)
          received.push({ topic: topic.toString(), body: body.toString(), address: null })
        } else {
          const { topic, address, body } = decodeAddressedEnvelope(message, options)
          received.push({ topic: topic.toString(), body: body.toString(), address: address.toString() })
        }
      }
      const expected = s.messages.filter((m) => matches(m.topic, s.subscribers[i]!, s.exactTopic))
      expect(received).toEqual(expected)
    }
  } finally {
    publisher.close()
    for (const subscriber of subscribers) subscriber.close()
    context.terminate()
  }
}

describe("pub-sub envelopes", () => {
  it("a subscriber receives exactly the envelopes whose topic frame starts with (exactTopic: equals) its topic", async () => {
    await fc.assert(fc.asyncProperty(scenario, runScenario), { numRuns: 60, interruptAfterTimeLimit: 8000 })
  }, 20_000)

  it("encodes and decodes [topic, body] and [topic, address, body]", () => {
    expect(encodeEnvelope({ topic: "B", body: "We would like to see this" })).toEqual([
      Buffer.from("B"),
      Buffer.from("We would like to see this"),
    ])
    expect(encodeAddressedEnvelope({ topic: "B", address: "addr", body: new Uint8Array([1, 2]) })).toEqual([
      Buffer.from("B"),
      Buffer.from("addr"),
      Buffer.of(1, 2),
    ])
    expect(encodeEnvelope({ topic: "price", body: "1" }, { exactTopic: true })[0]).toEqual(Buffer.from("price\0"))
    const decoded = decodeEnvelope([Buffer.from("price\0"), Buffer.from("1")], { exactTopic: true })
    expect(decoded.topic.toString()).toBe("price")
    expect(decodeAddressedEnvelope([Buffer.from("t"), Buffer.from("a"), Buffer.from("b")]).address.toString()).toBe("a")
  })

  it("refuses malformed envelopes and exact topics containing the terminator, with codes", () => {
    const code = (f: () => unknown): string | undefined => {
      try {
        f()
      } catch (error) {
        if (PatternError.isInstance(error)) return `${error.code}/${error.origin}`
        throw error
      }
      return undefined
    }
    expect(code(() => decodeEnvelope([Buffer.from("a")]))).toBe("ERR_PATTERN_MALFORMED_ENVELOPE/remote")
    expect(code(() => decodeAddressedEnvelope([Buffer.from("a"), Buffer.from("b")]))).toBe("ERR_PATTERN_MALFORMED_ENVELOPE/remote")
    expect(code(() => decodeEnvelope([Buffer.from("a"), Buffer.from("b")], { exactTopic: true }))).toBe(
      "ERR_PATTERN_MALFORMED_ENVELOPE/remote",
    )
    expect(code(() => topicFrame("a\0b", { exactTopic: true }))).toBe("ERR_PATTERN_INVALID_TOPIC/local")
    expect(code(() => topicFrame("a\0b"))).toBeUndefined()
  })

  it("unsubscribeTopic cancels what subscribeTopic made, exact or not", async () => {
    const context = new Context()
    try {
      const publisher = new XPublisher({ context, verbosity: "allSubsUnsubs" })
      await publisher.bind(bindAddress("inproc", "unsub"))
      const subscriber = new Subscriber({ context })
      subscriber.connect(publisher.lastEndpoint!)
      subscribeTopic(subscriber, "price", { exactTopic: true })
      unsubscribeTopic(subscriber, "price", { exactTopic: true })
      const seen: Message[][] = [
        await within(publisher.receive(), 2000, "the subscription"),
        await within(publisher.receive(), 2000, "the cancel"),
      ]
      expect(seen.map(([f]) => f)).toEqual([Buffer.from("\x01price\0"), Buffer.from("\x00price\0")])
      await sendEnvelope(publisher, { topic: "price", body: "late" }, { exactTopic: true })
      await sendEnvelope(publisher, { topic: "x", body: "end" })
      subscribeTopic(subscriber, "x")
      await within(publisher.receive(), 2000, "the x subscription")
      await sendEnvelope(publisher, { topic: "x", body: "end" })
      const { topic, body } = await within(receiveEnvelope(subscriber), 2000, "the x envelope")
      expect([topic.toString(), body.toString()]).toEqual(["x", "end"])
    } finally {
      context.terminate()
    }
  })
})
