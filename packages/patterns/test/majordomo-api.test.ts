/**
 * The Majordomo classes' contracts, one at a time: the client's queueing and close, the async client's
 * timeout, the worker's states, and the broker's DISCONNECT for invalid or unexpected worker commands
 * (RFC 7 "Opening and Closing a Connection", RFC 8 "Namespace"), seen from a raw DEALER.
 */
import { Dealer, type Message } from "@zmq-ts/core"
import { afterEach, describe, expect, it } from "vitest"
import {
  MajordomoAsyncClient,
  MajordomoBroker,
  MajordomoClient,
  MajordomoWorker,
  MdpCommand,
  PatternError,
  PatternErrorCode,
  type MajordomoEvent,
} from "../src/index.js"
import { workerCommand, workerReply } from "../src/majordomo-protocol.js"
import { bindAddress, sleep, within } from "./helpers/endpoints.js"

const closers: Array<{ close(): void }> = []
afterEach(() => {
  for (const closer of closers.splice(0).reverse()) closer.close()
})
const track = <T extends { close(): void }>(thing: T): T => {
  closers.push(thing)
  return thing
}

async function broker(onEvent?: (event: MajordomoEvent) => void): Promise<{ broker: MajordomoBroker; endpoint: string }> {
  const b = track(new MajordomoBroker({ heartbeat: 100, ...(onEvent === undefined ? {} : { onEvent }) }))
  await b.bind(bindAddress("tcp", "md"))
  return { broker: b, endpoint: b.endpoints[0]! }
}

const code = (error: unknown): string | undefined => (PatternError.isInstance(error) ? error.code : undefined)
const text = (frames: Message[] | undefined): string[] | undefined => frames?.map(String)

describe("MajordomoClient", () => {
  it("queues requests made while one is pending: each is answered, in the order asked", async () => {
    const { endpoint } = await broker()
    const worker = track(new MajordomoWorker(endpoint, "echo", { heartbeat: 100 }))
    void worker.serve(async (request) => {
      await sleep(5)
      return request
    })
    const client = track(new MajordomoClient(endpoint))
    const replies = await within(Promise.all([1, 2, 3, 4].map((n) => client.request("echo", [`r${n}`, Buffer.from([n])]))), 5000, "replies")
    expect(replies.map((reply) => reply?.[0]?.toString())).toEqual(["r1", "r2", "r3", "r4"])
    expect(replies.map((reply) => reply?.[1]?.[0])).toEqual([1, 2, 3, 4])
  })

  it("gives undefined after `retries` timeouts, and still works afterwards", async () => {
    const { endpoint } = await broker()
    const client = track(new MajordomoClient(endpoint, { timeout: 100, retries: 2 }))
    const start = performance.now()
    expect(await client.request("nobody", ["x"])).toBeUndefined()
    expect(performance.now() - start).toBeGreaterThanOrEqual(180)
    const worker = track(new MajordomoWorker(endpoint, "late", { heartbeat: 100 }))
    void worker.serve((request) => request)
    expect(text(await client.request("late", ["y"]))).toEqual(["y"])
  })

  it("close() rejects the pending and the queued requests with ERR_PATTERN_CLOSED", async () => {
    const { endpoint } = await broker()
    const client = new MajordomoClient(endpoint, { timeout: 5000 })
    const pending = [client.request("nobody", ["1"]), client.request("nobody", ["2"])]
    await sleep(50)
    client.close()
    for (const request of pending) expect(code(await request.catch((error: unknown) => error))).toBe(PatternErrorCode.CLOSED)
    expect(code(await client.request("x", []).catch((error: unknown) => error))).toBe(PatternErrorCode.CLOSED)
  })

  it("rejects invalid options", () => {
    expect(() => new MajordomoClient("tcp://127.0.0.1:1", { retries: 0 })).toThrow(PatternError)
    expect(() => new MajordomoClient("tcp://127.0.0.1:1", { timeout: -2 })).toThrow(PatternError)
  })
})

describe("MajordomoAsyncClient", () => {
  it("sends many requests before reading the replies; receive() gives undefined after its timeout", async () => {
    const { endpoint } = await broker()
    const worker = track(new MajordomoWorker(endpoint, "echo", { heartbeat: 100 }))
    void worker.serve((request) => request)
    const client = track(new MajordomoAsyncClient(endpoint, { timeout: 300 }))
    for (let i = 0; i < 200; i++) await client.send("echo", [`m${i}`])
    const replies: string[] = []
    for (let i = 0; i < 200; i++) replies.push((await client.receive())![0]!.toString())
    // One worker answers in the order the broker queued them.
    expect(replies).toEqual(Array.from({ length: 200 }, (_, i) => `m${i}`))
    expect(await client.receive()).toBeUndefined()
    client.close()
    expect(code(await client.receive().catch((error: unknown) => error))).toBe(PatternErrorCode.CLOSED)
  })
})

describe("MajordomoWorker", () => {
  it("refuses mmi.* services, a second concurrent receive(), and a reply with no request", async () => {
    expect(() => new MajordomoWorker("tcp://127.0.0.1:1", "mmi.service")).toThrow(PatternError)
    const { endpoint } = await broker()
    const worker = track(new MajordomoWorker(endpoint, "echo", { heartbeat: 100 }))
    expect(code(await worker.receive(["orphan"]).catch((error: unknown) => error))).toBe(PatternErrorCode.INVALID_STATE)
    const first = worker.receive()
    expect(code(await worker.receive().catch((error: unknown) => error))).toBe(PatternErrorCode.INVALID_STATE)
    worker.close()
    expect(code(await first.catch((error: unknown) => error))).toBe(PatternErrorCode.CLOSED)
    expect(code(await worker.receive().catch((error: unknown) => error))).toBe(PatternErrorCode.CLOSED)
  })

  it("close() says DISCONNECT: the broker forgets the worker at once", async () => {
    const events: MajordomoEvent[] = []
    const { broker: b, endpoint } = await broker((event) => events.push(event))
    const worker = new MajordomoWorker(endpoint, "echo", { heartbeat: 1000 })
    const serving = worker.serve((request) => request)
    await within((async () => { while (b.workersOf("echo") === 0) await sleep(5) })(), 3000, "registered")
    worker.close()
    await serving
    await within((async () => { while (b.workersOf("echo") !== 0) await sleep(5) })(), 1000, "forgotten")
    expect(events.find((event) => event.type === "worker:deleted")).toMatchObject({ reason: "disconnect", service: "echo" })
  })
})

describe("MajordomoBroker, seen from a raw worker DEALER", () => {
  async function rawWorker(endpoint: string): Promise<Dealer> {
    const dealer = track(new Dealer({ linger: 0 }))
    dealer.connect(endpoint)
    return dealer
  }
  const isDisconnect = (message: Message[]): boolean => message.length === 3 && message[1]!.toString() === "MDPW01" && message[2]![0] === MdpCommand.DISCONNECT

  it.each([
    ["a REPLY before READY", [workerReply(Buffer.from("client"), ["x"])]],
    ["a HEARTBEAT before READY", [workerCommand(MdpCommand.HEARTBEAT)]],
    ["a READY for the mmi.* namespace", [workerCommand(MdpCommand.READY, ["mmi.service"])]],
    ["a second READY", [workerCommand(MdpCommand.READY, ["echo"]), workerCommand(MdpCommand.READY, ["echo"])]],
    ["a REQUEST (brokers send those)", [workerCommand(MdpCommand.READY, ["echo"]), workerCommand(MdpCommand.REQUEST, ["c", "", "x"])]],
    ["a REPLY while idle", [workerCommand(MdpCommand.READY, ["echo"]), workerReply(Buffer.from("client"), ["x"])]],
  ])("answers %s with DISCONNECT and forgets the worker", async (_, messages) => {
    const { broker: b, endpoint } = await broker()
    const dealer = await rawWorker(endpoint)
    for (const message of messages) await dealer.send(message)
    for (;;) {
      const message = await within(dealer.receive(), 2000, "DISCONNECT")
      if (isDisconnect(message)) break
    }
    expect(b.workerCount).toBe(0)
  })

  it("sends HEARTBEAT to an idle worker, and expires it once it falls silent", async () => {
    const { broker: b, endpoint } = await broker()
    const dealer = await rawWorker(endpoint)
    await dealer.send(workerCommand(MdpCommand.READY, ["echo"]))
    const heartbeat = await within(dealer.receive(), 1000, "HEARTBEAT")
    expect(heartbeat.map((frame) => frame.toString("hex"))).toEqual(["", Buffer.from("MDPW01").toString("hex"), "04"])
    expect(b.workersOf("echo")).toBe(1)
    await sleep(100 * 3 + 250)
    expect(b.workersOf("echo")).toBe(0)
  })

  it("keeps requests for a service until a worker registers for it", async () => {
    const { broker: b, endpoint } = await broker()
    const client = track(new MajordomoAsyncClient(endpoint, { timeout: 3000 }))
    await client.send("later", ["q1"])
    await client.send("later", ["q2"])
    await within((async () => { while (b.queuedFor("later") < 2) await sleep(5) })(), 2000, "queued")
    const worker = track(new MajordomoWorker(endpoint, "later", { heartbeat: 100 }))
    void worker.serve((request) => request)
    expect(text(await client.receive())).toEqual(["q1"])
    expect(text(await client.receive())).toEqual(["q2"])
  })
})
