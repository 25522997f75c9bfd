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
import { setTimeout as delay } from "node:timers/promises"
import { afterEach, describe, expect, it } from "vitest"
import { ZmqError } from "../../src/index.js"
import * as zmq from "../../src/v5-compat.js"
import { ipcPath, TRANSPORTS } from "../helpers/transports.js"

const sockets: zmq.Socket[] = []
function open(type: zmq.SocketType, options?: zmq.CreateSocketOptions): zmq.Socket {
  const sock = zmq.socket(type, options)
  sockets.push(sock)
  return sock
}
afterEach(() => {
  for (const sock of sockets.splice(0)) sock.close()
})

/** Fixed tcp ports of this file (the compat tests' range is 47000–47499), for binds that must know theirs. */
const PORT_BIND_SYNC = 47230
const PORT_BIND_SYNC_TAKEN = 47231
const PORT_UNBIND_SYNC = 47232
const PORT_SECOND_ENDPOINT = 47233

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
    expect(((thrown as Error).cause as Error).message).toContain("tcp://nonsense")
    expect(() => sock.connect("foo://bar")).toThrow("Protocol not supported")
  })

  it("disconnecting from an endpoint the socket is not connected to throws \"No such endpoint\"", () => {
    expect(() => open("push").disconnect("tcp://127.0.0.1:1")).toThrow("No such endpoint")
  })

  it("a closed socket fails bind through the callback, and connect and the Sync calls by throwing, \"Socket is closed\"", async () => {
    const sock = open("push")
    sock.close()
    expect((await bindResult(sock, inproc()))?.message).toBe("Socket is closed")
    expect(() => sock.connect(inproc())).toThrow("Socket is closed")
    expect(() => sock.bindSync(inproc())).toThrow("Socket is closed")
    expect(() => sock.unbindSync(inproc())).toThrow("Socket is closed")
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
