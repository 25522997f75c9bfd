/**
 * The socket calls' contract as zeromq.js v6 defines it (its socket-bind-unbind, socket-close,
 * socket-send-receive and socket-connect-disconnect tests): messages and codes of errors, which calls
 * throw and which reject, EBUSY while a bind or unbind settles, what a closed socket does, which endpoint
 * form unbind() takes, and that loops of awaited calls let timers run.
 */
import { describe, expect, it } from "vitest"
import { Dealer, Pair, Publisher, Pull, Push, Router, ZmqError } from "../../src/index.js"
import { TRANSPORTS } from "../helpers/transports.js"

/** The error `call` throws synchronously, or undefined (a promise it returns is left to settle quietly). */
function throwsAtOnce(call: () => unknown): unknown {
  try {
    const result = call()
    if (result instanceof Promise) result.catch(() => {})
    return undefined
  } catch (error) {
    return error
  }
}

/** What a call did: returned, threw at once, or gave a promise that rejected or resolved. */
async function outcome(call: () => unknown): Promise<{ threw?: unknown; rejected?: unknown; resolved?: boolean }> {
  let result: unknown
  try {
    result = call()
  } catch (error) {
    return { threw: error }
  }
  if (!(result instanceof Promise)) return { resolved: true }
  try {
    await result
    return { resolved: true }
  } catch (error) {
    return { rejected: error }
  }
}

describe("errors carry zeromq.js's message, code, errno and address", () => {
  it("an invalid endpoint: Invalid argument (EINVAL), with the address; our explanation is in details", async () => {
    await using socket = new Dealer()
    const { rejected } = await outcome(() => socket.bind("foo-bar"))
    expect(rejected).toBeInstanceOf(ZmqError)
    expect(rejected).toMatchObject({ message: "Invalid argument", code: "EINVAL", errno: 22, address: "foo-bar" })
    expect((rejected as ZmqError).details).toMatch(/expected transport:\/\/address/)
    // An uncaught one still says what was wrong.
    expect((rejected as ZmqError).stack?.split("\n")[0]).toBe(`ZmqError: Invalid argument (${(rejected as ZmqError).details})`)
  })

  it("an unknown transport: Protocol not supported (EPROTONOSUPPORT), on bind (rejects) and connect (throws)", async () => {
    await using socket = new Dealer()
    expect((await outcome(() => socket.bind("foo://bar"))).rejected).toMatchObject({ message: "Protocol not supported", code: "EPROTONOSUPPORT", errno: 93, address: "foo://bar" })
    expect((await outcome(() => socket.connect("foo://bar"))).threw).toMatchObject({ message: "Protocol not supported", code: "EPROTONOSUPPORT" })
  })

  it("unbinding what is not bound: No such endpoint (ENOENT); a malformed address: Invalid argument", async () => {
    await using socket = new Dealer()
    const address = "tcp://127.0.0.1:47999"
    expect((await outcome(() => socket.unbind(address))).rejected).toMatchObject({ message: "No such endpoint", code: "ENOENT", errno: 2, address })
    expect((await outcome(() => socket.unbind("foo"))).rejected).toMatchObject({ message: "Invalid argument", code: "EINVAL" })
    expect((await outcome(() => socket.disconnect("foo"))).threw).toMatchObject({ message: "Invalid argument", code: "EINVAL" })
    expect((await outcome(() => socket.disconnect(address))).threw).toMatchObject({ message: "No such endpoint", code: "ENOENT" })
  })

  it("a timed-out receive: Operation was not possible or timed out (EAGAIN)", async () => {
    await using socket = new Pull({ receiveTimeout: 10 })
    expect((await outcome(() => socket.receive())).rejected).toMatchObject({ message: "Operation was not possible or timed out", code: "EAGAIN", errno: 11 })
  })

  it("a ROUTER with mandatory and sendTimeout 0, to an unknown peer: Host unreachable (EHOSTUNREACH)", async () => {
    await using router = new Router({ mandatory: true, sendTimeout: 0 })
    await router.bind("tcp://127.0.0.1:*")
    expect((await outcome(() => router.send(["nobody", "x"]))).rejected).toMatchObject({ message: "Host unreachable", code: "EHOSTUNREACH" })
  })
})

describe("argument misuse is a TypeError, thrown at once", () => {
  it("an address that is not a string, on bind, unbind, connect and disconnect", async () => {
    await using socket = new Dealer()
    for (const call of [() => socket.bind(123 as never), () => socket.bind(undefined as never), () => socket.unbind(1 as never), () => socket.connect(5 as never), () => socket.disconnect(null as never)]) {
      const { threw } = await outcome(call)
      expect(threw).toBeInstanceOf(TypeError)
      expect((threw as Error).message).toBe("Address must be a string")
    }
  })

  it("too many arguments", async () => {
    await using socket = new Dealer()
    expect((await outcome(() => (socket.bind as (...args: unknown[]) => unknown)("tcp://127.0.0.1:*", 1))).threw).toEqual(new TypeError("Expected 1 argument but received 2"))
    expect((await outcome(() => (socket.receive as (...args: unknown[]) => unknown)(1))).threw).toEqual(new TypeError("Expected 0 arguments but received 1"))
    // send() rejects for this one, as zeromq.js's does.
    expect((await outcome(() => (socket.send as (...args: unknown[]) => unknown)("x", 1))).rejected).toEqual(new TypeError("Expected 1 argument but received 2"))
  })

  it("send() with no message, or a value that has no text", async () => {
    await using socket = new Push()
    expect((await outcome(() => (socket.send as () => unknown)())).threw).toEqual(new TypeError("Message must be present"))
    expect((await outcome(() => socket.send(Symbol("x") as never))).threw).toBeInstanceOf(TypeError)
  })
})

describe("a closed socket", () => {
  it("fails bind, unbind, connect, disconnect, send and receive at once with Socket is closed (EBADF)", async () => {
    const socket = new Dealer()
    socket.close()
    for (const call of [
      () => socket.bind("tcp://127.0.0.1:*"),
      () => socket.unbind("tcp://127.0.0.1:5555"),
      () => socket.connect("tcp://127.0.0.1:5555"),
      () => socket.disconnect("tcp://127.0.0.1:5555"),
      () => socket.send("x"),
      () => socket.receive(),
    ]) {
      expect((await outcome(call)).threw).toMatchObject({ message: "Socket is closed", code: "EBADF", errno: 9 })
    }
    socket.close() // again: nothing happens
  })

  it("rejects the calls that were waiting when it closed with EAGAIN, and ends for await", async () => {
    const socket = new Dealer()
    const receiving = socket.receive()
    const sending = socket.send("nobody")
    const iterating = (async () => {
      for await (const message of socket) void message
      return "ended"
    })()
    await new Promise((resolve) => setImmediate(resolve))
    socket.close()
    await expect(receiving).rejects.toMatchObject({ code: "EAGAIN" })
    await expect(sending).rejects.toMatchObject({ code: "EAGAIN" })
    expect(await iterating).toBe("ended")
  })
})

describe("while a bind or unbind settles", () => {
  for (const transport of TRANSPORTS) {
    it(`over ${transport.name}: every other call fails with EBUSY "Socket is blocked by a bind or unbind operation"`, async () => {
      await using socket = new Dealer()
      const binding = socket.bind(transport.bindAddress())
      // Called in the same turn as the bind (an inproc bind settles within microtasks).
      const thrown = [() => socket.bind(transport.bindAddress()), () => socket.unbind("tcp://127.0.0.1:1"), () => socket.connect("tcp://127.0.0.1:1"), () => socket.send("x"), () => socket.receive()].map(throwsAtOnce)
      for (const error of thrown) expect(error).toMatchObject({ message: "Socket is blocked by a bind or unbind operation", code: "EBUSY", errno: 16 })
      await binding
      const unbinding = socket.unbind(socket.lastEndpoint!)
      expect(throwsAtOnce(() => socket.unbind(socket.lastEndpoint!))).toMatchObject({ code: "EBUSY" })
      await unbinding
    })

    it(`over ${transport.name}: close() during a bind closes once it has settled; the bind resolves`, async () => {
      const socket = new Dealer()
      const binding = socket.bind(transport.bindAddress())
      socket.close()
      expect(socket.closed).toBe(false)
      await binding
      expect(socket.closed).toBe(true)
    })
  }
})

describe("unbind takes the endpoint as bound", () => {
  it("lastEndpoint (wildcards resolved) unbinds; the wildcard form does not", async () => {
    await using socket = new Pull()
    await socket.bind("tcp://127.0.0.1:*")
    const bound = socket.lastEndpoint!
    expect((await outcome(() => socket.unbind("tcp://127.0.0.1:*"))).rejected).toMatchObject({ code: "ENOENT" })
    await socket.unbind(bound)
    // The port is free again.
    await using again = new Pull()
    await again.bind(bound)
  })

  it("a socket can bind the same wildcard endpoint twice, getting two ports", async () => {
    await using socket = new Pull()
    await socket.bind("tcp://127.0.0.1:*")
    const first = socket.lastEndpoint
    await socket.bind("tcp://127.0.0.1:*")
    expect(socket.lastEndpoint).not.toBe(first)
    await socket.unbind(first!)
    await socket.unbind(socket.lastEndpoint!)
  })

  it("connecting twice to one address is allowed (two connections, as libzmq); disconnect ends both", async () => {
    await using pull = new Pull()
    await pull.bind("tcp://127.0.0.1:*")
    await using push = new Push()
    push.connect(pull.lastEndpoint!)
    push.connect(pull.lastEndpoint!)
    push.disconnect(pull.lastEndpoint!)
    expect((await outcome(() => push.disconnect(pull.lastEndpoint!))).threw).toMatchObject({ code: "ENOENT" })
  })
})

describe("loops of awaited calls let the event loop turn (zeromq.js's 512 per turn)", () => {
  /** How many turns of the event loop (setImmediate's check phase) ran while `loop` ran. */
  async function turnsDuring(loop: () => Promise<void>): Promise<number> {
    let turns = 0
    let counting = true
    const tick = (): void => {
      turns++
      if (counting) setImmediate(tick)
    }
    setImmediate(tick)
    await new Promise(setImmediate)
    turns = 0
    await loop()
    counting = false
    return turns
  }

  it("2500 sends, then 2500 receives, over inproc: the event loop turns at least 4 times during each", async () => {
    await using a = new Pair({ sendHighWaterMark: 5000 })
    await using b = new Pair({ receiveHighWaterMark: 5000 })
    await b.bind("inproc://starve")
    a.connect("inproc://starve")
    const sendTurns = await turnsDuring(async () => {
      for (let i = 0; i < 2500; i++) await a.send("x")
    })
    const receiveTurns = await turnsDuring(async () => {
      for (let i = 0; i < 2500; i++) await b.receive()
    })
    // 2500 calls at 512 a turn: the loop gives way after the 512th, 1024th, 1536th and 2048th.
    expect(sendTurns).toBeGreaterThanOrEqual(4)
    expect(receiveTurns).toBeGreaterThanOrEqual(4)
  })

  it("a 50 ms loop of awaited sends that never wait (PUB, no subscriber) lets a setInterval run", async () => {
    await using pub = new Publisher()
    await pub.bind("inproc://starve-timer")
    let ticks = 0
    const interval = setInterval(() => ticks++, 0)
    const start = performance.now()
    while (performance.now() - start < 50) await pub.send("x")
    clearInterval(interval)
    // A loop that never gave way would see none; a 1 ms interval has ~50 chances.
    expect(ticks).toBeGreaterThanOrEqual(5)
  })
})

describe("bind addresses as libzmq takes them", () => {
  it("ipc://* binds a fresh path, reported by lastEndpoint, which peers connect to", async () => {
    await using pull = new Pull()
    await pull.bind("ipc://*")
    const bound = pull.lastEndpoint!
    expect(bound).toMatch(/^ipc:\/\/.+\/socket$/)
    await using push = new Push()
    push.connect(bound)
    await push.send("through a wildcard path")
    expect(String((await pull.receive())[0])).toBe("through a wildcard path")
  })

  it("tcp://lo:port binds to the interface's address", async () => {
    await using pull = new Pull()
    await pull.bind("tcp://lo:*")
    expect(pull.lastEndpoint).toMatch(/^tcp:\/\/127\.0\.0\.1:\d+$/)
  })

  it("an address that does not resolve, or IPv6 without the ipv6 option: No such device (ENODEV)", async () => {
    await using pull = new Pull()
    for (const address of ["tcp://nonexistent.invalid:47998", "tcp://[::1]:47997"]) {
      expect((await outcome(() => pull.bind(address))).rejected).toMatchObject({ message: "No such device", code: "ENODEV", address })
    }
  })
})

describe("ROUTER with mandatory, as zeromq.js (it waits until some peer has room, then sends)", () => {
  it("with no peer, a send waits; once a peer is there, an unknown routing id fails EHOSTUNREACH", async () => {
    await using router = new Router({ mandatory: true })
    await router.bind("tcp://127.0.0.1:*")
    const sending = router.send(["nobody", "x"])
    const early = await Promise.race([sending.then(() => "settled", () => "settled"), new Promise((resolve) => setTimeout(() => resolve("waiting"), 200))])
    expect(early).toBe("waiting")
    await using dealer = new Dealer({ routingId: "somebody" })
    dealer.connect(router.lastEndpoint!)
    await expect(sending).rejects.toMatchObject({ code: "EHOSTUNREACH", message: "Host unreachable" })
    // The known peer is reachable.
    await router.send(["somebody", "hello"])
    expect(String((await dealer.receive())[0])).toBe("hello")
  })

  it("a routing id with nothing after it is dropped, even with mandatory and sendTimeout 0", async () => {
    await using router = new Router({ mandatory: true, sendTimeout: 0 })
    await router.bind("tcp://127.0.0.1:*")
    await expect(router.send(["nobody"])).resolves.toBeUndefined()
  })
})

describe("connect addresses as libzmq takes them", () => {
  it("a source address with port * lets the OS pick the local port", async () => {
    await using pull = new Pull()
    await pull.bind("tcp://127.0.0.1:*")
    const port = pull.lastEndpoint!.split(":").pop()
    await using push = new Push()
    push.connect(`tcp://127.0.0.1:*;127.0.0.1:${port}`)
    await push.send("from any local port")
    expect(String((await pull.receive())[0])).toBe("from any local port")
  })
})
