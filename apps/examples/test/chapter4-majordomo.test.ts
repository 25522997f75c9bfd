/**
 * The Guide's chapter 4 Majordomo examples end to end, each its own process as `pnpm example <name>` runs
 * it: mdbroker with mdworker and mdclient / mdclient2 / mmiecho on tcp://localhost:5555, and tripping.
 * ZMQ_TS_REQUESTS shortens the Guide's 100,000 requests.
 */
import { afterEach, describe, expect, it } from "vitest"
import { startExample, stopAll, type RunningExample } from "./helpers/spawn-example.js"

process.env.ZMQ_TS_REQUESTS = "2000"

afterEach(async () => {
  await stopAll()
})

async function finished(program: RunningExample, timeout = 30_000): Promise<string[]> {
  expect(await program.exited(timeout)).toBe(0)
  return program.lines
}

/** mdbroker prints nothing until a message comes unless -v; with -v it says where it listens. */
async function startBroker(): Promise<RunningExample> {
  const broker = startExample("mdbroker", ["-v"])
  await new Promise<void>((resolve, reject) => {
    const started = Date.now()
    const look = (): void => {
      if (/I: MDP broker\/0\.2\.0 is active at tcp:\/\/\*:5555/.test(broker.stderr())) resolve()
      else if (Date.now() - started > 15_000) reject(new Error(`mdbroker did not start: ${broker.stderr()}`))
      else setTimeout(look, 20)
    }
    look()
  })
  return broker
}

async function stderrMatches(program: RunningExample, pattern: RegExp, timeout = 15_000): Promise<void> {
  const started = Date.now()
  while (!pattern.test(program.stderr())) {
    if (Date.now() - started > timeout) throw new Error(`${program.name}: ${pattern} not on stderr: ${program.stderr().slice(-2000)}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

describe("chapter 4: Majordomo", () => {
  it("mmiecho says 404 before an echo worker registers and 200 after; mdclient's requests are all answered", async () => {
    const broker = await startBroker()
    expect(await finished(startExample("mmiecho"))).toEqual(["Lookup echo service: 404"])
    const worker = startExample("mdworker")
    await stderrMatches(broker, /I: registering new worker/)
    expect(await finished(startExample("mmiecho"))).toEqual(["Lookup echo service: 200"])
    expect(await finished(startExample("mdclient"))).toEqual(["2000 requests/replies processed"])
    // The broker traced every step (-v): the client's requests, the worker's replies, the heartbeats.
    expect(broker.stderr()).toMatch(/I: received message:/)
    expect(broker.stderr()).toMatch(/I: sending REQUEST to worker/)
    worker.signal("SIGINT")
    expect(await worker.exited()).toBe(0)
    expect(worker.lines).toContain("W: interrupt received, killing worker...")
    broker.signal("SIGINT")
    expect(await broker.exited()).toBe(0)
    expect(broker.lines).toContain("W: interrupt received, shutting down...")
  }, 90_000)

  it("mdclient2 (asynchronous) gets every reply back, from two workers", async () => {
    await startBroker()
    const workers = [startExample("mdworker"), startExample("mdworker", ["-v"])]
    await stderrMatches(workers[1]!, /I: sending READY to broker/)
    await new Promise((resolve) => setTimeout(resolve, 1500))
    expect(await finished(startExample("mdclient2"))).toEqual(["2000 replies received"])
  }, 90_000)

  it("mdclient without a broker gives up after three tries of 2.5 s", async () => {
    const client = startExample("mdclient", ["-v"])
    const mmiecho = startExample("mmiecho")
    expect(await finished(client)).toEqual(["0 requests/replies processed"])
    expect(client.stderr()).toMatch(/W: no reply, reconnecting\.\.\.[\s\S]*W: no reply, reconnecting\.\.\.[\s\S]*W: permanent error, abandoning/)
    expect(await finished(mmiecho)).toEqual(["E: no response from broker, make sure it's running"])
  }, 60_000)

  it("a worker re-registers with a restarted broker, and the client carries on", async () => {
    let broker = await startBroker()
    const worker = startExample("mdworker", ["-v"])
    await stderrMatches(broker, /I: registering new worker/)
    broker.signal("SIGKILL")
    await broker.exited()
    broker = await startBroker()
    // The old worker heartbeats to the new broker, which does not know it: DISCONNECT, then a new READY.
    await stderrMatches(broker, /I: registering new worker/, 20_000)
    expect(worker.stderr()).toMatch(/I: connecting to broker at tcp:\/\/localhost:5555\.\.\.[\s\S]*I: connecting to broker/)
    expect(await finished(startExample("mmiecho"))).toEqual(["Lookup echo service: 200"])
  }, 90_000)

  it("tripping: the asynchronous round trips are faster than the synchronous ones", async () => {
    const lines = await finished(startExample("tripping"))
    expect(lines.slice(0, 2)).toEqual(["Setting up test...", "Synchronous round-trip test..."])
    expect(lines[3]).toBe("Asynchronous round-trip test...")
    const rates = [lines[2], lines[4]].map((line) => Number(/^ (\d+) calls\/second$/.exec(line ?? "")?.[1]))
    for (const rate of rates) expect(rate).toBeGreaterThan(0)
    // The Guide sees 20 times; on a loaded 2-core machine, faster at all is what can be asserted.
    expect(rates[1]).toBeGreaterThan(rates[0]!)
  }, 60_000)
})
