/**
 * The Guide's chapter 4 Pirate examples end to end, each its own process as `pnpm example <name>` runs it:
 * lpclient against lpserver (tcp://localhost:5555), through spqueue to spworkers, and through ppqueue to
 * ppworkers (5555 for clients, 5556 for workers). The Guide's random faults are scripted through
 * ZMQ_TS_EXAMPLE_CRASH_AT / ZMQ_TS_EXAMPLE_OVERLOAD_AT, and ZMQ_TS_EXAMPLE_SPEED=10 makes every timing ten
 * times shorter (lpclient's timeout 250 ms; a server's work 100 ms).
 */
import { afterEach, describe, expect, it } from "vitest"
import { startExample, stopAll, type RunningExample } from "./helpers/spawn-example.js"

process.env.ZMQ_TS_EXAMPLE_SPEED = "10"

afterEach(async () => {
  await stopAll()
})

/** Starts an example with `env` added to this process's environment (the children inherit it at spawn). */
function start(name: string, env: Record<string, string> = {}): RunningExample {
  const saved = Object.fromEntries(Object.keys(env).map((key) => [key, process.env[key]]))
  Object.assign(process.env, env)
  try {
    return startExample(name)
  } finally {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key]
      else process.env[key] = value
    }
  }
}

const replied = (lines: readonly string[]): number[] =>
  lines.flatMap((line) => {
    const match = /^I: server replied OK \((\d+)\)$/.exec(line)
    return match === null ? [] : [Number(match[1])]
  })

describe("chapter 4: the Pirates", () => {
  it("lpclient survives lpserver's overload by retrying on a new socket, then abandons after the crash, as the Guide shows", async () => {
    // Cycle 2 (request 2) is slow, cycle 3 is its retry, cycle 4 request 3, and cycle 5 (request 4) crashes.
    const server = start("lpserver", { ZMQ_TS_EXAMPLE_OVERLOAD_AT: "2", ZMQ_TS_EXAMPLE_CRASH_AT: "5" })
    const client = start("lpclient")
    expect(await client.exited(30_000)).toBe(0)
    expect(await server.exited(10_000)).toBe(0)
    expect(server.lines).toContain("I: simulating CPU overload")
    expect(server.lines).toContain("I: simulating a crash")
    // Requests 1–3 answered in order (2 after a retry), 4 never: three sends, then the Guide's last words.
    expect(replied(client.lines)).toEqual([1, 2, 3])
    const lines = client.lines
    const overload = lines.indexOf("I: server replied OK (1)")
    expect(lines.slice(overload + 1, overload + 3)).toEqual(["W: no response from server, retrying...", "I: reconnecting to server..."])
    expect(lines.filter((line) => line === "W: no response from server, retrying...")).toHaveLength(3)
    expect(lines.at(-1)).toBe("E: server seems to be offline, abandoning")
  })

  it("spqueue hands lpclient's requests to its spworkers; a worker that crashes holding one costs a retry, not the request", async () => {
    const queue = start("spqueue")
    const steady = start("spworker", { ZMQ_TS_EXAMPLE_CRASH_AT: "0" })
    const crashing = start("spworker", { ZMQ_TS_EXAMPLE_CRASH_AT: "2" })
    await Promise.all([steady.waitFor(/worker ready/i, 15_000), crashing.waitFor(/worker ready/i, 15_000)])
    const client = start("lpclient", { ZMQ_TS_EXAMPLE_REQUESTS: "8" })
    expect(await client.exited(30_000)).toBe(0)
    expect(replied(client.lines)).toEqual([1, 2, 3, 4, 5, 6, 7, 8])
    expect(crashing.lines.some((line) => /simulating a crash/.test(line))).toBe(true)
    expect(client.lines).toContain("W: no response from server, retrying...")
    expect(queue.child.exitCode).toBeNull()
  })

  it("ppqueue with two ppworkers, one crashing mid-run: every request is answered, the dead worker expires, the other goes on", async () => {
    const queue = start("ppqueue")
    const steady = start("ppworker", { ZMQ_TS_EXAMPLE_CRASH_AT: "0" })
    const crashing = start("ppworker", { ZMQ_TS_EXAMPLE_CRASH_AT: "2" })
    await Promise.all([steady.waitFor(/worker ready$/, 15_000), crashing.waitFor(/worker ready$/, 15_000)])
    const client = start("lpclient", { ZMQ_TS_EXAMPLE_REQUESTS: "10" })
    expect(await client.exited(30_000)).toBe(0)
    expect(replied(client.lines)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
    expect(crashing.lines.some((line) => /simulating a crash$/.test(line))).toBe(true)
    await queue.waitFor(/^W: worker expired \(/, 10_000)
    expect(steady.lines.filter((line) => /normal reply$/.test(line)).length).toBeGreaterThanOrEqual(8)
  })
})
