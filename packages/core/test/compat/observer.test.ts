/**
 * The Observer (`socket.events`, `new Observer(socket)`) as zeromq.js 6.8.0 has it (src/observer.cc and
 * the emitter in src/index.ts), and the events libzmq 4.3.5 raises where they differ by transport or call.
 * Each point runs against both libraries, so the test shows the two agree; the few where zeromq.js hangs or
 * is not deterministic are marked and run against ours only.
 *
 *   socket.events ── first access: the observer is made, and keeps events from then on
 *     ├─ receive() / for await … one read at a time (EBUSY), EBADF once closed
 *     └─ on() / off() ………………… event emitter mode for good: receive() throws
 */
import { EventEmitter } from "node:events"
import { setTimeout as delay } from "node:timers/promises"
import { beforeEach, describe, expect, it } from "vitest"
import * as zmq from "zeromq"
import * as ours from "../../src/index.js"
import { runChild } from "../helpers/child-script.js"
import { EVENT_TYPES, freePort, settlesWithin, until } from "../helpers/transports.js"

interface TestEvent {
  readonly type: string
  readonly address?: string
  readonly interval?: number
  readonly error?: Error & { code?: string }
}

interface TestObserver {
  readonly closed: boolean
  receive(): Promise<TestEvent>
  close(): void
  on(type: string, listener: (event: TestEvent) => void): unknown
  off(type: string, listener: (event: TestEvent) => void): unknown
  [Symbol.asyncIterator](): AsyncIterator<TestEvent>
}

interface TestSocket {
  readonly events: TestObserver
  readonly lastEndpoint: string | null
  bind(address: string): Promise<void>
  unbind(address: string): Promise<void>
  connect(address: string): void
  disconnect(address: string): void
  send(message: unknown): Promise<void>
  receive(): Promise<unknown[]>
  close(): void
}

type SocketClass = new (options?: object) => TestSocket

interface Library {
  Context: new () => object
  Observer: new (...args: unknown[]) => TestObserver
  Dealer: SocketClass
  Push: SocketClass
  Pull: SocketClass
}

const LIBRARIES: ReadonlyArray<{ name: string; lib: Library }> = [
  { name: "zeromq.js", lib: zmq as unknown as Library },
  { name: "zmq-ts", lib: ours as unknown as Library },
]

/** Every event of `socket`, through `on()` listeners. */
function record(socket: TestSocket): TestEvent[] {
  const seen: TestEvent[] = []
  for (const type of EVENT_TYPES) socket.events.on(type, (event) => seen.push(event))
  return seen
}

/** `{ thrown }` when `call` throws synchronously, else `{ result }`. */
function attempt<T>(call: () => T): { thrown?: unknown; result?: T } {
  try {
    return { result: call() }
  } catch (thrown) {
    return { thrown }
  }
}

describe.each(LIBRARIES)("Observer, $name", ({ name, lib }) => {
  // A context per test: zeromq.js names each monitor endpoint after its observer's address in memory, and in
  // one shared context an observer made where a closed one was can end up hearing nothing.
  let context: object
  beforeEach(() => {
    context = new lib.Context()
  })

  describe("when events are kept", () => {
    it("from the first access of socket.events: a bind after it is there for a later receive()", async () => {
      const socket = new lib.Dealer({ context, linger: 0 })
      void socket.events
      await socket.bind("tcp://127.0.0.1:*")
      await delay(30)
      expect((await socket.events.receive()).type).toBe("bind")
      socket.close()
    })

    it("from an iterator made before the bind, read after it", async () => {
      const socket = new lib.Dealer({ context, linger: 0 })
      const iterator = socket.events[Symbol.asyncIterator]()
      await socket.bind("tcp://127.0.0.1:*")
      await delay(30)
      expect((await iterator.next()).value?.type).toBe("bind")
      socket.close()
    })

    it("not before it: a bind before the first access is not reported", async () => {
      const socket = new lib.Dealer({ context, linger: 0 })
      await socket.bind("tcp://127.0.0.1:*")
      await delay(30)
      const next = socket.events.receive()
      expect(await settlesWithin(next, 200)).toBe(false)
      // The first event it has is the next one: the listener's close.
      await socket.unbind(socket.lastEndpoint!)
      expect(await next).toEqual({ type: "close", address: socket.lastEndpoint })
      socket.close()
    })

    it("on() after events were kept hands those to the listeners too", async () => {
      const socket = new lib.Dealer({ context, linger: 0 })
      const events = socket.events
      await socket.bind("tcp://127.0.0.1:*")
      await delay(30)
      const bound: string[] = []
      events.on("bind", (event) => bound.push(event.address!))
      await until(() => bound.length === 1, 2000, "the kept bind event")
      expect(bound[0]).toBe(socket.lastEndpoint)
      socket.close()
    })
  })

  describe("new Observer(socket)", () => {
    it("takes the socket's events over (libzmq monitors a socket once): the observer before it gets end", async () => {
      const socket = new lib.Dealer({ context, linger: 0 })
      const earlier = socket.events
      const observer = new lib.Observer(socket)
      expect(observer).not.toBe(earlier)
      expect(observer).toBeInstanceOf(lib.Observer)
      expect(await earlier.receive()).toEqual({ type: "end" })
      expect(earlier.closed).toBe(true)
      expect(socket.events).toBe(earlier)
      const next = observer.receive()
      await socket.bind("tcp://127.0.0.1:*")
      expect(await next).toEqual({ type: "bind", address: socket.lastEndpoint })
      observer.close()
      socket.close()
    })

    it("receives the events of a socket whose events were never read", async () => {
      const socket = new lib.Dealer({ context, linger: 0 })
      const observer = new lib.Observer(socket)
      const next = observer.receive()
      await socket.bind("tcp://127.0.0.1:*")
      expect(await next).toEqual({ type: "bind", address: socket.lastEndpoint })
      await socket.unbind(socket.lastEndpoint!)
      expect(await observer.receive()).toEqual({ type: "close", address: socket.lastEndpoint })
      observer.close()
      socket.close()
    })

    it("wants a socket: TypeError for nothing, Error 'Invalid argument' for another object, ENOTSOCK for a closed socket", () => {
      expect(() => new lib.Observer()).toThrow(new TypeError("Socket must be a socket object"))
      expect(() => new lib.Observer(null)).toThrow(new TypeError("Socket must be a socket object"))
      const other = attempt(() => new lib.Observer({}))
      expect(other.thrown).toBeInstanceOf(Error)
      expect(other.thrown).not.toBeInstanceOf(TypeError)
      expect((other.thrown as Error).message).toBe("Invalid argument")
      const socket = new lib.Dealer({ context })
      expect(() => new lib.Observer(socket, 1)).toThrow(new TypeError("Expected 1 argument but received 2"))
      socket.close()
      expect(() => new lib.Observer(socket)).toThrow(expect.objectContaining({ code: "ENOTSOCK", errno: 88 }))
    })
  })

  describe("event emitter mode", () => {
    it("on() and off() return an EventEmitter, not the observer; receive() then throws", async () => {
      const socket = new lib.Dealer({ context, linger: 0 })
      const events = socket.events
      const listener = (): void => {}
      const on = events.on("bind", listener)
      expect(on).toBeInstanceOf(EventEmitter)
      expect(on).not.toBe(events)
      const off = events.off("bind", listener)
      expect(off).toBe(on)
      expect(() => events.receive()).toThrow(
        new Error("Observer is in event emitter mode. After a call to events.on() it is not possible to read events with events.receive()."),
      )
      socket.close()
    })

    it("off() alone puts it into event emitter mode too", () => {
      const socket = new lib.Dealer({ context, linger: 0 })
      socket.events.off("bind", () => {})
      expect(() => socket.events.receive()).toThrow("Observer is in event emitter mode")
      socket.close()
    })

    it("listeners run after the call that raised the event has returned", async () => {
      // One attempt only: its connect:delay is raised inside connect().
      const socket = new lib.Dealer({ context, linger: 0, reconnectInterval: -1 })
      const heard: string[] = []
      socket.events.on("connect:delay", (event) => heard.push(event.type))
      socket.connect(`tcp://127.0.0.1:${await freePort()}`)
      expect(heard).toEqual([])
      await until(() => heard.length > 0, 2000, "connect:delay")
      socket.close()
    })
  })

  describe("receive()", () => {
    it("one at a time: a second concurrent receive() throws EBUSY at once", async () => {
      const socket = new lib.Dealer({ context, linger: 0 })
      const first = socket.events.receive()
      const second = attempt(() => socket.events.receive())
      expect(second.thrown).toMatchObject({
        code: "EBUSY",
        errno: 16,
        message: "Observer is busy reading; only one receive operation may be in progress at any time",
      })
      await socket.bind("tcp://127.0.0.1:*")
      expect((await first).type).toBe("bind")
      socket.close()
    })
  })

  describe("after close", () => {
    it("socket.close(): a waiting receive() gets end, then the observer is closed; socket.events throws ENOTSOCK", async () => {
      const socket = new lib.Dealer({ context, linger: 0 })
      const events = socket.events
      const waiting = events.receive()
      socket.close()
      expect(await waiting).toEqual({ type: "end" })
      expect(events.closed).toBe(true)
      expect(() => events.receive()).toThrow(expect.objectContaining({ code: "EBADF" }))
      expect(() => socket.events).toThrow(expect.objectContaining({ code: "ENOTSOCK", errno: 88, message: "Socket operation on non-socket" }))
    })

    it("events.close(): a waiting receive() rejects ENOTSOCK; closed; receive() throws EBADF; the iterator is done", async () => {
      const socket = new lib.Dealer({ context, linger: 0 })
      const events = socket.events
      const waiting = events.receive()
      events.close()
      await expect(waiting).rejects.toMatchObject({ code: "ENOTSOCK", errno: 88 })
      expect(events.closed).toBe(true)
      expect(() => events.receive()).toThrow(expect.objectContaining({ code: "EBADF", errno: 9, message: "Socket is closed" }))
      expect(await events[Symbol.asyncIterator]().next()).toMatchObject({ done: true })
      // The socket keeps this (closed) observer.
      expect(socket.events).toBe(events)
      socket.close()
    })
  })

  describe("events by transport and call (libzmq 4.3.5)", () => {
    it("inproc raises none: bind, connect, messages, close", async () => {
      const a = new lib.Pull({ context, linger: 0 })
      const b = new lib.Push({ context, linger: 0 })
      const aSeen = record(a)
      const bSeen = record(b)
      const address = `inproc://observer-compat-${name.replace(/\W/g, "")}-${process.pid}`
      await a.bind(address)
      b.connect(address)
      await b.send("x")
      await a.receive()
      await delay(50)
      expect(aSeen).toEqual([])
      expect(bSeen).toEqual([])
      a.close()
      b.close()
    })

    it("bind:error: an address-less close, then bind:error with the address as given, without its scheme", async () => {
      const holder = new lib.Pull({ context, linger: 0 })
      await holder.bind("tcp://127.0.0.1:*")
      const taken = holder.lastEndpoint!
      const socket = new lib.Pull({ context, linger: 0 })
      const seen = record(socket)
      await expect(socket.bind(taken)).rejects.toMatchObject({ code: "EADDRINUSE" })
      await until(() => seen.length >= 2, 2000, "two events")
      expect(seen.map((event) => event.type)).toEqual(["close", "bind:error"])
      expect(Object.keys(seen[0]!)).toEqual(["type"])
      expect(seen[1]).toMatchObject({ address: taken.slice("tcp://".length), error: { code: "EADDRINUSE", errno: 98 } })
      socket.close()
      holder.close()
    })

    it("tcp connect: connect:delay before the first attempt, also when it connects at once", async () => {
      const binder = new lib.Pull({ context, linger: 0 })
      await binder.bind("tcp://127.0.0.1:*")
      const socket = new lib.Push({ context, linger: 0 })
      const seen = record(socket)
      socket.connect(binder.lastEndpoint!)
      await until(() => seen.some((event) => event.type === "handshake"), 3000, "the handshake")
      expect(seen.map((event) => event.type)).toEqual(["connect:delay", "connect", "handshake"])
      socket.close()
      binder.close()
    })

    it("refused tcp attempts: connect:delay, close, connect:retry with the interval plus a jitter below it", async () => {
      const socket = new lib.Dealer({ context, linger: 0, reconnectInterval: 40 })
      const seen = record(socket)
      const address = `tcp://127.0.0.1:${await freePort()}`
      socket.connect(address)
      await until(() => seen.filter((event) => event.type === "connect:retry").length >= 4, 3000, "four retries")
      socket.close()
      const attempts = seen.slice(0, 12)
      expect(attempts.map((event) => event.type)).toEqual(Array.from({ length: 4 }, () => ["connect:delay", "close", "connect:retry"]).flat())
      for (const event of attempts) expect(event.address).toBe(address)
      const intervals = attempts.filter((event) => event.type === "connect:retry").map((event) => event.interval!)
      for (const interval of intervals) {
        expect(interval).toBeGreaterThanOrEqual(40)
        expect(interval).toBeLessThan(80)
      }
    })

    it("no disconnect after our own disconnect()", async () => {
      const binder = new lib.Pull({ context, linger: 0 })
      await binder.bind("tcp://127.0.0.1:*")
      const endpoint = binder.lastEndpoint!
      const socket = new lib.Push({ context, linger: 0 })
      const seen = record(socket)
      socket.connect(endpoint)
      await until(() => seen.some((event) => event.type === "handshake"), 3000, "the handshake")
      socket.disconnect(endpoint)
      await delay(100)
      expect(seen.map((event) => event.type)).toEqual(["connect:delay", "connect", "handshake"])
      socket.close()
      binder.close()
    })
  })
})

describe("Observer, zmq-ts only", () => {
  it("for await over socket.events ends when the socket closes, after close and end", async () => {
    const socket = new ours.Dealer({ linger: 0 })
    const seen: string[] = []
    const done = (async () => {
      for await (const event of socket.events) seen.push(event.type)
    })()
    await socket.bind("tcp://127.0.0.1:*")
    socket.close()
    await done
    expect(seen).toEqual(["bind", "close", "end"])
  })

  // zeromq.js documents that the iterator returns when the observer is closed; its own throws ENOTSOCK
  // when a read was waiting. Ours returns.
  it("for await ends when the observer is closed while it waits", async () => {
    const socket = new ours.Dealer({ linger: 0 })
    const done = (async () => {
      const seen: string[] = []
      for await (const event of socket.events) seen.push(event.type)
      return seen
    })()
    await delay(10)
    socket.events.close()
    expect(await done).toEqual([])
    socket.close()
  })

  it("event emitter mode keeps the process alive until the socket closes", async () => {
    const listening = await runChild(
      `import { Dealer } from ZMQ
       const dealer = new Dealer()
       dealer.events.on("bind", () => {})`,
      { timeoutMs: 1500 },
    )
    expect(listening.timedOut).toBe(true)
    const closed = await runChild(
      `import { Dealer } from ZMQ
       const dealer = new Dealer()
       dealer.events.on("end", () => console.log("END"))
       dealer.close()`,
      { timeoutMs: 8000 },
    )
    expect(closed.code, closed.stderr).toBe(0)
    expect(closed.stdout).toContain("END")
  })
})
