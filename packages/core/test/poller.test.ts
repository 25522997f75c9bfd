/**
 * Poller: the Guide's `zmq_poll` ("Handling Multiple Sockets", "Shared Queue"). A plain `while` loop waits
 * on several sockets at once and serves whichever is ready, without the poll itself consuming anything.
 *
 *   mspoller:   PUSH (ventilator) ──▶ PULL ┐
 *               PUB (weather)     ──▶ SUB ┴─▶ while (…) poll() → receive from each ready socket
 *
 *   rrbroker:   REQ clients ──▶ ROUTER (frontend) ┐            ┌ DEALER (backend) ──▶ REP workers
 *                                                 └─ poll() ───┘
 *
 * Fairness is measured, not assumed: with one socket flooded, a loop that handles only the first ready
 * item of each poll must still reach a quiet socket within one full rotation of the poll set.
 */
import { once } from "node:events"
import { createServer, type Server, type Socket as NetSocket } from "node:net"
import { setImmediate as nextTurn, setTimeout as delay } from "node:timers/promises"
import { describe, expect, it } from "vitest"
import { ZmtpConnection } from "@zmq-ts/zmtp"
import {
  Context,
  Dealer,
  Poller,
  Publisher,
  Pull,
  Push,
  Reply,
  Request,
  Router,
  Subscriber,
  XSubscriber,
  ZmqError,
  type Socket,
} from "../src/index.js"
import { handshakes, settlesWithin, text, TRANSPORTS, until } from "./helpers/transports.js"

let names = 0
function inproc(what: string): string {
  return `inproc://poller-${what}-${process.pid}-${++names}`
}

/** Rejection code of a promise that must reject. */
async function rejectionCode(promise: Promise<unknown>): Promise<string> {
  try {
    await promise
  } catch (error) {
    if (ZmqError.isInstance(error)) return error.code
    throw error
  }
  throw new Error("expected a rejection")
}

describe.each(TRANSPORTS)("Poller over $name", (transport) => {
  it("the Guide's mspoller: one loop receives from a PULL and a SUB", async () => {
    await using ventilator = new Push({ linger: 0 })
    await using weather = new Publisher({ linger: 0 })
    await using receiver = new Pull({ linger: 0 })
    await using subscriber = new Subscriber({ linger: 0 })
    await ventilator.bind(transport.bindAddress())
    await weather.bind(transport.bindAddress())
    receiver.connect(transport.connectAddress(ventilator))
    subscriber.connect(transport.connectAddress(weather))
    subscriber.subscribe("10001 ")

    // The publisher keeps publishing (slow joiner): the subscription reaches it some time after connect.
    let publishing = true
    const publisher = (async () => {
      for (let i = 0; publishing; i++) {
        await weather.send(`${i % 2 === 0 ? "10001" : "10002"} ${i} 20`)
        await delay(2)
      }
    })()
    for (let i = 0; i < 10; i++) await ventilator.send(`task ${i}`)

    const tasks: string[] = []
    const updates: string[] = []
    const poller = new Poller<Pull | Subscriber>().add(receiver).add(subscriber)
    while (tasks.length < 10 || updates.length < 5) {
      for (const item of await poller.poll()) {
        expect(item.readable).toBe(true)
        expect(item.writable).toBe(false)
        const [body] = text(await item.socket.receive())
        if (item.socket === receiver) tasks.push(body!)
        else updates.push(body!)
      }
    }
    publishing = false
    await publisher
    expect(tasks).toEqual(Array.from({ length: 10 }, (_, i) => `task ${i}`))
    expect(updates.every((update) => update.startsWith("10001 "))).toBe(true)
  })

  it("writable: a PUSH at its high-water mark becomes writable again when the peer reads", async () => {
    await using pull = new Pull({ receiveHighWaterMark: 1, linger: 0 })
    await using push = new Push({ sendHighWaterMark: 1, linger: 0 })
    await pull.bind(transport.bindAddress())
    push.connect(transport.connectAddress(pull))
    // Fill every queue on the way: pipes, the engines' buffers and (tcp/ipc) the kernel's socket buffers.
    const frame = Buffer.alloc(transport.name === "inproc" ? 16 : 512 * 1024, 7)
    let sent = 0
    for (;;) {
      if (!push.writable) {
        await delay(30)
        if (!push.writable) break
      }
      await push.send(frame)
      sent++
      await nextTurn()
      if (sent > 500) throw new Error("PUSH never reached its high-water mark")
    }
    const poller = new Poller().add(push, "writable")
    expect(await poller.poll(0)).toEqual([])
    expect(await poller.poll(60)).toEqual([])
    const writable = poller.poll()
    expect(await settlesWithin(writable, 50)).toBe(false)
    // The peer reads one message at a time until the PUSH has room again. inproc: the pipe is the only
    // queue, so one read does it; tcp/ipc: the kernel's buffers and the engines' sit in between, so the
    // reader must free enough of them first (libzmq behaves the same).
    let reads = 0
    do {
      await pull.receive()
      reads++
      if (reads >= sent) throw new Error(`PUSH still not writable after ${reads} of ${sent} messages were read`)
    } while (!(await settlesWithin(writable, 30)))
    if (transport.name === "inproc") expect(reads).toBe(1)
    expect(await writable).toEqual([{ socket: push, readable: false, writable: true }])
    // Everything queued still arrives.
    for (let i = reads; i < sent; i++) await pull.receive()
  })
})

describe("Poller", () => {
  it("rotates: a loop handling only the first ready item reaches a quiet socket within one rotation", async () => {
    // Two PULLs are flooded by PUSHes that resend as soon as there is room; a third PULL gets a message
    // now and then. Each poll, the loop handles ONLY the first ready item. We count, for every quiet
    // message, how many polls passed from the moment it was ready until the loop handled it.
    const context = new Context()
    const busyPulls = [new Pull({ context }), new Pull({ context })]
    const quietPull = new Pull({ context })
    const flooders = [new Push({ context, sendHighWaterMark: 10 }), new Push({ context, sendHighWaterMark: 10 })]
    const quietPush = new Push({ context })
    for (const [i, pull] of busyPulls.entries()) {
      const address = inproc(`busy${i}`)
      await pull.bind(address)
      flooders[i]!.connect(address)
    }
    const quietAddress = inproc("quiet")
    await quietPull.bind(quietAddress)
    quietPush.connect(quietAddress)

    let flooding = true
    const floods = flooders.map(async (push, i) => {
      for (let n = 0; flooding; n++) await push.send(`busy${i} ${n}`)
    })
    const poller = new Poller().add(busyPulls[0]!).add(quietPull).add(busyPulls[1]!)
    const POLLS = 3000
    const waits: number[] = []
    const handled = new Map<Socket, number>()
    let quietReadySince: number | undefined
    for (let poll = 0; poll < POLLS; poll++) {
      if (quietReadySince === undefined && poll % 20 === 7) {
        await quietPush.send(`quiet ${poll}`)
        quietReadySince = poll
      }
      const ready = await poller.poll()
      // The flooded sockets really are always busy.
      expect(ready.filter((item) => busyPulls.includes(item.socket as Pull))).toHaveLength(2)
      const first = ready[0]!
      await first.socket.receive()
      handled.set(first.socket, (handled.get(first.socket) ?? 0) + 1)
      if (first.socket === quietPull) {
        waits.push(poll - quietReadySince! + 1)
        quietReadySince = undefined
      }
    }
    flooding = false
    context.terminate()
    await Promise.allSettled(floods)

    // Round-robin over [busy0, quiet, busy1]: a quiet message is handled in the poll it became ready in, or
    // the next one — never later than one rotation of the poll set.
    expect(waits.length).toBeGreaterThanOrEqual(POLLS / 20 - 1)
    expect(Math.max(...waits)).toBeLessThanOrEqual(2)
    const mean = waits.reduce((sum, wait) => sum + wait, 0) / waits.length
    expect(mean).toBeLessThanOrEqual(1.75)
    // The flooded sockets share the rest evenly. (Regression: the scan start used to move on by one
    // position per poll, so the idle socket's turn always went to busy1: a 1:2 split, 850 polls apart.)
    const busyCounts = busyPulls.map((pull) => handled.get(pull) ?? 0)
    expect(busyCounts[0]! + busyCounts[1]! + waits.length).toBe(POLLS)
    expect(Math.abs(busyCounts[0]! - busyCounts[1]!)).toBeLessThanOrEqual(waits.length)
  })

  it("a loop handling every ready item never starves either socket", async () => {
    const context = new Context()
    const busy = new Pull({ context })
    const quiet = new Pull({ context })
    const flooder = new Push({ context, sendHighWaterMark: 10 })
    const quietPush = new Push({ context })
    await busy.bind(inproc("all-busy"))
    await quiet.bind(inproc("all-quiet"))
    flooder.connect(busy.lastEndpoint!)
    quietPush.connect(quiet.lastEndpoint!)
    let flooding = true
    const flood = (async () => {
      for (let n = 0; flooding; n++) await flooder.send(`busy ${n}`)
    })()
    const poller = new Poller().add(busy).add(quiet)
    const received = { busy: [] as string[], quiet: [] as string[] }
    for (let poll = 0; poll < 2000; poll++) {
      const quietSent = poll % 10 === 3
      if (quietSent) await quietPush.send(`quiet ${poll}`)
      const ready = await poller.poll()
      // Every ready socket is in the result: the quiet one in the very poll after its message arrived.
      expect(ready.some((item) => item.socket === quiet)).toBe(quietSent)
      for (const { socket } of ready) received[socket === busy ? "busy" : "quiet"].push(text(await socket.receive())[0]!)
    }
    flooding = false
    context.terminate()
    await flood.catch(() => undefined)
    expect(received.busy).toHaveLength(2000)
    expect(received.busy.slice(0, 3)).toEqual(["busy 0", "busy 1", "busy 2"])
    expect(received.quiet).toEqual(Array.from({ length: 200 }, (_, i) => `quiet ${i * 10 + 3}`))
  })

  it("poll(50) with nothing ready resolves [] after 50 ms and not much later", async () => {
    await using pull = new Pull()
    await using sub = new Subscriber()
    await pull.bind("tcp://127.0.0.1:*")
    const poller = new Poller().add(pull).add(sub)
    for (let i = 0; i < 3; i++) {
      const started = performance.now()
      const ready = await poller.poll(50)
      const elapsed = performance.now() - started
      expect(ready).toEqual([])
      // Node's timers (like zmq_poll's clock) count whole milliseconds: up to 1 ms early is still "50 ms".
      expect(elapsed).toBeGreaterThanOrEqual(49)
      expect(elapsed).toBeLessThan(150)
    }
  })

  it("poll(0) checks and returns at once, ready or not", async () => {
    const context = new Context()
    const pull = new Pull({ context })
    const push = new Push({ context })
    await pull.bind(inproc("zero"))
    push.connect(pull.lastEndpoint!)
    const poller = new Poller().add(pull)
    let started = performance.now()
    expect(await poller.poll(0)).toEqual([])
    expect(performance.now() - started).toBeLessThan(10)
    await push.send("now")
    started = performance.now()
    expect(await poller.poll(0)).toEqual([{ socket: pull, readable: true, writable: false }])
    expect(performance.now() - started).toBeLessThan(10)
    context.terminate()
  })

  it("poll() waits as long as it takes for a message", async () => {
    await using pull = new Pull({ linger: 0 })
    await using push = new Push({ linger: 0 })
    await pull.bind("tcp://127.0.0.1:*")
    push.connect(pull.lastEndpoint!)
    const poller = new Poller().add(pull)
    const waiting = poller.poll()
    expect(await settlesWithin(waiting, 300)).toBe(false)
    await push.send("finally")
    expect(await waiting).toEqual([{ socket: pull, readable: true, writable: false }])
    expect(text(await pull.receive())).toEqual(["finally"])
  })

  it("polling does not consume: a socket stays readable until its message is received", async () => {
    const context = new Context()
    const pull = new Pull({ context })
    const push = new Push({ context })
    await pull.bind(inproc("keep"))
    push.connect(pull.lastEndpoint!)
    await push.send(["one", "two"])
    const poller = new Poller().add(pull)
    for (let i = 0; i < 3; i++) expect(await poller.poll(0)).toHaveLength(1)
    expect(await poller.poll()).toHaveLength(1)
    expect(await poller.poll(100)).toHaveLength(1)
    expect(pull.readable).toBe(true)
    expect(text(await pull.receive())).toEqual(["one", "two"])
    expect(await poller.poll(0)).toEqual([])
    context.terminate()
  })

  it('"both" reports readable and writable in one item', async () => {
    const context = new Context()
    const a = new Dealer({ context })
    const b = new Dealer({ context })
    await a.bind(inproc("both"))
    b.connect(a.lastEndpoint!)
    const poller = new Poller().add(a, "both")
    expect(await poller.poll(0)).toEqual([{ socket: a, readable: false, writable: true }])
    await b.send("hi")
    expect(await poller.poll(0)).toEqual([{ socket: a, readable: true, writable: true }])
    expect(() => poller.add(a, "sideways" as never)).toThrow(expect.objectContaining({ code: "EINVAL" }))
    context.terminate()
  })

  it("a socket closed while polling makes poll() reject with ETERM", async () => {
    const context = new Context()
    const a = new Pull({ context })
    const b = new Pull({ context })
    const poller = new Poller().add(a).add(b)
    const waiting = poller.poll()
    setTimeout(() => b.close(), 20)
    expect(await rejectionCode(waiting)).toBe("ETERM")
    // Context termination closes every socket: the same ETERM.
    const c = new Pull({ context })
    const again = new Poller().add(c).poll(5000)
    context.terminate()
    expect(await rejectionCode(again)).toBe("ETERM")
  })

  it("polling a socket that is already closed fails at once instead of waiting forever", async () => {
    // libzmq's zmq_poll fails with ENOTSOCK for a closed socket. Before the fix, poll() skipped it and
    // waited (forever with -1), then rejected ETERM when the other socket became readable.
    const context = new Context()
    const open = new Pull({ context })
    const closed = new Pull({ context })
    const push = new Push({ context })
    await open.bind(inproc("closed-before"))
    push.connect(open.lastEndpoint!)
    closed.close()
    const poller = new Poller().add(open).add(closed)
    const forever = poller.poll()
    expect(await settlesWithin(forever, 500)).toBe(true)
    expect(await rejectionCode(forever)).toBe("ENOTSOCK")
    expect(await rejectionCode(poller.poll(0))).toBe("ENOTSOCK")
    // Removing it makes the poller usable again.
    poller.remove(closed)
    await push.send("still here")
    expect(await poller.poll()).toEqual([{ socket: open, readable: true, writable: false }])
    context.terminate()
  })
})

// ── subscriptions: only a message that matches makes a subscriber readable ──────────────────────────

/** A raw ZMTP PUB that does no filtering of its own: it sends whatever the test asks, matching or not. */
async function rawPublisher(): Promise<{
  server: Server
  endpoint: string
  subscribed: Promise<string>
  publish(...frames: string[]): void
  close(): void
}> {
  const sockets: NetSocket[] = []
  let peer: ZmtpConnection | undefined
  let connection: NetSocket | undefined
  let onSubscribe: (topic: string) => void = () => {}
  const subscribed = new Promise<string>((resolve) => (onSubscribe = resolve))
  const server = createServer((socket) => {
    sockets.push(socket)
    const zmtp = new ZmtpConnection({ socketType: "PUB" })
    socket.write(zmtp.dataToSend())
    socket.on("data", (chunk) => {
      for (const event of zmtp.receiveData(chunk)) {
        if (event.type === "ready") {
          peer = zmtp
          connection = socket
        }
        if (event.type === "subscribe") onSubscribe(Buffer.from(event.topic).toString())
      }
      socket.write(zmtp.dataToSend())
    })
    socket.on("error", () => {})
  })
  server.listen(0, "127.0.0.1")
  await once(server, "listening")
  const { port } = server.address() as { port: number }
  return {
    server,
    endpoint: `tcp://127.0.0.1:${port}`,
    subscribed,
    publish(...frames) {
      if (peer === undefined || connection === undefined) throw new Error("no subscriber connected")
      peer.send(frames.map((frame) => Buffer.from(frame)))
      connection.write(peer.dataToSend())
    },
    close() {
      for (const socket of sockets) socket.destroy()
      server.close()
    },
  }
}

describe("Poller and subscriptions", () => {
  // XSUB takes what its publishers send, matching or not: libzmq filters on SUB only (options.filter).
  it.each(["SUB"] as const)("%s is readable only for a message that matches its subscription", async (type) => {
    const publisher = await rawPublisher()
    await using subscriber = type === "SUB" ? new Subscriber({ linger: 0 }) : new XSubscriber({ linger: 0 })
    subscriber.connect(publisher.endpoint)
    if (subscriber instanceof Subscriber) subscriber.subscribe("weather")
    else await subscriber.send(Buffer.concat([Buffer.from([1]), Buffer.from("weather")]))
    expect(await publisher.subscribed).toBe("weather")

    const poller = new Poller().add(subscriber)
    const waiting = poller.poll()
    // Non-matching messages arrive first; they wake the poller, which must go back to waiting.
    for (let i = 0; i < 5; i++) publisher.publish("sports", `result ${i}`)
    expect(await settlesWithin(waiting, 200)).toBe(false)
    expect(subscriber.readable).toBe(false)
    publisher.publish("weather", "sunny")
    expect(await waiting).toEqual([{ socket: subscriber, readable: true, writable: false }])
    expect(text(await subscriber.receive())).toEqual(["weather", "sunny"])
    expect(await poller.poll(50)).toEqual([])
    publisher.close()
  })

  it("XSUB is readable for any message its publisher sends, as libzmq's XSUB (no filter)", async () => {
    const publisher = await rawPublisher()
    await using subscriber = new XSubscriber({ linger: 0 })
    subscriber.connect(publisher.endpoint)
    await subscriber.send(Buffer.concat([Buffer.from([1]), Buffer.from("weather")]))
    expect(await publisher.subscribed).toBe("weather")
    const waiting = new Poller().add(subscriber).poll()
    publisher.publish("sports", "result")
    expect(await waiting).toEqual([{ socket: subscriber, readable: true, writable: false }])
    expect(text(await subscriber.receive())).toEqual(["sports", "result"])
    publisher.close()
  })
})

// ── the Guide's rrbroker: ROUTER + DEALER in one poll loop ──────────────────────────────────────────

/** rrbroker's main loop: shuttle whole messages between the two sockets until they are closed. */
async function rrbroker(frontend: Router, backend: Dealer): Promise<number> {
  const poller = new Poller<Router | Dealer>().add(frontend).add(backend)
  let forwarded = 0
  try {
    for (;;) {
      for (const { socket } of await poller.poll()) {
        const message = await socket.receive()
        await (socket === frontend ? backend : frontend).send(message)
        forwarded++
      }
    }
  } catch (error) {
    if (ZmqError.isInstance(error) && (error.code === "ETERM" || error.code === "ENOTSOCK")) return forwarded
    throw error
  }
}

describe.each(TRANSPORTS)("the Guide's rrbroker over $name", (transport) => {
  it("REQ clients reach REP workers through ROUTER/DEALER polled in one loop", async () => {
    const CLIENTS = 4
    const WORKERS = 3
    const REQUESTS = 5
    const frontend = new Router({ linger: 0 })
    const backend = new Dealer({ linger: 0 })
    await frontend.bind(transport.bindAddress())
    await backend.bind(transport.bindAddress())
    const workersUp = handshakes(transport, backend, WORKERS)
    const workers = Array.from({ length: WORKERS }, () => new Reply({ linger: 0 }))
    for (const worker of workers) worker.connect(transport.connectAddress(backend))
    await workersUp
    const broker = rrbroker(frontend, backend)

    const served = new Map<number, number>()
    const working = workers.map(async (worker, id) => {
      for await (const request of worker) {
        served.set(id, (served.get(id) ?? 0) + 1)
        await worker.send([...text(request).map((part) => part.replace("Hello", "World")), `worker ${id}`])
      }
    })
    const clients = Array.from({ length: CLIENTS }, () => new Request({ linger: 0 }))
    const replies = await Promise.all(
      clients.map(async (client, c) => {
        client.connect(transport.connectAddress(frontend))
        const got: string[][] = []
        for (let r = 0; r < REQUESTS; r++) {
          await client.send([`Hello ${c}.${r}`, "multipart"])
          got.push(text(await client.receive()))
        }
        return got
      }),
    )
    for (const [c, got] of replies.entries()) {
      expect(got.map(([body, second]) => [body, second])).toEqual(
        Array.from({ length: REQUESTS }, (_, r) => [`World ${c}.${r}`, "multipart"]),
      )
      for (const reply of got) expect(reply[2]).toMatch(/^worker \d$/)
    }
    // The DEALER spread the work over every worker.
    await until(() => served.size === WORKERS, 1000, "every worker served")
    for (const socket of [...clients, ...workers, frontend, backend]) socket.close()
    expect(await broker).toBe(2 * CLIENTS * REQUESTS)
    await Promise.all(working)
  })
})
