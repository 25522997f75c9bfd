/**
 * One Context across worker_threads: inproc between threads in both start orders, HWM, pub-sub, nested
 * workers (mtrelay), a ROUTER→Proxy→DEALER server with REP workers in threads answering libzmq clients
 * (mtserver), worker crash, context termination from either side, and sockets refusing to cross threads.
 */
import { randomBytes } from "node:crypto"
import { Worker } from "node:worker_threads"
import fc from "fast-check"
import { afterEach, describe, expect, it } from "vitest"
import * as zmq from "zeromq"
import { Context, Dealer, Pair, Proxy, Publisher, Pull, Push, Router } from "../src/index.js"

const boot = new URL("./fixtures/thread-boot.mjs", import.meta.url)
const entry = new URL("./fixtures/thread-roles.ts", import.meta.url).href

interface Thread {
  readonly worker: Worker
  /** The next report from the worker. */
  next(): Promise<Record<string, unknown>>
  readonly exited: Promise<number>
}

const started: Worker[] = []
const contexts: Context[] = []

function newContext(): Context {
  const context = new Context()
  contexts.push(context)
  return context
}

function startThread(context: Context, role: string, data: Record<string, unknown> = {}): Thread {
  const handle = context.share()
  const worker = new Worker(boot, { workerData: { entry, role, context: handle, ...data }, transferList: [handle] })
  started.push(worker)
  const reports: Array<Record<string, unknown>> = []
  const waiting: Array<(report: Record<string, unknown>) => void> = []
  worker.on("message", (report: Record<string, unknown>) => {
    const waiter = waiting.shift()
    if (waiter !== undefined) waiter(report)
    else reports.push(report)
  })
  const exited = new Promise<number>((resolve) => worker.once("exit", resolve))
  worker.on("error", () => {}) // the crash test's worker throws on purpose
  return {
    worker,
    exited,
    next: () => {
      const report = reports.shift()
      if (report !== undefined) return Promise.resolve(report)
      return new Promise((resolve, reject) => {
        waiting.push(resolve)
        void exited.then((code) => reject(new Error(`worker exited with ${code} before reporting`)))
      })
    },
  }
}

function inprocName(): string {
  return `inproc://threads-${randomBytes(4).toString("hex")}`
}

async function until(condition: () => Promise<boolean>, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error("condition not met in time")
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`timed out: ${what}`)), ms).unref()),
  ])
}

afterEach(async () => {
  for (const context of contexts.splice(0)) context.terminate()
  await Promise.all(started.splice(0).map((worker) => worker.terminate()))
})

describe("inproc across worker threads", () => {
  it("connects a worker to a name bound in the main thread (bind first), every message in order", async () => {
    const context = newContext()
    const address = inprocName()
    const pull = new Pull({ context })
    await pull.bind(address)
    const pusher = startThread(context, "push", { address, count: 20_000 })
    for (let i = 0; i < 20_000; i++) {
      const [frame] = await pull.receive()
      expect(frame!.readUInt32LE(0)).toBe(i)
    }
    expect(await pusher.next()).toEqual({ sent: 20_000 })
    expect(await withTimeout(pusher.exited, 10_000, "worker exit")).toBe(0)
    pull.close()
  })

  it("connects before the other thread binds: messages sent before the bind are delivered", async () => {
    const context = newContext()
    const address = inprocName()
    const push = new Push({ context })
    push.connect(address)
    for (let i = 0; i < 100; i++) {
      const body = Buffer.alloc(8)
      body.writeUInt32LE(i, 0)
      await push.send(body)
    }
    const puller = startThread(context, "pull", { address, bind: true, count: 100 })
    expect(await puller.next()).toEqual({ ready: true })
    expect(await puller.next()).toEqual({ received: 100, inOrder: true })
    push.close()
    expect(await withTimeout(puller.exited, 10_000, "worker exit")).toBe(0)
  })

  it("connects the main thread to a name bound in a worker", async () => {
    const context = newContext()
    const address = inprocName()
    const pusher = startThread(context, "push", { address, bind: true, count: 1000 })
    const pull = new Pull({ context })
    pull.connect(address)
    for (let i = 0; i < 1000; i++) {
      const [frame] = await pull.receive()
      expect(frame!.readUInt32LE(0)).toBe(i)
    }
    expect(await pusher.next()).toEqual({ sent: 1000 })
    pull.close()
  })

  it("carries multipart messages with frames from 0 B to 1 MiB intact", async () => {
    const context = newContext()
    const address = inprocName()
    const pull = new Pull({ context })
    await pull.bind(address)
    const pusher = startThread(context, "push", { address, count: 3, size: 1024 * 1024, multipart: true })
    for (let i = 0; i < 3; i++) {
      const [first, empty, body] = await pull.receive()
      expect(first!.readUInt32LE(0)).toBe(i)
      expect(empty!.length).toBe(0)
      expect(body!.length).toBe(1024 * 1024)
      expect(body!.readUInt32LE(0)).toBe(i)
      expect(body![1024 * 1024 - 1]).toBe(i + 1)
    }
    expect(await pusher.next()).toEqual({ sent: 3 })
    pull.close()
  })

  it("blocks a sender after SNDHWM + RCVHWM messages, as same-thread inproc does", async () => {
    const context = newContext()
    const address = inprocName()
    const pull = new Pull({ context, receiveHighWaterMark: 10 })
    await pull.bind(address)
    const pusher = startThread(context, "push", {
      address,
      count: 1000,
      options: { sendHighWaterMark: 10, sendTimeout: 1000 },
    })
    expect(await pusher.next()).toEqual({ sent: 20, error: "EAGAIN" })
    // Reading frees room: what was queued arrives, in order.
    for (let i = 0; i < 20; i++) expect((await pull.receive())[0]!.readUInt32LE(0)).toBe(i)
    pull.close()
  })

  it("forwards subscriptions: a SUB in a worker gets only its topic from a PUB in the main thread", async () => {
    const context = newContext()
    const address = inprocName()
    const pub = new Publisher({ context })
    await pub.bind(address)
    const subscriber = startThread(context, "subscribe", { address, count: 3 })
    expect(await subscriber.next()).toEqual({ ready: true })
    // Publish until the subscription has crossed (PUB drops while nobody is subscribed).
    let delivered = false
    const done = subscriber.next().then((report) => {
      delivered = true
      return report
    })
    while (!delivered) {
      await pub.send("B ignored")
      await pub.send("A wanted")
      await new Promise((resolve) => setTimeout(resolve, 5))
    }
    expect(await done).toEqual({ topics: ["A wanted", "A wanted", "A wanted"] })
    pub.close()
  })

  it("refuses an incompatible socket type from another thread (PUSH → ROUTER): nothing is delivered", async () => {
    const context = newContext()
    const address = inprocName()
    const router = new Router({ context, receiveTimeout: 500 })
    await router.bind(address)
    const pair = startThread(context, "push", { address, count: 1, options: {} })
    // PUSH→ROUTER is not a valid pair: the router refuses it, without an event (inproc raises none, as in
    // libzmq), and the PUSH's message never arrives.
    await expect(router.receive()).rejects.toMatchObject({ code: "EAGAIN" })
    await pair.worker.terminate()
    router.close()
  })

  it("a ROUTER in a worker connects to a DEALER in the main thread and routes by its routing id", async () => {
    const context = newContext()
    const address = inprocName()
    const dealer = new Dealer({ context, routingId: "main" })
    await dealer.bind(address)
    const router = startThread(context, "router-connect", { address })
    const [request] = await dealer.receive()
    expect(request!.toString()).toBe("hello from a ROUTER thread")
    await dealer.send("hello back")
    expect(await router.next()).toEqual({ id: "main", reply: "hello back" })
    expect(await withTimeout(router.exited, 10_000, "worker exit")).toBe(0)
    dealer.close()
  })

  it("a worker that closes its socket with messages in flight stays alive until they are delivered (linger)", async () => {
    const context = newContext()
    const address = inprocName()
    // Room for 10 at the receiver: the other 990 wait in the worker's pipe when it closes its socket.
    const pull = new Pull({ context, receiveHighWaterMark: 10 })
    await pull.bind(address)
    const pusher = startThread(context, "push", { address, count: 1000 })
    expect(await pusher.next()).toEqual({ sent: 1000 })
    await new Promise((resolve) => setTimeout(resolve, 200))
    for (let i = 0; i < 1000; i++) expect((await pull.receive())[0]!.readUInt32LE(0)).toBe(i)
    expect(await withTimeout(pusher.exited, 10_000, "worker exit")).toBe(0)
    pull.close()
  })

  it("claims a name across threads: binding it again elsewhere fails with EADDRINUSE", async () => {
    const context = newContext()
    const address = inprocName()
    const pair = new Pair({ context })
    await pair.bind(address)
    const other = startThread(context, "bind-twice", { address })
    expect(await other.next()).toEqual({ error: "EADDRINUSE" })
    pair.close()
    // Once unbound, another thread may have it.
    const again = startThread(context, "bind-twice", { address })
    expect(await again.next()).toEqual({ bound: true })
  })

  it("relays a signal through three threads over PAIR sockets (mtrelay, nested workers)", async () => {
    const context = newContext()
    const address = inprocName()
    const receiver = new Pair({ context })
    await receiver.bind(address)
    const step2 = startThread(context, "step2", { address })
    const [signal] = await withTimeout(receiver.receive(), 10_000, "relay")
    expect(signal!.toString()).toBe("step 1 via step 2")
    expect(await withTimeout(step2.exited, 10_000, "step 2 exit")).toBe(0)
    receiver.close()
  })
})

describe("property: a pipe between threads", () => {
  it("carries any messages (1–4 frames, 0 B–300 KiB, across batch limits) intact and in order, both ways", async () => {
    const context = newContext()
    const address = inprocName()
    // Small high-water marks, so credit runs out and comes back many times within one run.
    const pair = new Pair({ context, sendHighWaterMark: 7, receiveHighWaterMark: 5 })
    await pair.bind(address)
    const echo = startThread(context, "echo", { address, options: { sendHighWaterMark: 3, receiveHighWaterMark: 4 } })
    expect(await echo.next()).toEqual({ ready: true })
    const frame = fc.oneof(
      { weight: 8, arbitrary: fc.uint8Array({ maxLength: 200 }) },
      { weight: 1, arbitrary: fc.integer({ min: 0, max: 300 * 1024 }).map((size) => new Uint8Array(size).fill(size % 251)) },
    )
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(frame, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 60 }), async (messages) => {
        const received = (async () => {
          const out: Buffer[][] = []
          for (let i = 0; i < messages.length; i++) out.push(await pair.receive())
          return out
        })()
        for (const message of messages) await pair.send(message.map((part) => Buffer.from(part)))
        const echoed = await withTimeout(received, 10_000, "echo")
        expect(echoed.map((message) => message.map((part) => Buffer.from(part).toString("hex")))).toEqual(
          messages.map((message) => message.map((part) => Buffer.from(part).toString("hex"))),
        )
      }),
      { numRuns: 40 },
    )
    pair.close()
  }, 60_000)
})

describe("mtserver: ROUTER(tcp) → Proxy → DEALER(inproc) → REP workers in threads", () => {
  it("answers libzmq clients, spreading the work over the worker threads", async () => {
    const context = newContext()
    const clients = new Router({ context })
    await clients.bind("tcp://127.0.0.1:*")
    const workers = new Dealer({ context })
    await workers.bind("inproc://workers-" + randomBytes(4).toString("hex"))
    const threads = Array.from({ length: 4 }, () =>
      startThread(context, "rep", { address: workers.lastEndpoint, workMs: 200 }),
    )
    for (const thread of threads) expect(await thread.next()).toEqual({ ready: true })
    const proxy = new Proxy(clients, workers)
    const proxied = proxy.run().catch((error: unknown) => error)

    // Eight libzmq REQ clients, two requests each: 16 × 200 ms of work, 3.2 s on one thread, 0.8 s on four.
    const started = Date.now()
    const answers = await Promise.all(
      Array.from({ length: 8 }, async (_, n) => {
        const client = new zmq.Request()
        client.connect(clients.lastEndpoint!)
        const replies: string[] = []
        for (let i = 0; i < 2; i++) {
          await client.send(`Hello ${n}.${i}`)
          const [reply] = await client.receive()
          replies.push(reply!.toString())
        }
        client.close()
        return replies
      }),
    )
    const elapsed = Date.now() - started
    const servedBy = new Set<string>()
    answers.forEach((replies, n) =>
      replies.forEach((reply, i) => {
        const match = /^Hello (\d+)\.(\d+) from (\d+)$/.exec(reply)
        expect(match?.slice(1, 3)).toEqual([String(n), String(i)])
        servedBy.add(match![3]!)
      }),
    )
    // All four threads worked, in parallel.
    expect(servedBy.size).toBe(4)
    expect(elapsed).toBeLessThan(2000)

    context.terminate() // every worker's blocked receive() ends with ETERM
    for (const thread of threads) {
      expect(await thread.next()).toEqual({ ended: "ETERM" })
      expect(await withTimeout(thread.exited, 10_000, "worker exit")).toBe(0)
    }
    await withTimeout(proxied, 5000, "proxy end") // the proxy ends when its sockets close
  })
})

describe("ends and failures", () => {
  it("terminating the context in the main thread rejects blocked calls in every worker with ETERM", async () => {
    const context = newContext()
    const threads = [startThread(context, "wait", { address: inprocName() }), startThread(context, "wait", { address: inprocName() })]
    for (const thread of threads) expect(await thread.next()).toEqual({ ready: true })
    context.terminate()
    for (const thread of threads) {
      expect(await thread.next()).toEqual({ error: "ETERM" })
      expect(await withTimeout(thread.exited, 10_000, "worker exit")).toBe(0)
    }
  })

  it("terminating it in a worker rejects the main thread's blocked calls with ETERM", async () => {
    const context = newContext()
    const pull = new Pull({ context })
    await pull.bind(inprocName())
    const blocked = pull.receive().catch((error: unknown) => error)
    const terminator = startThread(context, "terminate", { address: "", workMs: 20 })
    expect(await terminator.next()).toEqual({ terminated: true })
    expect(await withTimeout(blocked, 10_000, "ETERM")).toMatchObject({ code: "ETERM" })
    expect(context.terminated).toBe(true)
    expect(() => new Pair({ context })).toThrow(expect.objectContaining({ code: "ETERM" }))
  })

  it("a worker that crashes is a disconnected peer; its names are freed and the socket keeps working", async () => {
    const context = newContext()
    const address = inprocName()
    const pair = new Pair({ context, sendTimeout: 100 })
    await pair.bind(address)
    const crasher = startThread(context, "crash", { address })
    const [hello] = await pair.receive()
    expect(hello!.toString()).toBe("hello before the crash")
    // The pipe goes when the worker dies (no disconnect event: inproc raises none, as in libzmq).
    await until(async () => !pair.writable)
    expect(await withTimeout(crasher.exited, 10_000, "crash")).toBe(1)
    // The pipe is gone: nothing to send to.
    await expect(pair.send("anyone?")).rejects.toMatchObject({ code: "EAGAIN" })
    // A new worker can connect to the same socket.
    const next = startThread(context, "pull", { address, count: 1, pair: true })
    expect(await next.next()).toEqual({ ready: true })
    await pair.send(Buffer.alloc(8))
    expect(await next.next()).toEqual({ received: 1, inOrder: true })
    pair.close()
  })

  it("a name bound by a worker that crashed is free again", async () => {
    const context = newContext()
    const address = inprocName()
    const binder = startThread(context, "bind-crash", { address })
    expect(await binder.next()).toEqual({ bound: true })
    const pair = new Pair({ context })
    await expect(pair.bind(address)).rejects.toMatchObject({ code: "EADDRINUSE" })
    expect(await withTimeout(binder.exited, 10_000, "crash")).toBe(1)
    await until(async () => {
      try {
        await pair.bind(address)
        return true
      } catch {
        return false
      }
    })
    pair.close()
  })

  it("a killed worker (worker.terminate()) is seen as disconnected too", async () => {
    const context = newContext()
    const address = inprocName()
    // A PAIR, whose `writable` shows its one pipe (inproc raises no disconnect event, as in libzmq).
    const pair = new Pair({ context })
    await pair.bind(address)
    const waiter = startThread(context, "subscribe", { address: inprocName(), count: 1 })
    const reader = startThread(context, "pull", { address, count: 1_000_000, pair: true })
    expect(await reader.next()).toEqual({ ready: true })
    await until(async () => pair.writable)
    for (let i = 0; i < 100; i++) {
      const frame = Buffer.alloc(8)
      frame.writeUInt32LE(i, 0)
      await pair.send(frame)
    }
    await reader.worker.terminate()
    await withTimeout(until(async () => !pair.writable), 5000, "disconnect")
    await waiter.worker.terminate()
    pair.close()
  })

  it("a socket cannot be sent to another thread: postMessage fails at once with a clear error", async () => {
    const context = newContext()
    const thread = startThread(context, "post-socket", { address: "" })
    const report = await thread.next()
    expect(report.name).toBe("DataCloneError")
    expect(report.message).toMatch(/belongs to the thread that created it/)
    const pair = new Pair({ context })
    expect(() => structuredClone(pair)).toThrow(/belongs to the thread that created it/)
    expect(() => structuredClone(context)).toThrow(/Context\.attach/)
    pair.close()
  })

  it("Context.attach refuses anything but a shared handle", () => {
    expect(() => Context.attach({} as never)).toThrow(expect.objectContaining({ code: "EINVAL" }))
  })
})
