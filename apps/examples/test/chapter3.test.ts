/**
 * The Guide's chapter 3 examples end to end, each its own process as `pnpm example <name>` runs it, next to a
 * libzmq (zeromq.js v6) version of the same program where the output is to be compared (test/peers/chapter3-*).
 */
import { mkdtempSync, readdirSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, afterEach, describe, expect, it } from "vitest"

// The five seconds of rtreq and rtdealer, and their workers' random work, ten times shorter.
process.env.ZMQ_TS_EXAMPLE_SPEED = "10"
import { startExample, startPeer, stopAll, type RunningExample } from "./helpers/spawn-example.js"

// lbbroker's ipc files (the Guide's relative ipc://frontend.ipc, ipc://backend.ipc) go to a directory removed after the file.
const ipcDir = mkdtempSync(join(tmpdir(), "zmqts-ch3-"))
process.env.ZMQ_TS_EXAMPLE_IPC_DIR = ipcDir

afterEach(async () => {
  await stopAll()
})

afterAll(() => {
  rmSync(ipcDir, { recursive: true, force: true })
})

async function output(program: RunningExample): Promise<string[]> {
  expect(await program.exited(20_000)).toBe(0)
  return program.lines
}

describe("chapter 3", () => {
  it("identity: a generated 5-byte identity, then the REQ's own, in front of the empty delimiter and the body, as libzmq's ROUTER shows them", async () => {
    const ours = await output(startExample("identity"))
    const theirs = await output(startPeer("chapter3-identity"))
    const expected = [
      "----------------------------------------",
      /^\[005\] 00[0-9A-F]{8}$/,
      /^\[000\] ?$/,
      "[039] ROUTER uses a generated 5 byte identity",
      "----------------------------------------",
      "[005] PEER2",
      /^\[000\] ?$/,
      "[040] ROUTER socket uses REQ's socket identity",
    ]
    for (const lines of [ours, theirs]) {
      expect(lines).toHaveLength(expected.length)
      expected.forEach((want, i) => (typeof want === "string" ? expect(lines[i]).toBe(want) : expect(lines[i]).toMatch(want)))
    }
  })

  it.each(["rtreq", "rtdealer"])("%s: the ROUTER keeps all ten workers busy until it fires them, and each reports what it did", async (name) => {
    const lines = await output(startExample(name))
    expect(lines).toHaveLength(10)
    const totals = lines.map((line) => Number(/^Completed: (\d+) tasks$/.exec(line)?.[1] ?? Number.NaN))
    // Every worker got work: the least recently used one is always the next, and the five seconds start
    // once all ten have asked for work.
    for (const total of totals) expect(total).toBeGreaterThan(0)
  })

  it.each([
    ["lbbroker", /^Worker: HELLO$/],
    ["lbbroker2", /^Worker: (\[005\] )?HELLO$/],
  ])("%s: every one of the ten clients' requests reaches a worker and every client prints its OK; the broker ends after the tenth reply and removes its ipc files", async (name, worker) => {
    const lines = await output(startExample(name))
    expect(lines.filter((line) => worker.test(line))).toHaveLength(10)
    expect(lines.filter((line) => line === "Client: OK")).toHaveLength(10)
    expect(lines.filter((line) => !worker.test(line) && line !== "Client: OK")).toEqual([])
    expect(readdirSync(ipcDir)).toEqual([])
  })
})
