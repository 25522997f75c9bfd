/**
 * Publish-subscribe properties (fast-check, a random seed every run) over tcp, ipc and inproc:
 *
 *               ┌──▶ SUB 1   subscribe/unsubscribe script 1   ─┐
 *   XPUB ───────┼──▶ SUB 2   subscribe/unsubscribe script 2    ├─ each receives exactly the messages its
 *               └──▶ SUB 3   (1–3 subscribers)                ─┘  current prefixes match, in publish order
 *
 * For any scripts of subscriptions and cancellations — over a small alphabet of topics, so prefixes overlap
 * and repeat ("", "a", "ab", "abb"…), made before or after connecting — and any sequence of published
 * topics, every subscriber receives exactly the published messages whose first frame starts with one of the
 * topics it still holds (a topic subscribed n times needs n cancels), in publish order, each once, whole.
 *
 * No sleeping around the slow joiner: the publisher is an XPUB, each script ends with a subscription to the
 * subscriber's own sentinel topic, and the next script (then publishing) starts only once the XPUB has
 * handed that sentinel over — subscriptions travel in order, so all of the subscriber's earlier changes are
 * in force by then. Running the scripts one after another also fixes the order in which the XPUB sees them,
 * so its notifications are checked exactly against libzmq's rules, for each verbosity: a SUB sends every
 * subscribe (or, when it subscribed before connecting, each topic it holds, once) and only the last cancel
 * of a topic; the XPUB holds a topic once per subscriber and hands over the first subscription to a topic
 * and the last cancel ("allSubs": every subscription; "allSubsUnsubs": every subscription and cancel).
 * Publishing ends with a message on each sentinel topic, which its subscriber reads up to.
 */
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { Subscriber, XPublisher, type Message } from "../src/index.js"
import { TRANSPORTS, type Transport } from "./helpers/transports.js"

/** Subscription topics: prefixes of each other, the empty one (everything) included. */
const TOPICS = ["", "a", "b", "aa", "ab", "ba", "abb"] as const
/** Published topics: every string over {a, b} of length 0–3. */
const PUBLISHED = ["", "a", "b", "aa", "ab", "ba", "bb", "aaa", "aab", "aba", "abb", "baa", "bab", "bba", "bbb"] as const
/** Sentinel topics start with this byte, which no published topic does. */
const SENTINEL = "\x02"
const TIMEOUT = 3000
type Verbosity = null | "allSubs" | "allSubsUnsubs"

interface Operation {
  readonly kind: "subscribe" | "unsubscribe"
  readonly topic: string
}

interface SubscriberScript {
  /** Apply the script before connect() (the SUB sends what it holds once the pipe exists) or after. */
  readonly before: boolean
  readonly operations: readonly Operation[]
}

const operation = (topics: readonly string[]): fc.Arbitrary<Operation> =>
  fc.record({
    // Subscribes a little more often than it cancels, so that subscriptions remain in most runs.
    kind: fc.constantFrom("subscribe", "subscribe", "unsubscribe") as fc.Arbitrary<"subscribe" | "unsubscribe">,
    topic: fc.constantFrom(...topics),
  })

/** Each script draws from a few of the topics, so that it repeats them (subscribe twice, cancel twice…). */
const script: fc.Arbitrary<SubscriberScript> = fc.subarray([...TOPICS], { minLength: 1, maxLength: 3 }).chain((topics) =>
  fc.record({
    before: fc.boolean(),
    operations: fc.array(operation(topics), { maxLength: 12 }),
  }),
)

const scenario = fc.record({
  verbosity: fc.constantFrom<Verbosity>(null, "allSubs", "allSubsUnsubs"),
  scripts: fc.array(script, { minLength: 1, maxLength: 3 }),
  /** Each message is [topic, index] or, with `tail`, [topic, index, "tail"]: multipart travels whole. */
  published: fc.array(fc.record({ topic: fc.constantFrom(...PUBLISHED), tail: fc.boolean() }), { maxLength: 30 }),
})

interface ScenarioValue {
  readonly verbosity: Verbosity
  readonly scripts: readonly SubscriberScript[]
  readonly published: ReadonlyArray<{ readonly topic: string; readonly tail: boolean }>
}

/** What one subscriber holds after its script: counts per topic (n subscribes need n cancels). */
function held(subscriber: SubscriberScript): string[] {
  const counts = new Map<string, number>()
  for (const { kind, topic } of subscriber.operations) {
    const count = counts.get(topic) ?? 0
    if (kind === "subscribe") counts.set(topic, count + 1)
    else if (count > 0) counts.set(topic, count - 1) // cancelling what is not held does nothing
  }
  return [...counts].filter(([, count]) => count > 0).map(([topic]) => topic)
}

/** What the SUB sends upstream for its script: every subscribe and the last cancel of a topic — or, subscribed before connecting, each held topic once. */
function upstream(subscriber: SubscriberScript): Operation[] {
  if (subscriber.before) return held(subscriber).map((topic) => ({ kind: "subscribe", topic }))
  const counts = new Map<string, number>()
  const sent: Operation[] = []
  for (const operation of subscriber.operations) {
    const count = counts.get(operation.topic) ?? 0
    if (operation.kind === "subscribe") {
      counts.set(operation.topic, count + 1)
      sent.push(operation)
    } else if (count > 0) {
      counts.set(operation.topic, count - 1)
      if (count === 1) sent.push(operation)
    }
  }
  return sent
}

/** The XPUB's side (libzmq's mtrie: a set of subscribers per topic), and the notifications it hands over. */
class XpubModel {
  readonly #holders = new Map<string, Set<number>>()
  constructor(readonly verbosity: Verbosity) {}

  apply(subscriber: number, { kind, topic }: Operation): string[] {
    const holders = this.#holders.get(topic) ?? new Set<number>()
    this.#holders.set(topic, holders)
    if (kind === "subscribe") {
      const first = holders.size === 0
      holders.add(subscriber)
      return first || this.verbosity !== null ? [`+${topic}`] : []
    }
    holders.delete(subscriber)
    return holders.size === 0 || this.verbosity === "allSubsUnsubs" ? [`-${topic}`] : []
  }
}

function apply(sub: Subscriber, operations: readonly Operation[]): void {
  for (const { kind, topic } of operations) {
    if (kind === "subscribe") sub.subscribe(topic)
    else sub.unsubscribe(topic)
  }
}

function text(message: Message[]): string[] {
  return message.map((frame) => frame.toString("latin1"))
}

async function runScenario(transport: Transport, { verbosity, scripts, published }: ScenarioValue): Promise<void> {
  const xpub = new XPublisher({ verbosity, receiveTimeout: TIMEOUT, linger: 0 })
  const subs = scripts.map(() => new Subscriber({ receiveTimeout: TIMEOUT, linger: 0 }))
  try {
    await xpub.bind(transport.bindAddress())
    const address = transport.connectAddress(xpub)
    const xpubModel = new XpubModel(verbosity)
    for (const [k, sub] of subs.entries()) {
      const subscriber = scripts[k]!
      if (subscriber.before) apply(sub, subscriber.operations)
      sub.connect(address)
      if (!subscriber.before) apply(sub, subscriber.operations)
      const sentinel = `${SENTINEL}${k}`
      sub.subscribe(sentinel)

      // Everything the XPUB hands over up to this subscriber's sentinel.
      const notifications: string[] = []
      for (let note = ""; note !== `+${sentinel}`; ) {
        const [frame, ...rest] = await xpub.receive()
        expect(rest).toEqual([])
        note = `${frame![0] === 1 ? "+" : frame![0] === 0 ? "-" : "?"}${frame!.subarray(1).toString("latin1")}`
        notifications.push(note)
      }
      const expected = [...upstream(subscriber), { kind: "subscribe", topic: sentinel } as const].flatMap((operation) => xpubModel.apply(k, operation))
      // Subscribed before connecting, the SUB sends what it holds in its own order.
      const order = (list: string[]): string[] => (subscriber.before ? [...list].sort() : list)
      expect(order(notifications), `notifications for subscriber ${k}`).toEqual(order(expected))
    }

    const messages = published.map(({ topic, tail }, i) => (tail ? [topic, String(i), "tail"] : [topic, String(i)]))
    for (const message of messages) await xpub.send(message)
    for (let k = 0; k < subs.length; k++) await xpub.send([`${SENTINEL}${k}`, "end"])

    for (const [k, sub] of subs.entries()) {
      const prefixes = held(scripts[k]!)
      const expected = messages.filter(([topic]) => prefixes.some((prefix) => topic!.startsWith(prefix)))
      const received: string[][] = []
      for (;;) {
        const message = text(await sub.receive())
        if (message[0] === `${SENTINEL}${k}`) break
        if (!message[0]!.startsWith(SENTINEL)) received.push(message) // another subscriber's end, seen by a "" subscription
      }
      expect(received, `subscriber ${k} holding ${JSON.stringify(prefixes)}`).toEqual(expected)
    }
  } finally {
    for (const sub of subs) sub.close()
    xpub.close()
  }
}

describe("PUB/SUB properties", () => {
  for (const transport of TRANSPORTS) {
    it(`over ${transport.name}: every subscriber receives exactly what its current prefixes match, in order`, async () => {
      await fc.assert(
        fc.asyncProperty(scenario, (value) => runScenario(transport, value)),
        { numRuns: 200, interruptAfterTimeLimit: 4000 },
      )
    })
  }
})
