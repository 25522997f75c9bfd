/**
 * `monitor()` and `unmonitor()` of the v5 compatibility API: v5's event names and `(value, address, error)`
 * arguments over tcp (ipc's events are tcp's, from the same stream listener and connecter; inproc raises none).
 *
 *   req ──connect──▶ rep        rep: listen, accept, disconnect (req closed), close (unbind)
 *                               req: connect; connect_delay / connect_retry while nothing listens
 *   rep ─bind same address─▶ ✗  bind_error with errno 98 and the Error
 */
import { setTimeout as delay } from "node:timers/promises"
import { describe, expect, it } from "vitest"
import * as zmq from "../../src/v5-compat.js"
import { socketsClosedAfterEach, bound } from "../helpers/v5-sockets.js"
// Ports known before anything binds them (a fixed port would collide with ephemeral ones): free a moment ago.
import { freePorts } from "../helpers/transports.js"
const [PORT_NOBODY] = await freePorts(1)

const open = socketsClosedAfterEach()

/** Nothing listens here while the connect_retry test runs (the compat tests' port range is 47000–47499). */

let names = 0
const inproc = (): string => `inproc://v5-monitor-${process.pid}-${++names}`

/** The arguments of the next `event` the socket emits. */
function next(sock: zmq.Socket, event: zmq.MonitorEventName, timeoutMs = 5000): Promise<zmq.MonitorEventArguments> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "${event}" event within ${timeoutMs} ms`)), timeoutMs)
    sock.once(event, (...args) => {
      clearTimeout(timer)
      resolve(args)
    })
  })
}

describe("v5-compat monitor over tcp", () => {
  it("emits listen, accept and disconnect on the binding side, with the endpoint and no value", async () => {
    const rep = open("rep")
    expect(rep.monitor()).toBe(rep)
    const listen = next(rep, "listen")
    const address = await bound(rep, "tcp://127.0.0.1:*")
    expect(await listen).toEqual([undefined, address, undefined])
    const accept = next(rep, "accept")
    const req = open("req")
    req.connect(address)
    expect(await accept).toEqual([undefined, address, undefined])
    const disconnect = next(rep, "disconnect")
    req.close()
    expect(await disconnect).toEqual([undefined, address, undefined])
  })

  it("emits connect on the connecting side", async () => {
    const rep = open("rep")
    const address = await bound(rep, "tcp://127.0.0.1:*")
    const req = open("req").monitor()
    const connect = next(req, "connect")
    req.connect(address)
    expect(await connect).toEqual([undefined, address, undefined])
  })

  it("emits connect_delay and connect_retry, with the interval as value, while nothing listens", async () => {
    const address = `tcp://127.0.0.1:${PORT_NOBODY}`
    const req = open("req", { reconnect_ivl: 20 }).monitor()
    const delayed = next(req, "connect_delay")
    const retry = next(req, "connect_retry")
    req.connect(address)
    expect(await delayed).toEqual([undefined, address, undefined])
    // libzmq 4.3.5 (no reconnect_ivl_max): the interval plus a random jitter below it, as zeromq.js reports.
    const [interval, ...rest] = await retry
    expect(rest).toEqual([address, undefined])
    expect(interval).toBeGreaterThanOrEqual(20)
    expect(interval).toBeLessThan(40)
  })

  it("emits bind_error with errno and the Error, besides calling back with it", async () => {
    const first = open("rep")
    const address = await bound(first, "tcp://127.0.0.1:*")
    const second = open("rep").monitor()
    const bindError = next(second, "bind_error")
    const callback = new Promise<Error | undefined>((resolve) => second.bind(address, resolve))
    const [errno, at, error] = await bindError
    expect(errno).toBe(98)
    expect(at).toBe(address.slice("tcp://".length)) // libzmq's bind_failed address has no scheme
    expect(error).toBeInstanceOf(Error)
    expect(error?.message).toBe("Address already in use")
    expect((await callback)?.message).toBe("Address already in use")
  })

  it("emits close when an endpoint is unbound", async () => {
    const pull = open("pull").monitor()
    const address = await bound(pull, "tcp://127.0.0.1:*")
    const closed = next(pull, "close")
    pull.unbind(address)
    expect(await closed).toEqual([undefined, address, undefined])
  })

  it("warns that v5's interval and batch size are ignored, and only when they are given", async () => {
    const warnings: string[] = []
    const onWarning = (warning: Error): void => {
      warnings.push(warning.message)
    }
    process.on("warning", onWarning)
    try {
      open("pull").monitor()
      await delay(10)
      expect(warnings).toEqual([])
      open("pull").monitor(10, 0)
      await delay(10)
      expect(warnings).toEqual(["Arguments to monitor() are ignored in compatibility mode; all events are read automatically"])
    } finally {
      process.off("warning", onWarning)
    }
  })
})

describe("v5-compat monitor over inproc", () => {
  it("emits nothing: libzmq raises no monitor events for inproc (zeromq.js neither)", async () => {
    const pull = open("pull").monitor()
    const push = open("push").monitor()
    const seen: string[] = []
    for (const sock of [pull, push]) {
      for (const name of Object.values(zmq.events)) sock.on(name, () => seen.push(name))
    }
    const address = await bound(pull, inproc())
    push.connect(address)
    push.send("x")
    await new Promise((resolve) => pull.once("message", resolve))
    await delay(10)
    expect(seen).toEqual([])
  })
})

describe("v5-compat monitor, events delivered", () => {
  it("after connect() returns, never inside it", async () => {
    const pull = open("pull").monitor()
    const address = await bound(pull, "tcp://127.0.0.1:*")
    const push = open("push").monitor()
    const seen: string[] = []
    push.on("connect_delay", (_value, at) => seen.push(`connect_delay ${at}`))
    const accepted = next(pull, "accept")
    const connected = next(push, "connect")
    push.connect(address)
    expect(seen).toEqual([])
    await Promise.all([accepted, connected])
    expect(seen).toEqual([`connect_delay ${address}`])
  })

  it("stops after unmonitor(), and monitoring twice does not double the events", async () => {
    const pull = open("pull").monitor().monitor()
    const address = await bound(pull, "tcp://127.0.0.1:*")
    let accepts = 0
    pull.on("accept", () => accepts++)
    const first = next(pull, "accept")
    open("push").connect(address)
    await first
    await delay(10)
    expect(accepts).toBe(1)
    expect(pull.unmonitor()).toBe(pull)
    open("push").connect(address)
    await delay(100)
    expect(accepts).toBe(1)
    pull.monitor()
    const third = next(pull, "accept")
    open("push").connect(address)
    await third
    await delay(10)
    expect(accepts).toBe(2)
  })
})
