/**
 * sync-pubsub — @zmq-ts/patterns' SynchronizedPublisher / SynchronizedSubscriber: the Guide's "Node
 * Coordination" (syncpub + syncsub) in one process, over tcp://127.0.0.1.
 *
 *   SynchronizedSubscriber ×3   SUB ◀── hellos, then 10,000 × "Rhubarb", then "END" ── PUB
 *                               REQ ──── "ready" ─────────────────────────────────────▶ REP  SynchronizedPublisher
 *
 * The publisher waits until all three subscribers have said they are ready, then broadcasts; every
 * subscriber counts every update, the first included. `pnpm example sync-pubsub handshake` uses the Guide's
 * plain REQ/REP handshake instead of the default "hello" mode (the Guide's "more robust model").
 */
import { SynchronizedPublisher, SynchronizedSubscriber, type SyncMode } from "@zmq-ts/patterns"

const SUBSCRIBERS_EXPECTED = 3
const UPDATES = 10_000
const mode: SyncMode = process.argv[2] === "handshake" ? "handshake" : "hello"

const publisher = new SynchronizedPublisher({
  endpoint: "tcp://127.0.0.1:*",
  syncEndpoint: "tcp://127.0.0.1:*",
  subscribers: SUBSCRIBERS_EXPECTED,
  mode,
  timeout: 5000,
})
await publisher.bind()

//  Start the subscribers: each joins, then counts updates until END
const subscribers = Array.from(
  { length: SUBSCRIBERS_EXPECTED },
  () =>
    new SynchronizedSubscriber({
      endpoint: publisher.endpoints[0]!,
      syncEndpoint: publisher.syncEndpoints[0]!,
      mode,
      settleDelay: 200,
      timeout: 5000,
    }),
)
const counts = subscribers.map(async (subscriber) => {
  await subscriber.join()
  let updates = 0
  for await (const [frame] of subscriber) {
    if (frame!.toString() === "END") break
    updates++
  }
  return updates
})

console.log(`Waiting for subscribers (${mode} mode)`)
await publisher.waitForSubscribers()

console.log("Broadcasting messages")
for (let update = 0; update < UPDATES; update++) await publisher.send("Rhubarb")
await publisher.send("END")

for (const updates of await Promise.all(counts)) console.log(`Received ${updates} updates`)
for (const subscriber of subscribers) subscriber.close()
publisher.close()
