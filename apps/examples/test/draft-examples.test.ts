/**
 * The draft socket examples (src/extras/radio-dish.ts, client-server.ts), each run as its own process as a
 * reader would run it: they print what the draft types deliver and exit 0.
 */
import { afterEach, describe, expect, it } from "vitest"
import { startExample, stopAll } from "./helpers/spawn-example.js"

afterEach(() => stopAll())

describe("draft socket examples", () => {
  it("radio-dish: each dish gets exactly its groups' messages, and nothing of a group it left", async () => {
    const example = startExample("radio-dish")
    expect(await example.exited(20_000)).toBe(0)
    expect(example.lines).toEqual([
      "dish 1 got [weather] rain at noon",
      "dish 2 got [weather] rain at noon",
      "dish 2 got [sports] 3-1",
      "dish 1 got [weather] sun",
      "dish 2 got [sports] 2-2",
    ])
    expect(example.stderr()).toBe("")
  }, 30_000)

  it("client-server: every client gets the answer meant for it", async () => {
    const example = startExample("client-server")
    expect(await example.exited(20_000)).toBe(0)
    expect(example.lines).toEqual([
      "alice got: hello alice, you are peer N",
      "bob got: hello bob, you are peer N",
      "carol got: hello carol, you are peer N",
    ])
    expect(example.stderr()).toBe("")
  }, 30_000)
})
