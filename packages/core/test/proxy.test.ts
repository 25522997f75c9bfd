/**
 * Proxy: `zmq_proxy` (the Guide's "Built-In Proxy Function" and "Transport Bridging") for the three pairs
 * the Guide uses, with whole multipart messages, a capture socket, pause/resume, terminate, and
 * back-pressure through the high-water marks.
 *
 *   msgqueue   REQ clients ──▶ ROUTER ═══Proxy═══ DEALER ──▶ REP workers
 *   wuproxy    PUB ──tcp──▶ XSUB ═══Proxy═══ XPUB ──ipc──▶ SUB      (subscriptions flow upstream)
 *   streamer   PUSH ──▶ PULL ═══Proxy═══ PUSH ──▶ PULL workers        (one direction only)
 *                                  │
 *                            capture PUSH ──▶ PULL (a copy of every message, both ways)
 */
import { setTimeout as delay } from "node:timers/promises"
import { describe, expect, it } from "vitest"
import * as zmq from "zeromq"
import {
  Context,
  Dealer,
  Proxy,
  Publisher,
  Pull,
  Push,
  Reply,
  Request,
  Router,
  Subscriber,
  XPublisher,
  XSubscriber,
  type Message,
  type Socket,
} from "../src/index.js"
import { events, ipcPath, receiveMany, settlesWithin, text, TRANSPORTS, until } from "./helpers/transports.js"

let names = 0
function inproc(what: string): string {
  return `inproc://proxy-${what}-${process.pid}-${++names}`
}

/**
 * Resolves once `socket` has had `count` handshakes. inproc raises no events (as libzmq): a connect to a
 * bound inproc name is complete when connect() returns, so there is nothing to wait for.
 */
function connected(socket: Socket, address: string, count = 1): Promise<unknown> {
  return address.startsWith("inproc://") ? Promise.resolve() : events(socket, "handshake", count)
}

/** A capture PUSH bound at `address` and the PULL that reads its copies, connected and ready. */
async function captureSocket(address: string, connectAddress: (bound: Socket) => string, context?: Context) {
  const capture = new Push({ linger: 0, ...(context === undefined ? {} : { context }) })
  const reader = new Pull({ linger: 0, ...(context === undefined ? {} : { context }) })
  await capture.bind(address)
  const up = connected(capture, address)
  reader.connect(connectAddress(capture))
  await up
  const copies: string[][] = []
  const reading = (async () => {
    for await (const message of reader) copies.push(text(message))
  })()
  return { capture, reader, copies, reading }
}

describe.each(TRANSPORTS)("Proxy over $name", (transport) => {
  it("ROUTER/DEALER (the Guide's msgqueue): REQ clients and REP workers, multipart whole, every message captured", async () => {
    const CLIENTS = 3
    const WORKERS = 2
    const REQUESTS = 4
    await using frontend = new Router({ linger: 0 })
    await using backend = new Dealer({ linger: 0 })
    await frontend.bind(transport.bindAddress())
    await backend.bind(transport.bindAddress())
    const { capture, reader, copies, reading } = await captureSocket(transport.bindAddress(), transport.connectAddress)
    const workersUp = connected(backend, backend.lastEndpoint!, WORKERS)
    const workers = Array.from({ length: WORKERS }, () => new Reply({ linger: 0 }))
    for (const worker of workers) worker.connect(transport.connectAddress(backend))
    await workersUp
    const proxy = new Proxy(frontend, backend, capture)
    const running = proxy.run()

    const working = workers.map(async (worker, id) => {
      for await (const request of worker) {
        await worker.send([...text(request).map((part) => part.toUpperCase()), `w${id}`])
      }
    })
    const clients = Array.from({ length: CLIENTS }, () => new Request({ linger: 0 }))
    await Promise.all(
      clients.map(async (client, c) => {
        client.connect(transport.connectAddress(frontend))
        for (let r = 0; r < REQUESTS; r++) {
          await client.send([`hello ${c}.${r}`, "", "third frame"])
          const reply = text(await client.receive())
          expect(reply.slice(0, 3)).toEqual([`HELLO ${c}.${r}`, "", "THIRD FRAME"])
          expect(reply[3]).toMatch(/^w\d$/)
        }
      }),
    )
    // One copy per message each way: the request as the ROUTER delivered it (routing id, delimiter, body…)
    // and the reply as the DEALER delivered it, frames intact.
    await until(() => copies.length === 2 * CLIENTS * REQUESTS, 3000, "every copy")
    const requests = copies.filter((copy) => copy.at(-1) === "third frame")
    const replies = copies.filter((copy) => /^w\d$/.test(copy.at(-1) ?? ""))
    expect(requests).toHaveLength(CLIENTS * REQUESTS)
    expect(replies).toHaveLength(CLIENTS * REQUESTS)
    for (const copy of requests) expect(copy.slice(1)).toEqual(["", copy[2]!, "", "third frame"])
    for (const copy of replies) expect(copy.slice(1, 5)).toEqual(["", copy[2]!, "", "THIRD FRAME"])

    proxy.terminate()
    await running
    for (const socket of [...clients, ...workers, capture, reader]) socket.close()
    await Promise.all([...working, reading])
  })

  it("PULL/PUSH (streamer): one direction, multipart whole, spread over the workers", async () => {
    await using ventilator = new Push({ linger: 0 })
    await using frontend = new Pull({ linger: 0 })
    await using backend = new Push({ linger: 0 })
    await frontend.bind(transport.bindAddress())
    await backend.bind(transport.bindAddress())
    const workersUp = connected(backend, backend.lastEndpoint!, 2)
    const workers = [new Pull({ linger: 0 }), new Pull({ linger: 0 })]
    for (const worker of workers) worker.connect(transport.connectAddress(backend))
    await workersUp
    const proxy = new Proxy(frontend, backend)
    const running = proxy.run()
    ventilator.connect(transport.connectAddress(frontend))
    for (let i = 0; i < 20; i++) await ventilator.send([`task ${i}`, Buffer.alloc(i), "end"])
    const received = (await Promise.all(workers.map((worker) => receiveMany(worker, 10)))).flat()
    expect(received.map((message) => [text(message)[0], message[1]!.length, text(message)[2]]).sort()).toEqual(
      Array.from({ length: 20 }, (_, i) => [`task ${i}`, i, "end"]).sort(),
    )
    // The back end is a PUSH: the proxy never tried to read from it (that would have rejected ENOTSUP).
    proxy.terminate()
    await running
    for (const worker of workers) worker.close()
  })
})

describe("Proxy XSUB/XPUB (the Guide's wuproxy)", () => {
  it("bridges tcp to ipc: subscriptions go upstream, matching messages come down whole, both captured", async () => {
    // The weather server is an XPUB so the test can see the subscriptions that reach it.
    const context = new Context()
    await using weather = new XPublisher({ linger: 0 })
    await using frontend = new XSubscriber({ linger: 0 })
    await using backend = new XPublisher({ linger: 0 })
    await weather.bind("tcp://127.0.0.1:*") // the internal network
    const frontendUp = events(weather, "handshake")
    frontend.connect(weather.lastEndpoint!)
    await frontendUp
    await backend.bind(`ipc://${ipcPath()}`) // the external one
    const { capture, reader, copies, reading } = await captureSocket(inproc("wu-capture"), (bound) => bound.lastEndpoint!, context)
    const proxy = new Proxy(frontend, backend, capture)
    const running = proxy.run()

    await using subscriber = new Subscriber({ linger: 0 })
    subscriber.connect(backend.lastEndpoint!)
    subscriber.subscribe("10001 ")
    // The subscription crossed the proxy, both transports, and reached the weather server.
    expect(text(await weather.receive())).toEqual(["\u000110001 "])

    await weather.send(["10002 ", "temperature 5", "humidity 90"])
    await weather.send(["10001 ", "temperature 21", "humidity 40"])
    expect(text(await subscriber.receive())).toEqual(["10001 ", "temperature 21", "humidity 40"])
    expect(await settlesWithin(subscriber.receive(), 100)).toBe(false)

    subscriber.unsubscribe("10001 ")
    expect(text(await weather.receive())).toEqual(["\u000010001 "])
    // The capture saw both directions: subscriptions up, the update down (the XPUB filtered 10002 itself).
    await until(() => copies.length === 3, 2000, "three copies")
    expect(copies).toEqual([["\u000110001 "], ["10001 ", "temperature 21", "humidity 40"], ["\u000010001 "]])

    proxy.terminate()
    await running
    capture.close()
    reader.close()
    await reading
    context.terminate()
  })

  it("libzmq PUB → our XSUB/XPUB proxy → libzmq SUB", async () => {
    const publisher = new zmq.Publisher({ linger: 0 })
    const subscriber = new zmq.Subscriber({ linger: 0, receiveTimeout: 3000 })
    await using frontend = new XSubscriber({ linger: 0 })
    await using backend = new XPublisher({ linger: 0 })
    try {
      await publisher.bind("tcp://127.0.0.1:*")
      frontend.connect(publisher.lastEndpoint!)
      await backend.bind("tcp://127.0.0.1:*")
      const proxy = new Proxy(frontend, backend)
      const running = proxy.run()
      subscriber.connect(backend.lastEndpoint!)
      subscriber.subscribe("10001 ")
      // Publish until the subscription has made it upstream (the slow joiner).
      let publishing = true
      const publishingDone = (async () => {
        while (publishing) {
          await publisher.send(["10002 ", "no"])
          await publisher.send(["10001 ", "temperature 21", "humidity 40"])
          await delay(5)
        }
      })()
      const [topic, ...rest] = await subscriber.receive()
      expect([String(topic), ...rest.map(String)]).toEqual(["10001 ", "temperature 21", "humidity 40"])
      publishing = false
      await publishingDone
      proxy.terminate()
      await running
    } finally {
      publisher.close()
      subscriber.close()
    }
  })
})

describe("Proxy control", () => {
  /** PUSH → PULL ═Proxy═ PUSH → PULL over inproc, in a context of its own. */
  async function streamer(options: { hwm?: number } = {}) {
    const context = new Context()
    // Each side's own high-water mark: PUSH has no receive options and PULL no send options (zeromq.js).
    const sendHwm = options.hwm === undefined ? {} : { sendHighWaterMark: options.hwm }
    const receiveHwm = options.hwm === undefined ? {} : { receiveHighWaterMark: options.hwm }
    const sender = new Push({ context, ...sendHwm })
    const frontend = new Pull({ context, ...receiveHwm })
    const backend = new Push({ context, ...sendHwm })
    const sink = new Pull({ context, ...receiveHwm })
    await frontend.bind(inproc("front"))
    await backend.bind(inproc("back"))
    sender.connect(frontend.lastEndpoint!)
    sink.connect(backend.lastEndpoint!)
    return { context, sender, frontend, backend, sink, proxy: new Proxy(frontend, backend) }
  }

  it("pause() holds messages in the queues; resume() forwards them in order", async () => {
    const { context, sender, sink, proxy } = await streamer()
    const running = proxy.run()
    await sender.send("before")
    expect(text(await sink.receive())).toEqual(["before"])
    proxy.pause()
    for (let i = 0; i < 5; i++) await sender.send([`held ${i}`, "part 2"])
    const next = sink.receive()
    expect(await settlesWithin(next, 150)).toBe(false)
    proxy.resume()
    expect(text(await next)).toEqual(["held 0", "part 2"])
    expect((await receiveMany(sink, 4)).map(text)).toEqual([1, 2, 3, 4].map((i) => [`held ${i}`, "part 2"]))
    // Paused again while idle, then resumed: still forwarding.
    proxy.pause()
    proxy.resume()
    await sender.send("after")
    expect(text(await sink.receive())).toEqual(["after"])
    proxy.terminate()
    await running
    context.terminate()
  })

  it("terminate() makes run() resolve and closes both sockets (zeromq.js); the proxy cannot be steered or restarted", async () => {
    const { context, sender, frontend, backend, sink, proxy } = await streamer()
    const running = proxy.run()
    // zeromq.js's code for a second run(); the first goes on.
    await expect(proxy.run()).rejects.toMatchObject({ code: "EADDRINUSE" })
    await sender.send("through the proxy")
    expect(text(await sink.receive())).toEqual(["through the proxy"])
    proxy.terminate()
    await expect(running).resolves.toBeUndefined()
    expect(frontend.closed).toBe(true)
    expect(backend.closed).toBe(true)
    for (const call of [() => proxy.terminate(), () => proxy.pause(), () => proxy.resume()]) {
      expect(call).toThrow(expect.objectContaining({ code: "EBADF" }))
    }
    expect(() => proxy.run()).toThrow(expect.objectContaining({ code: "EINVAL", message: "Front-end socket must be bound or connected" }))
    context.terminate()
  })

  it("closing a socket while the proxy runs waits for the proxy, which goes on forwarding (zeromq.js)", async () => {
    const { context, sender, frontend, sink, proxy } = await streamer()
    const running = proxy.run()
    frontend.close()
    expect(frontend.closed).toBe(false)
    await sender.send("after close()")
    expect(text(await sink.receive())).toEqual(["after close()"])
    expect(await settlesWithin(running, 100)).toBe(false)
    proxy.terminate()
    await running
    expect(frontend.closed).toBe(true)
    context.terminate()
  })

  it("terminating the context ends run() with ETERM", async () => {
    const { context, frontend, backend, proxy } = await streamer()
    const running = proxy.run()
    context.terminate()
    await expect(running).rejects.toMatchObject({ code: "ETERM" })
    expect(frontend.closed && backend.closed).toBe(true)
  })

  /** Sends multipart messages until one does not go through within 50 ms; returns it and the count before. */
  async function fillUntilBlocked(sender: Push): Promise<{ accepted: number; blocked: Promise<void> | undefined }> {
    let accepted = 0
    for (let i = 0; i < 1000; i++) {
      const sending = sender.send([`m${i}`, "x"])
      if (!(await settlesWithin(sending, 50))) return { accepted, blocked: sending }
      accepted++
    }
    return { accepted, blocked: undefined }
  }

  it("a stalled back end stops the proxy pulling from the front end: the sender blocks, nothing is lost", async () => {
    // HWM 2 everywhere; inproc pipes hold the writer's SNDHWM + the reader's RCVHWM = 4 messages each.
    const { context, sender, frontend, sink, proxy } = await streamer({ hwm: 2 })
    const running = proxy.run()
    const { accepted, blocked } = await fillUntilBlocked(sender)
    // sender→frontend pipe (4) + backend→sink pipe (4): the proxy holds nothing of its own.
    expect(blocked).toBeDefined()
    expect(accepted).toBe(8)
    expect(frontend.readable).toBe(true) // waiting in the front end's queue, not pulled into memory
    // Once the sink reads, the proxy forwards the rest: every message, in order, the blocked one too.
    const delivered: string[] = []
    for (let i = 0; i <= accepted; i++) delivered.push(text(await sink.receive())[0]!)
    await blocked
    expect(delivered).toEqual(Array.from({ length: accepted + 1 }, (_, i) => `m${i}`))
    proxy.terminate()
    await running
    context.terminate()
  })

  it("terminate() ends run() at once with the back end full (regression: run() used to hang in send())", async () => {
    const { context, sender, proxy } = await streamer({ hwm: 2 })
    const running = proxy.run()
    const { blocked } = await fillUntilBlocked(sender)
    expect(blocked).toBeDefined()
    blocked?.catch(() => {}) // rejected when the context ends
    proxy.terminate()
    expect(await settlesWithin(running, 500)).toBe(true)
    context.terminate()
  })

  it("over tcp the same back-pressure holds, bounded by HWMs and socket buffers", async () => {
    const sendHwm = { sendHighWaterMark: 2, linger: 0 }
    const receiveHwm = { receiveHighWaterMark: 2, linger: 0 }
    await using sender = new Push(sendHwm)
    await using frontend = new Pull(receiveHwm)
    await using backend = new Push(sendHwm)
    await using sink = new Pull(receiveHwm)
    await frontend.bind("tcp://127.0.0.1:*")
    await backend.bind("tcp://127.0.0.1:*")
    sender.connect(frontend.lastEndpoint!)
    sink.connect(backend.lastEndpoint!)
    const proxy = new Proxy(frontend, backend)
    const running = proxy.run()
    const body = Buffer.alloc(256 * 1024, 1)
    let accepted = 0
    let blocked: Promise<void> | undefined
    for (let i = 0; i < 400; i++) {
      const sending = sender.send([String(i), body])
      if (!(await settlesWithin(sending, 200))) {
        blocked = sending
        break
      }
      accepted++
    }
    // Two tcp hops of kernel buffers (a few MB each) plus a handful of messages in the pipes — far below
    // the 100 MB the sender would have pushed through an unbounded proxy.
    expect(blocked).toBeDefined()
    expect(accepted).toBeLessThan(150)
    // Once the sink reads, everything arrives in order.
    const all = await receiveMany(sink, accepted + 1, 5000)
    expect(all.map((message) => Number(String(message[0])))).toEqual(Array.from({ length: accepted + 1 }, (_, i) => i))
    expect(all.every((message) => message[1]!.length === body.length)).toBe(true)
    await blocked
    proxy.terminate()
    await running
  })

  it("a capture that cannot keep up loses copies instead of blocking the proxy or holding them", async () => {
    const { context, sender, frontend, backend, sink } = await streamer()
    const capture = new Push({ context, sendHighWaterMark: 1 })
    const captureReader = new Pull({ context, receiveHighWaterMark: 1 })
    await capture.bind(inproc("slow-capture"))
    captureReader.connect(capture.lastEndpoint!)
    const proxy = new Proxy(frontend, backend, capture)
    const running = proxy.run()
    for (let i = 0; i < 2000; i++) {
      await sender.send(`m${i}`)
      expect(text(await sink.receive())).toEqual([`m${i}`])
    }
    proxy.terminate()
    await running
    // The capture pipe holds SNDHWM + RCVHWM = 2 copies; the other 1998 were dropped, not queued in memory
    // (regression: every copy used to wait in the capture socket's send queue).
    const copies: Message[][] = []
    for (;;) {
      const next = captureReader.receive()
      if (!(await settlesWithin(next, 50))) break
      copies.push(await next)
    }
    expect(copies.map(text)).toEqual([["m0"], ["m1"]])
    context.terminate()
  })
})
