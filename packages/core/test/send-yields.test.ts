import { describe, expect, it } from "vitest"
import { Publisher, Subscriber } from "../src/index.js"

// The Guide's wuserver publishes in `while (true)`. Every send resolves at once, so without care the event
// loop would never turn: nothing would be written and no timer or signal would fire.
//
//   while (true) await pub.send(update)  ──tcp──▶  SUB (same process)

describe("a send loop that never waits", () => {
  it("still lets the event loop run: timers fire and the bytes reach a subscriber in the same process", async () => {
    await using pub = new Publisher()
    await pub.bind("tcp://127.0.0.1:*")
    await using sub = new Subscriber()
    sub.connect(pub.lastEndpoint!)
    sub.subscribe("")
    let timerFired = false
    setTimeout(() => (timerFired = true), 20)
    let received = 0
    const reading = (async () => {
      for await (const _ of sub) if (++received === 1000) return
    })()
    let stop = false
    void reading.then(() => (stop = true))
    const started = Date.now()
    // Keep publishing until both the subscriber got its 1000 and the timer fired (or give up after 5 s).
    while (!(stop && timerFired) && Date.now() - started < 5000) await pub.send("update")
    expect(received).toBe(1000)
    expect(timerFired).toBe(true)
  })
})
