/**
 * The Guide's chapter 4 Freelance examples end to end ("Brokerless Reliability"), each its own process as
 * `pnpm example <name>` runs it: model one (flserver1 + flclient1, Lazy Pirate over several servers), model
 * two (flserver2 + flclient2, the shotgun), model three (flserver3 + flclient3 on FreelanceClient/Server),
 * each with a server gone before or during the run.
 */
import { afterEach, describe, expect, it } from "vitest"

// flclient1's one-second timeout ten times shorter; flclient2/3 send fewer than 10,000 requests.
process.env.ZMQ_TS_EXAMPLE_SPEED = "10"
import { startExample, stopAll, type RunningExample } from "./helpers/spawn-example.js"

afterEach(async () => {
  await stopAll()
})

const ready = async (server: RunningExample): Promise<RunningExample> => {
  await server.waitFor(/^I: (echo )?service is ready at /, 20_000)
  return server
}

describe("chapter 4, Freelance", () => {
  it("flclient1: one echo server answers at once; with the first of two gone, it fails over to the second", async () => {
    await ready(startExample("flserver1", ["tcp://*:5556"]))
    const client = startExample("flclient1", ["tcp://localhost:5555", "tcp://localhost:5556"])
    expect(await client.exited(20_000)).toBe(0)
    expect(client.lines).toEqual([
      "I: trying echo service at tcp://localhost:5555...",
      "W: no response from tcp://localhost:5555",
      "I: trying echo service at tcp://localhost:5556...",
      "Service is running OK",
    ])
    const alone = startExample("flclient1", ["tcp://localhost:5556"])
    expect(await alone.exited(20_000)).toBe(0)
    expect(alone.lines).toEqual(["I: trying echo service at tcp://localhost:5556...", "Service is running OK"])
  }, 60_000)

  it("flclient1: a single server that is down is tried three times, then abandoned", async () => {
    const client = startExample("flclient1", ["tcp://localhost:5555"])
    expect(await client.exited(20_000)).toBe(0)
    expect(client.lines).toEqual(
      Array.from({ length: 3 }, () => ["I: trying echo service at tcp://localhost:5555...", "W: no response from tcp://localhost:5555, retrying..."]).flat(),
    )
  }, 60_000)

  it("flclient2: the shotgun gets every reply while both servers run, and keeps going when one is killed", async () => {
    process.env.ZMQ_TS_REQUESTS = "500"
    const servers = [await ready(startExample("flserver2", ["tcp://*:5555"])), await ready(startExample("flserver2", ["tcp://*:5556"]))]
    const both = startExample("flclient2", ["tcp://localhost:5555", "tcp://localhost:5556"])
    expect(await both.exited(30_000)).toBe(0)
    expect(both.lines).toHaveLength(1)
    expect(both.lines[0]).toMatch(/^Average round trip cost: \d+ usec$/)

    process.env.ZMQ_TS_REQUESTS = "20000"
    const client = startExample("flclient2", ["tcp://localhost:5555", "tcp://localhost:5556"])
    await new Promise((resolve) => setTimeout(resolve, 1500)) // the client is starting, then running
    expect(client.child.exitCode).toBeNull() // still running when its first server dies
    servers[0]!.signal("SIGKILL")
    expect(await client.exited(60_000)).toBe(0)
    expect(client.lines.at(-1)).toMatch(/^Average round trip cost: \d+ usec$/)
    expect(client.lines).not.toContain("E: name service not available, aborting")
  }, 90_000)

  it("flclient3: FreelanceClient against three flserver3s completes its requests though the first server is killed mid-run", async () => {
    process.env.ZMQ_TS_REQUESTS = "3000"
    const first = await ready(startExample("flserver3", ["-v"]))
    const second = await ready(startExample("flserver3", ["-v", "tcp://*:5556"]))
    await ready(startExample("flserver3", ["tcp://*:5557"]))
    const client = startExample("flclient3")
    // The first server gets the requests while it lives (the client prefers the order it connected in)…
    await first.waitFor(/^\[011\] random name$/, 20_000)
    first.signal("SIGKILL")
    // …then the second takes over, and the client finishes without a failed request.
    await second.waitFor(/^\[011\] random name$/, 20_000)
    expect(await client.exited(60_000)).toBe(0)
    expect(client.lines.slice(0, 3)).toEqual([
      "I: connecting to tcp://localhost:5555...",
      "I: connecting to tcp://localhost:5556...",
      "I: connecting to tcp://localhost:5557...",
    ])
    expect(client.lines.at(-1)).toMatch(/^Average round trip cost: \d+ usec$/)
    expect(client.lines).not.toContain("E: name service not available, aborting")
    // flserver3 -v dumps each request as the Guide's does: client id, CCF (the sequence number), body.
    const dump = first.lines.indexOf("----------------------------------------")
    expect(first.lines[dump + 1]).toMatch(/^\[005\] 00[0-9A-F]{8}$/)
    expect(first.lines[dump + 2]).toMatch(/^\[00\d\] \d+$/)
    second.signal("SIGINT")
    expect(await second.exited(10_000)).toBe(0)
    expect(second.lines.at(-1)).toBe("W: interrupted")
  }, 90_000)

  it("flclient3: with no server up, the request times out and the client aborts as the Guide's does", async () => {
    process.env.ZMQ_TS_REQUESTS = "10"
    const client = startExample("flclient3")
    expect(await client.exited(30_000)).toBe(0)
    expect(client.lines.slice(3)).toEqual(["E: name service not available, aborting", expect.stringMatching(/^Average round trip cost: \d+ usec$/)])
  }, 60_000)
})
