/**
 * How the v5 compatibility socket reports and paces: send callbacks, `pause`/`resume`, ZMQ_DONTWAIT and
 * `sndtimeo`, unroutable ROUTER messages, the `"error"` event, `read()`, and closing with messages queued.
 * Transport does not change these (they live above the v6 socket), so most run over inproc; the ones
 * whose timing depends on a real connection also run over tcp.
 */
import { Buffer } from "node:buffer"
import { setTimeout as delay } from "node:timers/promises"
import { describe, expect, it } from "vitest"
import { ZmqError } from "../../src/index.js"
import * as zmq from "../../src/v5-compat.js"
import { bound, collect, socketsClosedAfterEach } from "../helpers/v5-sockets.js"
import { TRANSPORTS } from "../helpers/transports.js"

const open = socketsClosedAfterEach()

let names = 0
const inproc = (): string => `inproc://v5-flow-${process.pid}-${++names}`

/** The error `send` hands its callback (undefined on success). */
function sent(sock: zmq.Socket, message: Parameters<zmq.Socket["send"]>[0], flags: number | null = null): Promise<Error | undefined> {
  return new Promise((resolve) => sock.send(message, flags, resolve))
}

function nextError(sock: zmq.Socket, timeoutMs = 5000): Promise<Error> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "error" event within ${timeoutMs} ms`)), timeoutMs)
    sock.once("error", (error) => {
      clearTimeout(timer)
      resolve(error)
    })
  })
}

describe("v5-compat send callbacks", () => {
  it("calls each callback once its message is queued, with no error", async () => {
    const pull = open("pull")
    const push = open("push")
    push.connect(await bound(pull, inproc()))
    const received = collect(pull, 4)
    const results = await Promise.all([sent(push, "hello"), sent(push, "hello"), sent(push, "hello"), sent(push, ["hello", "world"])])
    expect(results).toEqual([undefined, undefined, undefined, undefined])
    expect(await received).toEqual([["hello"], ["hello"], ["hello"], ["hello", "world"]])
  })

  it("calls the callbacks of every ZMQ_SNDMORE part, after the whole message is queued", async () => {
    const pull = open("pull")
    const push = open("push")
    push.connect(await bound(pull, inproc()))
    const calls: string[] = []
    push.send("a", zmq.ZMQ_SNDMORE, (error) => calls.push(`a:${String(error)}`))
    push.send("b", zmq.ZMQ_SNDMORE)
    await delay(10)
    expect(calls).toEqual([]) // nothing is sent before the last part
    await new Promise<void>((resolve) => push.send("c", 0, () => resolve()))
    expect(calls).toEqual(["a:undefined"])
    expect(await collect(pull, 1)).toEqual([["a", "b", "c"]])
  })

  it("never calls a callback inside the send() call itself", async () => {
    const push = open("push")
    let returned = false
    const called = new Promise<Error | undefined>((resolve) => {
      push.send("x", zmq.ZMQ_DONTWAIT, (error) => {
        expect(returned).toBe(true)
        resolve(error)
      })
    })
    returned = true
    expect((await called)?.message).toBe("Operation was not possible or timed out")
  })

  it("waits for a peer without ZMQ_DONTWAIT, and fails at once with EAGAIN with it", async () => {
    const push = open("push")
    const address = inproc()
    const waiting = sent(push, "patient")
    const refused = await sent(push, "hasty", zmq.ZMQ_DONTWAIT)
    expect(refused).toBeInstanceOf(ZmqError)
    expect((refused as ZmqError).code).toBe("EAGAIN")
    expect(refused?.message).toBe("Operation was not possible or timed out")
    const pull = open("pull")
    const received = collect(pull, 1)
    await bound(pull, address)
    push.connect(address)
    expect(await waiting).toBeUndefined()
    expect(await received).toEqual([["patient"]])
  })

  it("fails a message that waits longer than sndtimeo with EAGAIN; with sndtimeo 0 at once", async () => {
    const dealer = open("dealer")
    dealer.setsockopt(zmq.ZMQ_SNDTIMEO, 30)
    const started = Date.now()
    const error = await sent(dealer, "nobody there")
    expect((error as ZmqError).code).toBe("EAGAIN")
    expect(Date.now() - started).toBeGreaterThanOrEqual(25)
    dealer.setsockopt(zmq.ZMQ_SNDTIMEO, 0)
    expect(((await sent(dealer, "still nobody")) as ZmqError).code).toBe("EAGAIN")
  })

  it("emits \"error\" for a failed send without a callback", async () => {
    const push = open("push")
    const failure = nextError(push)
    push.send("x", zmq.ZMQ_DONTWAIT)
    expect((await failure).message).toBe("Operation was not possible or timed out")
  })
})

describe("v5-compat ROUTER and unroutable messages", () => {
  it("with mandatory, emits an EHOSTUNREACH error, or hands it to the callback", async () => {
    const router = open("router")
    router.setsockopt(zmq.ZMQ_ROUTER_MANDATORY, 1)
    // sndtimeo 0: the send fails at once, as in zeromq.js. (With a timeout zeromq.js waits it out and then
    // fails EHOSTUNREACH; our v6 ROUTER then fails EAGAIN, a difference of the core's.)
    router.setsockopt(zmq.ZMQ_SNDTIMEO, 0)
    const failure = nextError(router)
    router.send(["12384982398293", ""])
    const error = await failure
    expect(error.message).toBe("Host unreachable")
    expect((error as ZmqError).code).toBe("EHOSTUNREACH")
    const results = await Promise.all([sent(router, ["nobody", ""]), sent(router, ["nobody", ""])])
    expect(results.map((result) => result?.message)).toEqual(["Host unreachable", "Host unreachable"])
  })

  it("without mandatory, drops them silently", async () => {
    const router = open("router")
    let errors = 0
    router.on("error", () => errors++)
    expect(await sent(router, ["foo", "bar"])).toBeUndefined()
    await delay(10)
    expect(errors).toBe(0)
  })

  it("routes replies by the routing id a message came with", async () => {
    const router = open("router")
    const address = await bound(router, inproc())
    const a = open("dealer", { identity: "a" })
    const b = open("dealer", { identity: "b" })
    a.connect(address)
    b.connect(address)
    router.on("message", (id: Buffer, body: Buffer) => router.send([id, `${body.toString()} for ${id.toString()}`]))
    const atA = collect(a, 1)
    const atB = collect(b, 1)
    a.send("one")
    b.send("two")
    expect(await atA).toEqual([["one for a"]])
    expect(await atB).toEqual([["two for b"]])
  })
})

for (const transport of TRANSPORTS.filter(({ name }) => name !== "ipc")) {
  describe(`v5-compat pause and resume over ${transport.name}`, () => {
    it("emits nothing while paused, then everything in order after resume()", async () => {
      const pull = open("pull")
      const push = open("push")
      const seen: string[] = []
      pull.on("message", (frame: Buffer) => seen.push(frame.toString()))
      push.connect(await bound(pull, transport.bindAddress()))
      pull.pause()
      push.send("foo").send("bar").send("baz")
      await delay(50)
      expect(seen).toEqual([])
      const received = collect(pull, 3)
      expect(pull.resume()).toBe(pull)
      expect(await received).toEqual([["foo"], ["bar"], ["baz"]])
    })

    it("stops at once when a message listener pauses, and keeps the rest for resume()", async () => {
      const pull = open("pull")
      const push = open("push")
      const seen: string[] = []
      pull.on("message", (frame: Buffer) => {
        seen.push(frame.toString())
        if (seen.length === 1) pull.pause()
      })
      push.connect(await bound(pull, transport.bindAddress()))
      push.send("1").send("2").send("3")
      const deadline = Date.now() + 5000
      while (seen.length === 0 && Date.now() < deadline) await delay(5)
      await delay(50)
      expect(seen).toEqual(["1"])
      pull.resume()
      while (seen.length < 3 && Date.now() < deadline) await delay(5)
      expect(seen).toEqual(["1", "2", "3"])
    })

    it("holds sends while paused and sends them on resume()", async () => {
      const pull = open("pull")
      const push = open("push")
      push.connect(await bound(pull, transport.bindAddress()))
      const seen: string[] = []
      pull.on("message", (frame: Buffer) => seen.push(frame.toString()))
      push.pause()
      let callbacks = 0
      push.send("held", null, () => callbacks++)
      await delay(50)
      expect([seen, callbacks]).toEqual([[], 0])
      const received = collect(pull, 1)
      push.resume()
      expect(await received).toEqual([["held"]])
      expect(callbacks).toBe(1)
    })
  })
}

describe("v5-compat receiving", () => {
  it("keeps messages that arrive before the first \"message\" listener", async () => {
    const pull = open("pull")
    const push = open("push")
    push.connect(await bound(pull, inproc()))
    await Promise.all([sent(push, "early 1"), sent(push, "early 2")])
    await delay(20)
    expect(await collect(pull, 2)).toEqual([["early 1"], ["early 2"]])
  })

  it("turns a throwing \"message\" listener into an \"error\" event and keeps delivering", async () => {
    const sub = open("sub")
    const pub = open("pub")
    sub.subscribe("")
    pub.connect(await bound(sub, inproc()))
    const failure = nextError(sub)
    const seen: string[] = []
    sub.on("message", (frame: Buffer) => {
      seen.push(frame.toString())
      if (frame.toString() === "foo") throw new Error("test error")
    })
    pub.send("foo").send("bar")
    expect((await failure).message).toBe("test error")
    const deadline = Date.now() + 5000
    while (seen.length < 2 && Date.now() < deadline) await delay(5)
    expect(seen).toEqual(["foo", "bar"])
  })

  it("has no read(): zeromq.js removed it, with this message", () => {
    expect(() => open("pull").read()).toThrow(
      new Error("read() has been removed from compatibility mode; use on('message', ...) instead."),
    )
  })

  it("a REQ sends before it is connected; the request goes out once it is", async () => {
    const rep = open("rep")
    const req = open("req")
    rep.on("message", () => rep.send("pong"))
    const replies = collect(req, 1)
    req.send("ping")
    await delay(10)
    req.connect(await bound(rep, "tcp://127.0.0.1:*"))
    expect(await replies).toEqual([["pong"]])
  })
})

describe("v5-compat errors of send", () => {
  it("refuses to send on PULL and SUB with zeromq.js's message", async () => {
    for (const type of ["pull", "sub"] as const) {
      const sock = open(type)
      const error = await sent(sock, "x")
      expect(error?.message).toBe("Cannot send on this socket type.")
      const failure = nextError(sock)
      sock.send("y")
      expect((await failure).message).toBe("Cannot send on this socket type.")
    }
  })

  it("never emits \"error\" for a send on a closed socket; a callback hears \"Socket is closed\"", async () => {
    const push = open("push")
    let errors = 0
    push.on("error", () => errors++)
    push.close()
    push.send("late, no callback")
    const error = await sent(push, "late")
    expect(error?.message).toBe("Socket is closed")
    expect((error as ZmqError).code).toBe("EBADF")
    await delay(10)
    expect(errors).toBe(0)
  })

  it("a send on a closed socket without an \"error\" listener throws nothing (zeromq.js keeps it silently)", async () => {
    const push = open("push")
    const uncaught: unknown[] = []
    const listeners = process.listeners("uncaughtException")
    process.removeAllListeners("uncaughtException")
    const onUncaught = (error: unknown): void => void uncaught.push(error)
    process.on("uncaughtException", onUncaught)
    try {
      push.close()
      push.send("late")
      push.send(["late", "too"])
      await delay(20)
    } finally {
      process.off("uncaughtException", onUncaught)
      for (const listener of listeners) process.on("uncaughtException", listener)
    }
    expect(uncaught).toEqual([])
  })

  it("calls back the messages still queued when the socket closes with EAGAIN, as zeromq.js its interrupted send, without an \"error\" event", async () => {
    const push = open("push")
    let errors = 0
    push.on("error", () => errors++)
    const inFlight = sent(push, "waiting for a peer")
    const queued = sent(push, "behind it")
    push.send("no callback")
    push.send("part", zmq.ZMQ_SNDMORE, () => {})
    push.close()
    for (const error of [await inFlight, await queued]) {
      expect(error?.message).toBe("Operation was not possible or timed out")
      expect((error as ZmqError).code).toBe("EAGAIN")
    }
    await delay(10)
    expect(errors).toBe(0)
    expect(push.closed).toBe(true)
  })

  it("rethrows a throwing callback as an uncaught exception, not into the socket", async () => {
    const pull = open("pull")
    const push = open("push")
    push.connect(await bound(pull, inproc()))
    const uncaught = new Promise<unknown>((resolve) => {
      // vitest treats uncaught exceptions as failures: take this one before it does.
      const listeners = process.listeners("uncaughtException")
      process.removeAllListeners("uncaughtException")
      process.once("uncaughtException", (error) => {
        for (const listener of listeners) process.on("uncaughtException", listener)
        resolve(error)
      })
    })
    push.send("x", null, () => {
      throw new Error("callback failed")
    })
    expect(((await uncaught) as Error).message).toBe("callback failed")
    expect(await collect(pull, 1)).toEqual([["x"]])
  })
})
