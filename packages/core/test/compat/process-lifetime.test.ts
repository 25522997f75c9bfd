/**
 * Process lifetime, as zeromq.js v6 defines it (its context-process-exit and socket-process-exit tests, and
 * libzmq's zmq_ctx_term): an operation in progress keeps the process alive; idle sockets, even bound ones,
 * do not; messages still queued at exit are delivered within linger, and a wait of more than 500 ms prints
 * zeromq.js's warning. Each case runs a small program in a child process and watches how it ends.
 *
 *   child: send ─ close ─ (exit?)        parent: peer appears later ─ receives ─ child exits after delivery
 */
import { fileURLToPath } from "node:url"
import { Worker } from "node:worker_threads"
import { describe, expect, it } from "vitest"
import * as zmq from "zeromq"
import { Reply } from "../../src/index.js"
import { runChild } from "../helpers/child-script.js"
import { freePort, ipcPath } from "../helpers/transports.js"

const WARNING = "(node:PID) WARNING: Waiting for queued ZeroMQ messages to be delivered."
const BLOCKY_ADVICE = " Set 'context.blocky = false' to change this behaviour."
/** The warning as zeromq.js prints it, with or without its advice about `context.blocky`. */
function warning(blocky: boolean): RegExp {
  const line = WARNING + (blocky ? BLOCKY_ADVICE : "")
  return new RegExp(`^${line.replace(/[.()']/g, "\\$&").replace("PID", "\\d+")}\\n$`, "m")
}

describe("queued messages at exit (linger)", () => {
  for (const transport of ["tcp", "ipc"] as const) {
    it(`a message sent and closed before its ${transport} peer exists is delivered, then the process exits (linger 3000)`, async () => {
      const address = transport === "tcp" ? `tcp://127.0.0.1:${await freePort()}` : `ipc://${ipcPath()}`
      const pull = new zmq.Pull()
      let received: Promise<string> | undefined
      const run = await runChild(
        `import { Push } from ZMQ
         const push = new Push({ linger: 3000 })
         push.connect(${JSON.stringify(address)})
         await push.send("hello")
         push.close()
         console.log("CLOSED")`,
        {
          timeoutMs: 10_000,
          onLine: (line) => {
            if (line !== "CLOSED") return
            // The peer (libzmq) starts 300 ms after the sender closed.
            received = new Promise((resolve, reject) => {
              setTimeout(() => {
                pull
                  .bind(address)
                  .then(() => pull.receive())
                  .then(([message]) => resolve(String(message)), reject)
              }, 300)
            })
          },
        },
      )
      try {
        expect(run.timedOut, run.stderr).toBe(false)
        expect(run.code, run.stderr).toBe(0)
        expect(await received).toBe("hello")
        // It waited for the peer, and left within linger once the message was out.
        expect(run.elapsedMs).toBeGreaterThanOrEqual(300)
        expect(run.elapsedMs).toBeLessThan(3000)
      } finally {
        pull.close()
      }
    })
  }

  it("an open socket's queued messages hold the exit for its linger, then the process exits with the blocky warning", async () => {
    const port = await freePort()
    const run = await runChild(
      `import { context, Dealer } from ZMQ
       context.blocky = true
       const dealer = new Dealer({ linger: 1000 })
       dealer.connect("tcp://127.0.0.1:${port}")
       await dealer.send(null)`,
      { timeoutMs: 10_000 },
    )
    expect(run.code, run.stderr).toBe(0)
    expect(run.elapsedMs).toBeGreaterThanOrEqual(1000)
    expect(run.stderr).toMatch(warning(true))
  })

  it("with blocky off, an explicit linger still holds the exit, and the warning has no advice", async () => {
    const port = await freePort()
    const run = await runChild(
      `import { context, Dealer } from ZMQ
       context.blocky = false
       const dealer = new Dealer({ linger: 1000 })
       dealer.connect("tcp://127.0.0.1:${port}")
       await dealer.send(null)`,
      { timeoutMs: 10_000 },
    )
    expect(run.code, run.stderr).toBe(0)
    expect(run.elapsedMs).toBeGreaterThanOrEqual(1000)
    expect(run.stderr).toMatch(warning(false))
    expect(run.stderr).not.toContain("blocky")
  })

  it("a wait shorter than 500 ms prints nothing", async () => {
    const port = await freePort()
    const run = await runChild(
      `import { Dealer } from ZMQ
       const dealer = new Dealer({ linger: 50 })
       dealer.connect("tcp://127.0.0.1:${port}")
       await dealer.send(null)`,
      { timeoutMs: 10_000 },
    )
    expect(run.code, run.stderr).toBe(0)
    expect(run.stderr).toBe("")
  })

  it("with the default linger (-1) and blocky, undelivered messages keep the process alive", async () => {
    const port = await freePort()
    const run = await runChild(
      `import { Dealer } from ZMQ
       const dealer = new Dealer()
       dealer.connect("tcp://127.0.0.1:${port}")
       await dealer.send("never delivered")`,
      { timeoutMs: 2000 },
    )
    expect(run.timedOut).toBe(true)
    expect(run.stderr).toMatch(warning(true))
  })

  it("with blocky off, new sockets get linger 0: the process exits at once and drops what is queued", async () => {
    const port = await freePort()
    const run = await runChild(
      `import { context, Dealer } from ZMQ
       context.blocky = false
       const dealer = new Dealer()
       dealer.connect("tcp://127.0.0.1:${port}")
       await dealer.send("dropped")`,
      { timeoutMs: 10_000 },
    )
    expect(run.code, run.stderr).toBe(0)
    expect(run.stderr).toBe("")
    expect(run.elapsedMs).toBeLessThan(1000)
  })
})

describe("what keeps a process alive", () => {
  it("idle sockets, bound (tcp, ipc, inproc) or connected, do not", async () => {
    const run = await runChild(
      `import { Dealer, Pull, Push, Router } from ZMQ
       const router = new Router()
       await router.bind("tcp://127.0.0.1:*")
       const pull = new Pull()
       await pull.bind(${JSON.stringify(`ipc://${ipcPath()}`)})
       const inproc = new Pull()
       await inproc.bind("inproc://idle")
       const push = new Push()
       push.connect(pull.lastEndpoint)
       await push.send("hi")
       await pull.receive()
       const dealer = new Dealer()
       dealer.connect(router.lastEndpoint)
       console.log("IDLE")`,
      { timeoutMs: 8000 },
    )
    expect(run.timedOut, run.stderr).toBe(false)
    expect(run.code, run.stderr).toBe(0)
    expect(run.stdout).toContain("IDLE")
  })

  it("a receive() in progress does (inproc, nothing bound)", async () => {
    const run = await runChild(
      `import { Dealer } from ZMQ
       const dealer = new Dealer()
       dealer.connect("inproc://nobody")
       dealer.receive().catch((error) => { throw error })`,
      { timeoutMs: 1500 },
    )
    expect(run.timedOut).toBe(true)
  })

  it("a send() blocked with no peer does; a PUB's send (dropped) does not", async () => {
    const blocked = await runChild(`import { Dealer } from ZMQ\nawait new Dealer().send("test")`, { timeoutMs: 1500 })
    expect(blocked.timedOut).toBe(true)
    const dropped = await runChild(`import { Publisher } from ZMQ\nawait new Publisher().send("test")`, { timeoutMs: 8000 })
    expect(dropped.code, dropped.stderr).toBe(0)
  })

  it("a for await loop does, until its socket closes", async () => {
    const run = await runChild(
      `import { Pull } from ZMQ
       const pull = new Pull()
       await pull.bind("tcp://127.0.0.1:*")
       setTimeout(() => pull.close(), 300).unref()
       for await (const message of pull) console.log(String(message))
       console.log("ENDED")`,
      { timeoutMs: 8000 },
    )
    expect(run.code, run.stderr).toBe(0)
    expect(run.stdout).toContain("ENDED")
    expect(run.elapsedMs).toBeGreaterThanOrEqual(300)
  })

  it("reading events does; closing the socket ends the read and lets the process exit", async () => {
    const reading = await runChild(
      `import { Dealer } from ZMQ
       const dealer = new Dealer()
       for await (const event of dealer.events) console.log(event.type)`,
      { timeoutMs: 1500 },
    )
    expect(reading.timedOut).toBe(true)
    const closed = await runChild(
      `import { Dealer } from ZMQ
       const dealer = new Dealer()
       void (async () => { for await (const event of dealer.events) console.log(event.type) })()
       dealer.close()`,
      { timeoutMs: 8000 },
    )
    expect(closed.code, closed.stderr).toBe(0)
  })

  it("a poll does, until it times out", async () => {
    const run = await runChild(
      `import { Poller, Pull } from ZMQ
       const pull = new Pull()
       await pull.bind("inproc://poll")
       const ready = await new Poller().add(pull).poll(400)
       console.log("POLLED", ready.length)`,
      { timeoutMs: 8000 },
    )
    expect(run.code, run.stderr).toBe(0)
    expect(run.stdout).toContain("POLLED 0")
    expect(run.elapsedMs).toBeGreaterThanOrEqual(400)
  })
})

describe("worker threads with their own default context", () => {
  const boot = new URL("../fixtures/thread-boot.mjs", import.meta.url)
  const entry = fileURLToPath(new URL("./fixtures/worker-own-context.ts", import.meta.url))

  function start(workerData: Record<string, unknown>): { worker: Worker; reports: () => Promise<Record<string, unknown>>; exited: Promise<number> } {
    const worker = new Worker(boot, { workerData: { entry, ...workerData } })
    const queue: Array<Record<string, unknown>> = []
    const waiting: Array<(report: Record<string, unknown>) => void> = []
    worker.on("message", (report: Record<string, unknown>) => (waiting.length > 0 ? waiting.shift()!(report) : queue.push(report)))
    const exited = new Promise<number>((resolve) => worker.once("exit", resolve))
    const reports = (): Promise<Record<string, unknown>> =>
      queue.length > 0 ? Promise.resolve(queue.shift()!) : new Promise((resolve) => waiting.push(resolve))
    return { worker, reports, exited }
  }

  async function exitsWithin(exited: Promise<number>, ms: number): Promise<number | "still running"> {
    return Promise.race([exited, new Promise<"still running">((resolve) => setTimeout(() => resolve("still running"), ms))])
  }

  for (const transport of ["tcp", "ipc"] as const) {
    it(`a worker that binds (${transport}), answers once and returns, exits`, async () => {
      const address = transport === "tcp" ? "tcp://127.0.0.1:*" : `ipc://${ipcPath()}`
      const { worker, reports, exited } = start({ mode: "reply", address })
      try {
        const { endpoint } = (await reports()) as { endpoint: string }
        const request = new zmq.Request()
        request.connect(endpoint)
        await request.send("ping")
        const [answer] = await request.receive()
        expect(String(answer)).toBe("echo ping")
        expect(await exitsWithin(exited, 5000)).toBe(0)
        request.close()
      } finally {
        await worker.terminate()
      }
    })
  }

  it("a worker that connects, asks once and returns, exits", async () => {
    const reply = new Reply()
    await reply.bind("tcp://127.0.0.1:*")
    const { worker, reports, exited } = start({ mode: "request", address: reply.lastEndpoint })
    try {
      const [question] = await reply.receive()
      await reply.send(`got ${String(question)}`)
      expect(await reports()).toEqual({ answer: "got from the worker" })
      expect(await exitsWithin(exited, 5000)).toBe(0)
    } finally {
      reply.close()
      await worker.terminate()
    }
  })

  it("a worker that talks to itself over inproc exits", async () => {
    const { worker, reports, exited } = start({ mode: "inproc" })
    try {
      expect(await reports()).toEqual({ inproc: "ping" })
      expect(await exitsWithin(exited, 5000)).toBe(0)
    } finally {
      await worker.terminate()
    }
  })
})
