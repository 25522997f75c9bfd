/**
 * The Guide's chapter 2 examples end to end: every program is its own process, started as a reader would
 * (`pnpm example <name>` runs the same file), on the Guide's fixed ports. Mixed-language runs replace one
 * side with a libzmq program (zeromq.js v6, test/peers/chapter2-*.ts):
 *
 *   rrclient ──▶ rrbroker | msgqueue | libzmq msgqueue ──▶ rrworker | libzmq rrworker
 *   wuserver ──▶ wuproxy ──▶ weather client (zmq-ts or libzmq) on :8100
 *   taskvent | libzmq taskvent ──▶ taskwork2 ×2 ──▶ tasksink2 ──"KILL"──▶ taskwork2 ×2 (exit)
 *   syncpub ◀──▶ syncsub ×N (zmq-ts, and libzmq)     psenvpub | libzmq psenvpub ──▶ psenvsub
 *   taskvent + wuserver (ours or libzmq) ──▶ msreader | mspoller       interrupt ◀── SIGINT
 *   hwclient | libzmq hwclient ×5 ──▶ mtserver (5 REP worker threads)     mtrelay (3 threads)
 *
 * Timing-only constants are lowered through the environment: ZMQ_TS_EXAMPLE_SPEED=10 makes the work sleeps
 * ten times shorter, ZMQ_TS_SUBSCRIBERS and ZMQ_TS_UPDATES shrink syncpub's 10 subscribers and 1M updates.
 */
import { readdir, readFile, readlink } from "node:fs/promises"
import { fileURLToPath } from "node:url"
import { afterEach, describe, expect, it } from "vitest"
import { startExample, startPeer, stopAll, type RunningExample } from "./helpers/spawn-example.js"

process.env.ZMQ_TS_EXAMPLE_SPEED = "10"
// Run from apps/examples, as a reader would: wuserver's ipc://weather.ipc lands there.
process.chdir(fileURLToPath(new URL("..", import.meta.url)))


afterEach(async () => {
  await stopAll()
})

/**
 * Resolves once the process itself listens on the port (Linux: its fds include the listening socket's
 * inode from /proc/net/tcp*), so that a signal is not sent before its handlers exist, whoever else is about.
 */
async function listeningIn(example: RunningExample, port: number, timeout = 10_000): Promise<void> {
  const portHex = `:${port.toString(16).toUpperCase().padStart(4, "0")}`
  const deadline = Date.now() + timeout
  while (true) {
    const inodes = new Set<string>()
    for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
      for (const row of (await readFile(table, "utf8").catch(() => "")).split("\n").slice(1)) {
        const fields = row.trim().split(/\s+/)
        if (fields[1]?.endsWith(portHex) && fields[3] === "0A") inodes.add(fields[9]!) // 0A: LISTEN
      }
    }
    const fds = await readdir(`/proc/${example.child.pid}/fd`).catch(() => [])
    for (const fd of fds) {
      const target = await readlink(`/proc/${example.child.pid}/fd/${fd}`).catch(() => "")
      if (inodes.has(target.replace(/^socket:\[(\d+)\]$/, "$1"))) return
    }
    if (Date.now() > deadline) {
      throw new Error(`${example.name} does not listen on port ${port}\n${example.lines.join("\n")}\n${example.stderr()}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

/** Ctrl-C, then the exit code: every long-running example traps it and exits 0 with its sockets closed. */
async function interrupt(example: RunningExample): Promise<number | string> {
  example.signal("SIGINT")
  return example.exited()
}

/** Runs rrclient against whatever broker and workers are up: ten replies, ten requests seen by the workers. */
async function tenRequests(workers: RunningExample[]): Promise<void> {
  const client = startExample("rrclient")
  const replies = await client.waitForCount(/^Received reply \d+ \[World\]$/, 10, 15_000)
  expect(replies).toEqual(Array.from({ length: 10 }, (_, request) => `Received reply ${request} [World]`))
  expect(await client.exited()).toBe(0)
  const requests = workers.flatMap((worker) => worker.lines.filter((line) => line === "Received request: Hello"))
  expect(requests).toHaveLength(10)
}

describe("request-reply through a broker (rrclient, rrworker, rrbroker, msgqueue)", () => {
  it("rrclient → rrbroker (Poller loop) → rrworker ×2", async () => {
    const broker = startExample("rrbroker")
    const workers = [startExample("rrworker"), startExample("rrworker")]
    await tenRequests(workers)
    for (const worker of workers) expect(await interrupt(worker)).toBe(0)
    expect(await interrupt(broker)).toBe(0)
  })

  it("rrclient → msgqueue (Proxy) → rrworker; Ctrl-C ends the proxy", async () => {
    const broker = startExample("msgqueue")
    const worker = startExample("rrworker")
    await tenRequests([worker])
    expect(await interrupt(broker)).toBe(0)
    expect(await interrupt(worker)).toBe(0)
  })

  it("mixed: our rrclient → our rrbroker → libzmq rrworker", async () => {
    startExample("rrbroker")
    const worker = startPeer("chapter2-libzmq-rrworker")
    await tenRequests([worker])
  })

  it("mixed: our rrclient → libzmq msgqueue (zmq_proxy) → our rrworker", async () => {
    const broker = startPeer("chapter2-libzmq-msgqueue")
    await broker.waitFor(/^msgqueue ready$/)
    const worker = startExample("rrworker")
    await tenRequests([worker])
  })
})

describe("wuproxy: the weather feed bridged to tcp://*:8100", () => {
  for (const library of ["zmq-ts", "libzmq"]) {
    it(`wuserver → wuproxy (XSUB/XPUB Proxy) → ${library} weather client subscribed at :8100`, async () => {
      const server = startExample("wuserver")
      const proxy = startExample("wuproxy")
      await listeningIn(server, 5556)
      // "1000" matches one update in 10,000: the subscription has to reach wuserver through the proxy for
      // 100 of them to arrive in time (the client exits 1 on any update that does not match).
      const client = startPeer("chapter2-wuclient", [library, "tcp://localhost:8100", "1000", "100"])
      expect(await client.waitFor(/^Average temperature for zipcode '1000' was -?\d+F$/, 20_000)).toBeTruthy()
      expect(await client.exited()).toBe(0)
      expect(await interrupt(proxy)).toBe(0)
      expect(await interrupt(server)).toBe(0)
    })
  }
})

describe("pipeline with a kill signal (taskvent, taskwork2, tasksink2)", () => {
  for (const ventilatorKind of ["ours", "libzmq"] as const) {
    const title =
      ventilatorKind === "ours"
        ? "the sink collects 100 results, reports the time and sends KILL; both workers exit"
        : "mixed: a libzmq taskvent feeds our taskwork2 ×2 and tasksink2; the KILL still ends both workers"
    it(title, async () => {
      const sink = startExample("tasksink2")
      const workers = [startExample("taskwork2"), startExample("taskwork2")]
      const ventilator = ventilatorKind === "ours" ? startExample("taskvent") : startPeer("chapter1-taskvent")
      await listeningIn(sink, 5558)
      await listeningIn(ventilator, 5557)
      // "Press Enter when the workers are ready": give both workers (separate Node processes, slow to start
      // on a loaded machine) time to connect, as a reader would.
      await new Promise((resolve) => setTimeout(resolve, 1500))
      // Enter, then end of input (as `echo | taskvent`): our taskvent exits once its tasks are out only when
      // its stdin is closed.
      ventilator.write("\n")
      ventilator.child.stdin!.end()
      await sink.waitFor(/^Total elapsed time: \d+ msec$/, 30_000)
      expect(sink.lines[0]).toBe(":.........".repeat(10))
      for (const worker of workers) expect(await worker.exited()).toBe(0)
      const dots = workers.map((worker) => (worker.lines[0] ?? "").length)
      expect(workers.map((worker) => worker.lines[0])).toEqual(dots.map((count) => ".".repeat(count)))
      expect(dots[0]! + dots[1]!).toBe(100)
      expect(await sink.exited()).toBe(0)
      expect(await ventilator.exited()).toBe(0)
    }, 60_000)
  }
})

describe("interrupt", () => {
  it("SIGINT → 'W: interrupt received, killing server…', socket closed, exit 0", async () => {
    const server = startExample("interrupt")
    await listeningIn(server, 5555)
    await new Promise((resolve) => setTimeout(resolve, 200)) // s_catch_signals() runs just after the bind
    expect(await interrupt(server)).toBe(0)
    expect(server.lines).toEqual(["W: interrupt received, proceeding…", "W: interrupt received, killing server…"])
    expect(server.stderr()).toBe("")
  })
})

describe("multithreading (mtserver, mtrelay)", () => {
  it("hwclient → mtserver: ten Worlds from the worker threads; Ctrl-C ends every thread, exit 0", async () => {
    const server = startExample("mtserver")
    await listeningIn(server, 5555)
    const client = startExample("hwclient")
    await client.waitForCount(/^Received World \d+$/, 10, 15_000)
    expect(await client.exited()).toBe(0)
    expect(server.lines.filter((line) => line === "Received request: [Hello]")).toHaveLength(10)
    expect(await interrupt(server)).toBe(0)
    expect(server.stderr()).toBe("")
  })

  it("mixed: five libzmq hwclients at once are served in parallel by the five threads", async () => {
    // 200 ms of work per request: 50 requests take 10 s on one thread, 2 s on five.
    process.env.ZMQ_TS_EXAMPLE_SPEED = "5"
    const server = startExample("mtserver")
    process.env.ZMQ_TS_EXAMPLE_SPEED = "10"
    await listeningIn(server, 5555)
    // Timed at the server, from its first request to its 50th, so the clients' start-up (five node processes
    // loading zeromq.js on two cores: seconds when the machine is busy) counts only as their stagger.
    const first = server.waitFor(/^Received request/, 30_000).then(() => Date.now())
    const fiftieth = server.waitForCount(/^Received request/, 50, 30_000).then(() => Date.now())
    const clients = Array.from({ length: 5 }, () => startPeer("chapter1-hwclient"))
    for (const client of clients) {
      await client.waitForCount(/^Received World \d+$/, 10, 30_000)
      expect(await client.exited()).toBe(0)
    }
    const elapsed = (await fiftieth) - (await first)
    expect(server.lines.filter((line) => line === "Received request: [Hello]")).toHaveLength(50)
    // One thread needs at least 49 × 200 ms = 9.8 s between the two; five need about 2 s plus the stagger.
    expect(elapsed).toBeLessThan(7000)
    expect(await interrupt(server)).toBe(0)
  })

  it("mtrelay: three threads signal each other over PAIR sockets → 'Test successful!'", async () => {
    const relay = startExample("mtrelay")
    expect(await relay.exited(15_000)).toBe(0)
    expect(relay.lines).toEqual(["Test successful!"])
    expect(relay.stderr()).toBe("")
  })
})

describe("node coordination (syncpub, syncsub)", () => {
  const UPDATES = 100_000

  async function synchronized(subscribers: RunningExample[], publisher: RunningExample): Promise<void> {
    for (const subscriber of subscribers) {
      expect(await subscriber.waitFor(/^Received \d+ updates$/, 20_000)).toBe(`Received ${UPDATES} updates`)
    }
    expect(publisher.lines).toEqual(["Waiting for subscribers", "Broadcasting messages"])
    expect(await publisher.exited()).toBe(0)
    for (const subscriber of subscribers) expect(await subscriber.exited()).toBe(0)
  }

  it("every one of 3 subscribers gets every update", async () => {
    process.env.ZMQ_TS_SUBSCRIBERS = "3"
    process.env.ZMQ_TS_UPDATES = String(UPDATES)
    const subscribers = [startExample("syncsub"), startExample("syncsub"), startExample("syncsub")]
    await synchronized(subscribers, startExample("syncpub"))
  })

  it("mixed: our syncpub with our syncsub and a libzmq syncsub", async () => {
    process.env.ZMQ_TS_SUBSCRIBERS = "2"
    process.env.ZMQ_TS_UPDATES = String(UPDATES)
    const subscribers = [startExample("syncsub"), startPeer("chapter2-libzmq-syncsub")]
    await synchronized(subscribers, startExample("syncpub"))
  })
})

describe("pub-sub envelopes (psenvpub, psenvsub)", () => {
  it("psenvsub subscribed to B sees only '[B] We would like to see this'", async () => {
    const publisher = startExample("psenvpub")
    const subscriber = startExample("psenvsub")
    await subscriber.waitForCount(/./, 3)
    expect(await interrupt(subscriber)).toBe(0)
    expect(await interrupt(publisher)).toBe(0)
    expect(subscriber.lines.length).toBeGreaterThanOrEqual(3)
    expect(new Set(subscriber.lines)).toEqual(new Set(["[B] We would like to see this"]))
  })

  it("mixed: libzmq psenvpub → our psenvsub", async () => {
    startPeer("chapter2-libzmq-psenvpub")
    const subscriber = startExample("psenvsub")
    await subscriber.waitForCount(/./, 3)
    expect(await interrupt(subscriber)).toBe(0)
    expect(new Set(subscriber.lines)).toEqual(new Set(["[B] We would like to see this"]))
  })
})

describe("reading from multiple sockets (msreader, mspoller)", () => {
  const runs = [
    { reader: "msreader", peers: "ours" },
    { reader: "mspoller", peers: "ours" },
    { reader: "msreader", peers: "libzmq" },
    { reader: "mspoller", peers: "libzmq" },
  ] as const
  for (const { reader, peers } of runs) {
    const title = peers === "ours" ? `${reader} serves taskvent's 100 tasks and wuserver's "10001 " updates` : `mixed: ${reader} serves a libzmq taskvent and a libzmq wuserver`
    it(title, async () => {
      const server = peers === "ours" ? startExample("wuserver") : startPeer("chapter1-wuserver")
      const ventilator = peers === "ours" ? startExample("taskvent") : startPeer("chapter1-taskvent")
      const example = startExample(reader)
      await listeningIn(ventilator, 5557)
      await listeningIn(server, 5556)
      ventilator.write("\n")
      ventilator.child.stdin!.end()
      const tasks = await example.waitForCount(/^process task: /, 100, 15_000).catch((error: Error) => {
        const state = `${reader} exit code ${example.child.exitCode} signal ${example.child.signalCode}`
        const others = [server, ventilator].map((other) => `${other.name}: ${other.lines.join(" | ")} ${other.stderr()}`)
        throw new Error(`${error.message}\n${state}\n${others.join("\n")}`)
      })
      for (const task of tasks) expect(task).toMatch(/^process task: ([1-9]\d?|100)$/)
      await example.waitForCount(/^process weather update: 10001 -?\d+ \d+$/, 3, 15_000)
      expect(example.lines.every((line) => /^process (task|weather update): /.test(line))).toBe(true)
      expect(await interrupt(example)).toBe(0)
      if (peers === "ours") expect(await interrupt(server)).toBe(0)
    })
  }
})
