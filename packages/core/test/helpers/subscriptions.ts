import { setTimeout as delay } from "node:timers/promises"
import { expect } from "vitest"
import type { Socket } from "../../src/index.js"
import { receiveMany, text } from "./transports.js"

/**
 * The slow joiner's cure without a side channel: publishes numbered probes on `topic` until every
 * subscriber has received one, then one "end" probe, and reads each subscriber up to it. Subscriptions
 * travel in order on each connection, so once a probe on a topic subscribed last has arrived, every
 * subscription the subscriber sent before it is in force at the publisher — and no probe is left to read.
 */
export async function probe(pub: Socket, subs: readonly Socket[], topic: string, timeoutMs = 5000): Promise<void> {
  const arrived = subs.map(() => false)
  const firsts = subs.map((sub, k) => {
    const receiving = sub.receive()
    receiving.then(
      () => (arrived[k] = true),
      () => {},
    )
    return receiving
  })
  const deadline = Date.now() + timeoutMs
  for (let n = 0; !arrived.every(Boolean); n++) {
    if (Date.now() > deadline) throw new Error(`probe on ${JSON.stringify(topic)}: ${arrived.filter(Boolean).length} of ${subs.length} subscribers reached`)
    await pub.send([topic, `probe-${n}`])
    await delay(n < 5 ? 1 : 10)
  }
  for (const first of firsts) expect(text(await first)[0]).toBe(topic)
  await pub.send([topic, "end"])
  for (const sub of subs) {
    for (;;) {
      const [first, body] = text((await receiveMany(sub, 1))[0]!)
      expect(first).toBe(topic)
      if (body === "end") break
    }
  }
}
