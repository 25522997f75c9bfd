/** The browser twins of src/platform/ other than Buffer's: each behaves as the Node module it stands for. */
import { EventEmitter as NodeEmitter } from "node:events"
import { describe, expect, it, vi } from "vitest"
import { EventEmitter } from "../../src/platform/events.browser.js"
import { randomBytes } from "../../src/platform/random.browser.js"
import { nextTurn, setImmediate } from "../../src/platform/timers.browser.js"
import { nextTick, onBeforeExit } from "../../src/platform/process.browser.js"
import { loadCurveModule, x25519KeyPair } from "../../src/platform/curve.browser.js"
import { MessageChannel, threadsAvailable } from "../../src/platform/threads.browser.js"

describe("the browser's EventEmitter", () => {
  it("calls listeners in order with the emitter as this; once, off (latest first), counts, as Node's", () => {
    for (const Emitter of [EventEmitter, NodeEmitter]) {
      const emitter = new Emitter()
      const calls: string[] = []
      const a = (value: string): void => void calls.push(`a${value}`)
      const b = function (this: unknown, value: string): void {
        calls.push(`b${value}${this === emitter ? "+" : "-"}`)
      }
      emitter.on("x", a)
      emitter.on("x", b)
      emitter.once("x", a)
      expect(emitter.emit("x", "1")).toBe(true)
      expect(emitter.emit("x", "2")).toBe(true)
      emitter.off("x", a)
      expect(emitter.emit("x", "3")).toBe(true)
      expect(emitter.listenerCount("x")).toBe(1)
      expect(emitter.emit("y")).toBe(false)
      expect(calls).toEqual(["a1", "b1+", "a1", "a2", "b2+", "b3+"])
      expect(() => emitter.emit("error", new Error("boom"))).toThrow("boom")
      emitter.removeAllListeners()
      expect(emitter.listenerCount("x")).toBe(0)
    }
  })
})

describe("the browser's process, timers, random", () => {
  it("nextTick runs before the next macrotask, with its arguments; setImmediate after it, in order", async () => {
    const order: string[] = []
    setImmediate((tag: string) => order.push(tag), "immediate 1")
    setImmediate(() => order.push("immediate 2"))
    nextTick((tag: string) => order.push(tag), "tick")
    await nextTurn()
    await nextTurn()
    expect(order).toEqual(["tick", "immediate 1", "immediate 2"])
    expect(await nextTurn("value")).toBe("value")
  })

  it("random bytes of any size, different each time", () => {
    const a = randomBytes(70_000)
    expect(a.length).toBe(70_000)
    expect(a.subarray(65_536).some((byte) => byte !== 0)).toBe(true)
    expect(randomBytes(16).equals(randomBytes(16))).toBe(false)
  })

  it("no exit wait, no threads, no CURVE: each absent, not pretended", () => {
    const listener = vi.fn()
    onBeforeExit(listener)
    expect(listener).not.toHaveBeenCalled()
    expect(threadsAvailable).toBe(false)
    expect(() => new MessageChannel()).toThrow(/not available in browsers/)
    expect(loadCurveModule).toBeUndefined()
    expect(x25519KeyPair).toBeUndefined()
  })
})
