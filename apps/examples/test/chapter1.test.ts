/**
 * The Guide's chapter 1 examples end to end: every program is its own process, started as a reader would
 * (`pnpm example <name>` runs the same file), on the Guide's fixed ports. Mixed-language runs replace one
 * side with a libzmq program (zeromq.js v6, test/peers/chapter1-*.ts):
 *
 *   hwclient ──REQ/REP :5555──▶ hwserver        (either started first; either side libzmq)
 *   wuserver ──PUB/SUB :5556 | ipc://weather.ipc──▶ wuclient   (either side libzmq)
 *   taskvent ──PUSH :5557──▶ taskwork ×2 (zmq-ts or libzmq) ──PUSH :5558──▶ tasksink
 *       └──────────────── start of batch "0" ─────────────────────────────▶
 *
 * Timing-only constants are lowered through the environment: ZMQ_TS_EXAMPLE_SPEED=10 makes hwserver's
 * second of "work" 100 ms; the pipeline runs at speed 4 so the parallel speed-up stays well above the
 * per-task overhead.
 */
import { existsSync, readFileSync } from "node:fs"
import { setTimeout as delay } from "node:timers/promises"
import { fileURLToPath } from "node:url"
import { afterEach, describe, expect, it } from "vitest"
import { startExample, startPeer, stopAll, type RunningExample } from "./helpers/spawn-example.js"

const SPEED = "10"
const PIPELINE_SPEED = 4
process.env.ZMQ_TS_EXAMPLE_SPEED = SPEED
// Run from apps/examples, as a reader would: wuserver's ipc://weather.ipc lands there.
process.chdir(fileURLToPath(new URL("..", import.meta.url)))

afterEach(async () => {
  process.env.ZMQ_TS_EXAMPLE_SPEED = SPEED
  await stopAll()
})


/**
 * The local TCP sockets on `port` in the given state ("0A" listening, "01" established), from Linux's
 * /proc/net/tcp{,6}: a test can see a server bind, or its peers connect, without connecting to it itself.
 */
function tcpSockets(port: number, state: "0A" | "01"): number {
  const hexPort = `:${port.toString(16).toUpperCase().padStart(4, "0")}`
  let count = 0
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    if (!existsSync(table)) continue
    for (const line of readFileSync(table, "utf8").split("\n").slice(1)) {
      const [, local, , st] = line.trim().split(/\s+/)
      if (local?.endsWith(hexPort) && st === state) count++
    }
  }
  return count
}

/** Waits until `count` sockets on `port` are in `state` (on systems without /proc: a fixed 3 s). */
async function untilTcp(port: number, state: "0A" | "01", count: number, timeout = 10_000): Promise<void> {
  if (!existsSync("/proc/net/tcp")) return void (await delay(3000))
  const deadline = Date.now() + timeout
  while (tcpSockets(port, state) < count) {
    if (Date.now() > deadline) throw new Error(`port ${port}: fewer than ${count} sockets in state ${state}`)
    await delay(25)
  }
}

const listening = (port: number): Promise<void> => untilTcp(port, "0A", 1)
/** Accepted connections on a bound port: for each, ZMTP's handshake follows within a few milliseconds. */
const connected = async (port: number, peers: number): Promise<void> => {
  await untilTcp(port, "01", peers)
  await delay(200)
}

/** Ctrl-C, then the exit code: every long-running example traps it and exits 0 with its sockets closed. */
async function interrupt(example: RunningExample): Promise<number | string> {
  example.signal("SIGINT")
  return example.exited()
}

describe("version", () => {
  it("prints the libzmq version zmq-ts matches, in the Guide's words", async () => {
    const version = startExample("version")
    expect(await version.exited()).toBe(0)
    expect(version.lines).toEqual(["Current 0MQ version is 4.3.5"])
  })
})

describe("hello world (hwserver, hwclient)", () => {
  const CLIENT_LINES = [
    "Connecting to hello world server...",
    ...Array.from({ length: 10 }, (_, n) => [`Sending Hello ${n}...`, `Received World ${n}`]).flat(),
  ]

  /** The client's ten round trips, line for line, and the server's ten "Received Hello". */
  async function tenRoundTrips(client: RunningExample, server: RunningExample): Promise<void> {
    expect(await client.exited(15_000)).toBe(0)
    expect(client.lines).toEqual(CLIENT_LINES)
    await server.waitForCount(/^Received Hello$/, 10)
    expect(server.lines).toEqual(Array(10).fill("Received Hello"))
  }

  it("hwserver first, then hwclient: ten requests; Ctrl-C ends the server with exit 0", async () => {
    const server = startExample("hwserver")
    await listening(5555)
    await tenRoundTrips(startExample("hwclient"), server)
    expect(await interrupt(server)).toBe(0)
    expect(server.stderr()).toBe("")
  })

  it("hwclient first: its REQ connects before anything is bound, and completes once hwserver starts", async () => {
    const client = startExample("hwclient")
    await client.waitFor(/^Sending Hello 0\.\.\.$/)
    expect(tcpSockets(5555, "0A")).toBe(0)
    await delay(300) // a few reconnect attempts while nobody listens
    const server = startExample("hwserver")
    await tenRoundTrips(client, server)
    expect(await interrupt(server)).toBe(0)
  })

  it("hwserver exits 0 on Ctrl-C while it waits for a request", async () => {
    const server = startExample("hwserver")
    await listening(5555)
    expect(await interrupt(server)).toBe(0)
    expect(server.lines).toEqual([])
    expect(server.stderr()).toBe("")
  })

  it("Ctrl-C during the second of 'work': the reply still goes out, then hwserver exits 0", async () => {
    process.env.ZMQ_TS_EXAMPLE_SPEED = "1"
    const server = startExample("hwserver")
    await listening(5555)
    const client = startExample("hwclient")
    await server.waitFor(/^Received Hello$/)
    expect(await interrupt(server)).toBe(0)
    expect(server.lines).toEqual(["Received Hello"])
    await client.waitFor(/^Received World 0$/) // sent just before the socket closed, and delivered
  })

  it("mixed: our hwclient → libzmq hwserver", async () => {
    const server = startPeer("chapter1-hwserver")
    await listening(5555)
    await tenRoundTrips(startExample("hwclient"), server)
    expect(await interrupt(server)).toBe(0)
  })

  it("mixed: libzmq hwclient → our hwserver", async () => {
    const server = startExample("hwserver")
    await listening(5555)
    await tenRoundTrips(startPeer("chapter1-hwclient"), server)
    expect(await interrupt(server)).toBe(0)
  })
})

describe("weather updates (wuserver, wuclient)", () => {
  // Zipcodes are 00000–99999 ("%05d" of randof(100000)): the default "10001 " matches one update in
  // 100,000 (about ten seconds of publishing here, as in the Guide); "10" matches one in a hundred.
  const FILTER = "10"
  const AVERAGE = /^Average temperature for zipcode '10' was (-?\d+)F$/

  /** The client's two lines; temperatures are randof(215) - 80, so the average lies in -80…134. */
  async function averageOf100(client: RunningExample): Promise<void> {
    const [, average] = AVERAGE.exec(await client.waitFor(AVERAGE, 15_000))!
    expect(Number(average)).toBeGreaterThanOrEqual(-80)
    expect(Number(average)).toBeLessThanOrEqual(134)
    expect(await client.exited()).toBe(0)
    expect(client.lines).toEqual(["Collecting updates from weather server...", expect.stringMatching(AVERAGE)])
  }

  it("wuclient started first keeps waiting; wuserver then feeds it; Ctrl-C removes weather.ipc", async () => {
    const client = startExample("wuclient", [FILTER])
    await client.waitFor(/^Collecting updates from weather server\.\.\.$/)
    const server = startExample("wuserver")
    await averageOf100(client)
    expect(existsSync("weather.ipc")).toBe(true)
    expect(await interrupt(server)).toBe(0)
    expect(server.stderr()).toBe("")
    expect(existsSync("weather.ipc")).toBe(false)
  })

  it("mixed: libzmq wuserver → our wuclient", async () => {
    const server = startPeer("chapter1-wuserver")
    await listening(5556)
    await averageOf100(startExample("wuclient", [FILTER]))
    expect(await interrupt(server)).toBe(0)
  })

  it("mixed: our wuserver → libzmq wuclient, over tcp and over ipc://weather.ipc", async () => {
    const server = startExample("wuserver")
    await listening(5556)
    await averageOf100(startPeer("chapter1-wuclient", [FILTER]))
    await averageOf100(startPeer("chapter1-wuclient", [FILTER, "ipc://weather.ipc"]))
    expect(await interrupt(server)).toBe(0)
  })
})

describe("divide and conquer (taskvent, taskwork, tasksink)", () => {
  interface Pipeline {
    ventilator: RunningExample
    workers: RunningExample[]
    sink: RunningExample
  }

  /**
   * Runs one batch: once the workers are connected to the ventilator and the sink, Enter starts it. Checks
   * every line, that each worker did its share, and the parallel speed-up.
   */
  async function batch({ ventilator, workers, sink }: Pipeline): Promise<void> {
    await connected(5557, workers.length)
    await connected(5558, workers.length + 1) // and the ventilator's start-of-batch PUSH
    ventilator.write("\n")

    const expected = /^Total expected cost: (\d+) msec$/
    const [, cost] = expected.exec(await ventilator.waitFor(expected, 15_000))!
    expect(await ventilator.exited()).toBe(0)
    expect(ventilator.lines).toEqual([
      "Press Enter when the workers are ready: Sending tasks to workers...",
      `Total expected cost: ${cost} msec`,
    ])
    const elapsed = /^(?::\.{9}){10}Total elapsed time: (\d+) msec$/
    const [, time] = elapsed.exec(await sink.waitFor(elapsed, 15_000))!
    expect(await sink.exited()).toBe(0)
    expect(sink.lines).toHaveLength(1)

    // Each worker printed "workload." per task: 100 tasks in all, split evenly, adding up to the cost.
    for (const worker of workers) expect(await interrupt(worker)).toBe(0)
    const workloads = workers.map((worker) => {
      expect(worker.lines.join("")).toMatch(/^(?:\d+\.)+$/)
      return worker.lines.join("").split(".").filter(Boolean).map(Number)
    })
    expect(workloads.flat()).toHaveLength(100)
    for (const done of workloads) expect(done.length).toBeGreaterThanOrEqual(40)
    expect(workloads.flat().reduce((sum, workload) => sum + workload, 0)).toBe(Number(cost))

    // In parallel, the batch takes about half of what one worker would need (the cost, at this speed).
    const serial = Number(cost) / PIPELINE_SPEED
    console.log(`2 workers: total expected cost ${serial.toFixed(0)} msec (at speed ${PIPELINE_SPEED}), elapsed ${time} msec`)
    expect(Number(time)).toBeLessThan(serial * 0.8)
    expect(Number(time)).toBeGreaterThan(serial * 0.4)
  }

  it("taskvent → taskwork ×2 → tasksink: the batch takes clearly less than its total expected cost", async () => {
    process.env.ZMQ_TS_EXAMPLE_SPEED = String(PIPELINE_SPEED)
    await batch({
      sink: startExample("tasksink"),
      workers: [startExample("taskwork"), startExample("taskwork")],
      ventilator: startExample("taskvent"),
    })
  })

  it("mixed: our taskvent and tasksink with two libzmq workers", async () => {
    process.env.ZMQ_TS_EXAMPLE_SPEED = String(PIPELINE_SPEED)
    await batch({
      sink: startExample("tasksink"),
      workers: [startPeer("chapter1-taskwork"), startPeer("chapter1-taskwork")],
      ventilator: startExample("taskvent"),
    })
  })

  it("mixed: libzmq taskvent and tasksink with two of our workers", async () => {
    process.env.ZMQ_TS_EXAMPLE_SPEED = String(PIPELINE_SPEED)
    await batch({
      sink: startPeer("chapter1-tasksink"),
      workers: [startExample("taskwork"), startExample("taskwork")],
      ventilator: startPeer("chapter1-taskvent"),
    })
  })
})
