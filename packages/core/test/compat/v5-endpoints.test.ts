/**
 * Endpoints through the v5 compatibility API over tcp, ipc and inproc: `bind(address, callback)` with its
 * `"bind"` event, `bindSync`, `unbind`/`unbindSync` with `"unbind"`, `connect` and `disconnect`, and the
 * errors each reports, in zeromq.js's words.
 *
 *   push A ──▶ address 1 ┐
 *                        ├─ pull          unbinding address 1 cuts push A off; push B still gets through
 *   push B ──▶ address 2 ┘
 */
import { Buffer } from "node:buffer"
import { createServer } from "node:net"
import { setTimeout as delay } from "node:timers/promises"
import { describe, expect, it } from "vitest"
import { Pull, Push, ZmqError } from "../../src/index.js"
import * as zmq from "../../src/v5-compat.js"
import { socketsClosedAfterEach } from "../helpers/v5-sockets.js"
import { freePorts, ipcPath, TRANSPORTS } from "../helpers/transports.js"
// Ports known before anything binds them, from the project's test range (test-support/ports.ts).
const [PORT_BIND_SYNC, PORT_BIND_SYNC_TAKEN, PORT_UNBIND_SYNC, PORT_SECOND_ENDPOINT, PORT_BIND_SYNC_QUEUE, PORT_BIND_SYNC_SEND, PORT_BIND_SYNC_IN_USE, PORT_BIND_SYNC_CLOSE, PORT_NOBODY, PORT_SOURCE, PORT_EXPECTED_LOOPBACK, PORT_EXPECTED_ANY, PORT_EXPECTED_ZEROS, PORT_EXPECTED_ANY6] = await freePorts(14)

const open = socketsClosedAfterEach()

/** Whether this machine can listen on IPv6's any address (CI containers may have no IPv6). */
async function canListen(host: string): Promise<boolean> {
  const server = createServer()
  return new Promise((resolve) => {
    server.once("error", () => resolve(false))
    server.listen({ host, port: 0 }, () => server.close(() => resolve(true)))
  })
}
const IPV6_ANY = await canListen("::")

let names = 0
const inproc = (): string => `inproc://v5-endpoints-${process.pid}-${++names}`

/** The result of `bind` or `unbind`: what its callback got. */
function bindResult(sock: zmq.Socket, address: string): Promise<Error | undefined> {
  return new Promise((resolve) => sock.bind(address, resolve))
}
function unbindResult(sock: zmq.Socket, address: string): Promise<Error | undefined> {
  return new Promise((resolve) => sock.unbind(address, resolve))
}

async function bound(sock: zmq.Socket, address: string): Promise<string> {
  const error = await bindResult(sock, address)
  if (error !== undefined) throw error
  return sock.last_endpoint!
}

function nextEvent<T extends unknown[]>(sock: zmq.Socket, event: "bind" | "unbind" | "error", timeoutMs = 5000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "${event}" event within ${timeoutMs} ms`)), timeoutMs)
    sock.once(event, (...args: unknown[]) => {
      clearTimeout(timer)
      resolve(args as T)
    })
  })
}

/** Every message `sock` emits from now on, as text. */
function record(sock: zmq.Socket): string[] {
  const seen: string[] = []
  sock.on("message", (frame: Buffer) => seen.push(frame.toString()))
  return seen
}

async function until(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`${what} within ${timeoutMs} ms`)
    await delay(5)
  }
}

for (const transport of TRANSPORTS) {
  describe(`v5-compat endpoints over ${transport.name}`, () => {
    it("bind: emits \"bind\" with the address as given, then calls back", async () => {
      const pull = open("pull")
      const order: string[] = []
      const address = transport.bindAddress()
      const event = nextEvent<[string]>(pull, "bind")
      pull.on("bind", () => order.push("event"))
      const result = await new Promise<Error | undefined>((resolve) => {
        expect(pull.bind(address, (error) => {
          order.push("callback")
          resolve(error)
        })).toBe(pull)
      })
      expect(result).toBeUndefined()
      expect(await event).toEqual([address])
      expect(order).toEqual(["event", "callback"])
    })

    it("unbind: emits \"unbind\", calls back, and cuts off the peers of that endpoint only", async () => {
      const pull = open("pull")
      const first = await bound(pull, transport.bindAddress())
      // Our v6 bind refuses a second `tcp://127.0.0.1:*` on one socket (it keys bindings by the address as
      // written), so the second tcp endpoint names its port.
      const second = await bound(pull, transport.name === "tcp" ? `tcp://127.0.0.1:${PORT_SECOND_ENDPOINT}` : transport.bindAddress())
      const pushA = open("push", { linger: 0 })
      const pushB = open("push", { linger: 0 })
      pushA.connect(first)
      pushB.connect(second)
      const seen = record(pull)
      pushA.send("a1")
      pushB.send("b1")
      await until(() => seen.includes("a1") && seen.includes("b1"), "both peers were heard")
      const event = nextEvent<[string]>(pull, "unbind")
      expect(await unbindResult(pull, first)).toBeUndefined()
      expect(await event).toEqual([first])
      seen.length = 0
      pushA.send("a2")
      pushB.send("b2")
      await until(() => seen.includes("b2"), "push B was heard after the unbind")
      await delay(50)
      expect(seen).toEqual(["b2"])
    })

    it("unbind of an endpoint that is not bound fails with \"No such endpoint\"", async () => {
      const pull = open("pull")
      const error = await unbindResult(pull, transport.bindAddress().replace("*", "1"))
      expect(error?.message).toBe("No such endpoint")
      expect((error as ZmqError).code).toBe("ENOENT")
    })

    it("connect and disconnect return the socket; after disconnect, messages go to the other peer", async () => {
      const pullA = open("pull")
      const pullB = open("pull")
      const addressA = await bound(pullA, transport.bindAddress())
      const addressB = await bound(pullB, transport.bindAddress())
      const push = open("push", { linger: 0 })
      expect(push.connect(addressA)).toBe(push)
      push.connect(addressB)
      const atA = record(pullA)
      const atB = record(pullB)
      for (let i = 0; i < 4; i++) push.send(`round ${i}`)
      await until(() => atA.length + atB.length === 4, "4 messages arrived")
      expect(atA.length).toBeGreaterThan(0)
      expect(atB.length).toBeGreaterThan(0)
      expect(push.disconnect(addressB)).toBe(push)
      atA.length = 0
      atB.length = 0
      for (let i = 0; i < 4; i++) push.send(`after ${i}`)
      await until(() => atA.length === 4, "4 messages arrived at A")
      await delay(20)
      expect(atA).toEqual(["after 0", "after 1", "after 2", "after 3"])
      expect(atB).toEqual([])
    })

    it("bindSync: peers can connect and send right away", async () => {
      const address =
        transport.name === "tcp" ? `tcp://127.0.0.1:${PORT_BIND_SYNC}` : transport.name === "ipc" ? `ipc://${ipcPath()}` : inproc()
      const pull = open("pull")
      const push = open("push")
      expect(pull.bindSync(address)).toBe(pull)
      push.connect(address)
      push.send("string").send(15.99).send(Buffer.from("buffer"))
      const seen = record(pull)
      await until(() => seen.length === 3, "3 messages arrived")
      expect(seen).toEqual(["string", "15.99", "buffer"])
      expect(pull.last_endpoint).toBe(address)
    })
  })
}

describe("v5-compat endpoint errors", () => {
  it.each([
    ["tcp", async () => `tcp://127.0.0.1:${PORT_BIND_SYNC_TAKEN}`],
    ["inproc", async () => inproc()],
  ])("a second bind to a %s address fails with \"Address already in use\", to the callback or as \"error\"", async (_name, address) => {
    const endpoint = await address()
    await bound(open("pull"), endpoint)
    const error = await bindResult(open("pull"), endpoint)
    expect(error?.message).toBe("Address already in use")
    expect((error as ZmqError).code).toBe("EADDRINUSE")
    expect((error as ZmqError).errno).toBe(98)
    expect((error as ZmqError).address).toBe(endpoint)
    const other = open("pull")
    const failure = nextEvent<[Error]>(other, "error")
    other.bind(endpoint)
    expect((await failure)[0].message).toBe("Address already in use")
    const third = open("pull")
    const syncFailure = nextEvent<[Error]>(third, "error")
    third.bindSync(endpoint)
    expect((await syncFailure)[0].message).toBe("Address already in use")
  })

  it("a bind to a protocol zmq-ts has no transport for fails with \"Protocol not supported\"", async () => {
    const error = await bindResult(open("pull"), "pgm://eth0;239.192.1.1:5555")
    expect(error?.message).toBe("Protocol not supported")
    expect((error as ZmqError).code).toBe("EPROTONOSUPPORT")
  })

  it("a malformed address fails with \"Invalid argument\": bind through its callback, connect by throwing", async () => {
    const sock = open("push")
    expect((await bindResult(sock, "tcp://nonsense"))?.message).toBe("Invalid argument")
    let thrown: unknown
    try {
      sock.connect("tcp://nonsense")
    } catch (error) {
      thrown = error
    }
    expect((thrown as Error).message).toBe("Invalid argument")
    expect((thrown as ZmqError).code).toBe("EINVAL")
    expect((thrown as ZmqError).address).toBe("tcp://nonsense")
    expect((thrown as ZmqError).details).toContain("tcp://nonsense")
    expect(() => sock.connect("foo://bar")).toThrow("Protocol not supported")
  })

  it("disconnecting from an endpoint the socket is not connected to throws \"No such endpoint\"", () => {
    expect(() => open("push").disconnect("tcp://127.0.0.1:1")).toThrow("No such endpoint")
  })

  it("a closed socket fails every endpoint call by throwing \"Socket is closed\" (EBADF), as zeromq.js", () => {
    const sock = open("push")
    sock.close()
    let called = false
    const calls = [
      () => sock.bind(inproc(), () => (called = true)),
      () => sock.unbind(inproc(), () => (called = true)),
      () => sock.bindSync(inproc()),
      () => sock.unbindSync(inproc()),
      () => sock.connect(inproc()),
      () => sock.disconnect(inproc()),
    ]
    for (const call of calls) {
      let error: unknown
      try {
        call()
      } catch (thrown) {
        error = thrown
      }
      expect((error as Error | undefined)?.message).toBe("Socket is closed")
      expect((error as ZmqError).code).toBe("EBADF")
    }
    expect(called).toBe(false)
  })

  it("a non-string address is zeromq.js's TypeError, thrown by every endpoint call", () => {
    const sock = open("push")
    const bad = 12 as unknown as string
    for (const call of [() => sock.bind(bad), () => sock.unbind(bad), () => sock.bindSync(bad), () => sock.unbindSync(bad), () => sock.connect(bad), () => sock.disconnect(bad)]) {
      expect(call).toThrow(new TypeError("Address must be a string"))
    }
  })

  it("unbindSync right after bindSync waits for the bind and releases the address", async () => {
    const address = `tcp://127.0.0.1:${PORT_UNBIND_SYNC}`
    const first = open("pull")
    let errors = 0
    first.on("error", () => errors++)
    expect(first.bindSync(address).unbindSync(address)).toBe(first)
    await delay(20)
    await bound(open("pull"), address) // fails with EADDRINUSE unless the first socket let go
    expect(errors).toBe(0)
  })
})

/** Whatever `action` throws at once: its code (or class name), or "ok". */
function syncOutcome(action: () => unknown): string {
  try {
    action()
    return "ok"
  } catch (error) {
    return ZmqError.isInstance(error) ? error.code : (error as Error).constructor.name
  }
}

describe("v5-compat bindSync and unbindSync", () => {
  it("throw at once for an address libzmq refuses before binding, with zeromq.js's error", () => {
    const sock = open("pull")
    const error = (() => {
      try {
        sock.bindSync("foo")
      } catch (thrown) {
        return thrown as ZmqError
      }
      throw new Error("bindSync(\"foo\") did not throw")
    })()
    expect(error.message).toBe("Invalid argument")
    expect([error.code, error.errno, error.address]).toEqual(["EINVAL", 22, "foo"])
    expect(() => sock.bindSync("pgm://eth0;239.192.1.1:5555")).toThrow("Protocol not supported")
    expect(() => sock.bindSync("tcp://127.0.0.1")).toThrow("Invalid argument")
    expect(() => sock.unbindSync("tcp://nonsense")).toThrow("Invalid argument")
    expect(() => sock.unbindSync("foo://bar")).toThrow("Protocol not supported")
    // Nothing was started: the socket is free for the next call, which throws what it throws at once.
    expect(() => sock.connect("tcp://127.0.0.1:*")).toThrow("Invalid argument")
  })

  it("check addresses at once exactly as the core refuses them when binding", async () => {
    const addresses = [
      "foo",
      "tcp:/127.0.0.1:1",
      "TCP://127.0.0.1:*",
      " tcp://127.0.0.1:*",
      "tcp://",
      "tcp://127.0.0.1",
      "tcp://127.0.0.1:",
      "tcp://:*",
      "tcp://127.0.0.1:port",
      "tcp://127.0.0.1:99999",
      "tcp://127.0.0.1:-1",
      "tcp://127.0.0.1:1;127.0.0.1:*",
      "tcp://127.0.0.1:*",
      "tcp://127.0.0.1:0",
      "tcp://[127.0.0.1]:*",
      "ipc://",
      `ipc://${ipcPath()}`,
      "inproc://",
      inproc(),
      "pgm://eth0;239.192.1.1:5555",
      "udp://127.0.0.1:1",
      "nope://x",
    ]
    for (const address of addresses) {
      const v6 = new Pull({ linger: 0 })
      const core = await v6.bind(address).then(
        () => "ok",
        (error: unknown) => (error as ZmqError).code,
      )
      v6.close()
      const sock = open("pull")
      expect(`${address}: ${syncOutcome(() => sock.bindSync(address))}`).toBe(`${address}: ${core}`)
    }
  })

  it("during a bind, connect and disconnect check the address at once exactly as the core's connect does", () => {
    const addresses = [
      "foo",
      "tcp://127.0.0.1:*",
      "tcp://127.0.0.1:0",
      `tcp://*:${PORT_NOBODY}`,
      "tcp://127.0.0.1",
      `tcp://[::1]:${PORT_NOBODY}`,
      `tcp://127.0.0.1:${PORT_SOURCE};127.0.0.1:${PORT_NOBODY}`,
      `tcp://127.0.0.1:${PORT_NOBODY}`,
      `tcp://localhost:${PORT_NOBODY}`,
      "ipc://",
      "ipc://*",
      `ipc://${ipcPath()}`,
      "inproc://",
      inproc(),
      "pgm://eth0;239.192.1.1:5555",
    ]
    for (const address of addresses) {
      const v6 = new Push({ linger: 0 })
      const core = syncOutcome(() => v6.connect(address))
      v6.close()
      const sock = open("push", { linger: 0 })
      sock.on("error", () => {})
      sock.bindSync(inproc()) // the v6 socket is busy until it settles: connect has to check for itself
      expect(`${address}: ${syncOutcome(() => sock.connect(address))}`).toBe(`${address}: ${core}`)
    }
  })

  it("every call that follows waits for the bind instead of failing with EBUSY, in order", async () => {
    const addressA = `tcp://127.0.0.1:${PORT_BIND_SYNC_QUEUE}`
    const addressB = `ipc://${ipcPath()}`
    const pull = open("pull")
    let errors = 0
    pull.on("error", () => errors++)
    const seen = record(pull)
    // zeromq.js's compat tests bind twice in a row; each call would meet the first bind in progress.
    expect(pull.bindSync(addressA).bindSync(addressB)).toBe(pull)
    pull.connect(inproc())
    const pushA = open("push", { linger: 0 })
    const pushB = open("push", { linger: 0 })
    pushA.connect(addressA)
    pushB.connect(addressB)
    pushA.send("a")
    pushB.send("b")
    await until(() => seen.length === 2, "both peers were heard")
    expect([...seen].sort()).toEqual(["a", "b"])
    expect(pull.last_endpoint).toBe(addressB)
    expect(errors).toBe(0)
  })

  it("a socket that binds with bindSync takes the messages already waiting once the bind has settled", async () => {
    const name = inproc()
    const pull = open("pull")
    await bound(pull, name)
    const push = open("push")
    push.connect(name)
    push.send("waiting")
    await until(() => (pull._ioevents & zmq.ZMQ_POLLIN) !== 0, "the message reached the PULL")
    let errors = 0
    pull.on("error", () => errors++)
    const seen = record(pull) // the receive loop starts now, and finds the v6 socket busy binding
    pull.bindSync("tcp://127.0.0.1:*")
    await until(() => seen.length === 1, "the waiting message was emitted")
    expect(seen).toEqual(["waiting"])
    expect(errors).toBe(0)
  })

  it("a socket that binds with bindSync sends at once; the messages wait for a peer (zeromq.js's test)", async () => {
    const address = `tcp://127.0.0.1:${PORT_BIND_SYNC_SEND}`
    const push = open("push")
    push.setsockopt(zmq.ZMQ_SNDHWM, 1)
    push.bindSync(address)
    push.send("string")
    push.send(15.99)
    push.send(Buffer.from("buffer"))
    const pull = open("pull")
    pull.setsockopt(zmq.ZMQ_RCVHWM, 1)
    const seen = record(pull)
    pull.connect(address)
    await until(() => seen.length === 3, "3 messages arrived")
    expect(seen).toEqual(["string", "15.99", "buffer"])
  })

  const knownEndpoints: Array<[name: string, address: () => string, ipv6: boolean]> = [
    ["an inproc name", () => inproc(), false],
    ["an ipc path", () => `ipc://${ipcPath()}`, false],
    ["a tcp IPv4 address and port", () => `tcp://127.0.0.1:${PORT_EXPECTED_LOOPBACK}`, false],
    ["a tcp port on all interfaces", () => `tcp://*:${PORT_EXPECTED_ANY}`, false],
    ["a tcp port on 0.0.0.0", () => `tcp://0.0.0.0:${PORT_EXPECTED_ZEROS}`, false],
    ...(IPV6_ANY ? [["a tcp port on all interfaces, ipv6", () => `tcp://*:${PORT_EXPECTED_ANY6}`, true] as [string, () => string, boolean]] : []),
  ]
  it.each(knownEndpoints)("last_endpoint reads the endpoint right after bindSync of %s, as after zeromq.js's", async (_name, address, ipv6) => {
    const sock = open("pull", { linger: 0 })
    if (ipv6) sock.setsockopt(zmq.ZMQ_IPV6, 1)
    sock.bindSync(address())
    const endpoint = sock.last_endpoint
    expect(endpoint).toMatch(/^(inproc|ipc|tcp):\/\//)
    // The v6 socket knows its bindings by the endpoint as bound: unbinding this one proves it is that.
    expect(await unbindResult(sock, endpoint!)).toBeUndefined()
    expect(sock.last_endpoint).toBe(endpoint)
  })

  it("last_endpoint of a bindSync to a random port is set once the listen has bound it (zeromq.js's is at once)", async () => {
    const sock = open("pull")
    const before = inproc()
    await bound(sock, before)
    sock.bindSync("tcp://127.0.0.1:*")
    expect(sock.last_endpoint).toBe(before)
    await until(() => sock.last_endpoint !== before, "the tcp bind settled")
    expect(sock.last_endpoint).toMatch(/^tcp:\/\/127\.0\.0\.1:\d+$/)
  })

  it("last_endpoint goes back to the endpoint before when a bindSync fails", async () => {
    const name = inproc()
    await bound(open("pull"), name)
    const sock = open("pull")
    sock.on("error", () => {})
    sock.bindSync(name) // in use: the core refuses it once the bind runs
    expect(sock.last_endpoint).toBe(name)
    await until(() => sock.last_endpoint === null, "the failed bind settled")
  })

  it("an inproc name is taken inside bindSync: a peer's connect finds the binder at once", () => {
    const name = inproc()
    const pull = open("pull")
    pull.bindSync(name)
    const push = open("push")
    push.connect(name)
    // The pipe exists already, so the v6 socket behind the PUSH is writable inside this same turn.
    expect(push._ioevents & zmq.ZMQ_POLLOUT).toBe(zmq.ZMQ_POLLOUT)
  })

  it("what only the bind itself can tell comes as an \"error\" event: an address in use", async () => {
    const address = `tcp://127.0.0.1:${PORT_BIND_SYNC_IN_USE}`
    await bound(open("pull"), address)
    const second = open("pull")
    const failure = nextEvent<[Error]>(second, "error")
    expect(() => second.bindSync(address)).not.toThrow()
    const [error] = await failure
    expect(error.message).toBe("Address already in use")
    expect((error as ZmqError).code).toBe("EADDRINUSE")
    // The failed bind leaves the socket usable.
    expect(await bound(second, "tcp://127.0.0.1:*")).toMatch(/^tcp:/)
  })

  it("unbindSync of an endpoint that is not bound emits \"No such endpoint\"; a disconnect that waited for a bind too", async () => {
    const sock = open("pull")
    const first = nextEvent<[Error]>(sock, "error")
    sock.unbindSync("tcp://127.0.0.1:1")
    expect((await first)[0].message).toBe("No such endpoint")
    const second = nextEvent<[Error]>(sock, "error")
    sock.bindSync(inproc())
    sock.disconnect("tcp://127.0.0.1:1")
    const [error] = await second
    expect(error.message).toBe("No such endpoint")
    expect((error as ZmqError).code).toBe("ENOENT")
  })

  it("close() right after bindSync: closed at once, waiting calls dropped, the address released once the bind settles", async () => {
    const address = `tcp://127.0.0.1:${PORT_BIND_SYNC_CLOSE}`
    const sock = open("pull")
    let errors = 0
    sock.on("error", () => errors++)
    sock.bindSync(address)
    let callback: Error | undefined | "not called" = "not called"
    sock.bind(inproc(), (error) => (callback = error))
    sock.close()
    expect(sock.closed).toBe(true)
    expect(() => sock.connect(inproc())).toThrow("Socket is closed")
    await until(() => callback !== "not called", "the waiting bind was called back")
    expect((callback as unknown as Error).message).toBe("Socket is closed")
    // The port is free again once the first bind has settled and the v6 socket has closed.
    const deadline = Date.now() + 5000
    for (;;) {
      const error = await bindResult(open("pull"), address)
      if (error === undefined) break
      if (Date.now() > deadline) throw error
      await delay(10)
    }
    expect(errors).toBe(0)
  })

  it("a bind(address, callback) in progress makes later calls wait too, instead of zeromq.js's EBUSY", async () => {
    const pull = open("pull")
    const first = bindResult(pull, "tcp://127.0.0.1:*")
    const name = inproc()
    const second = bindResult(pull, name)
    expect(() => pull.connect(inproc())).not.toThrow()
    expect(await first).toBeUndefined()
    expect(await second).toBeUndefined()
    expect(pull.last_endpoint).toBe(name)
  })
})
