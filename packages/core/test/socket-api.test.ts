/**
 * The socket API that every pattern shares: options, endpoints and their errors, addresses, contexts and
 * process exit.
 *
 *   new Push({ …options })  ── bind/connect(endpoint) ──▶  tcp://127.0.0.1:*   tcp://*:port   tcp://[::1]:*
 *        │   options as properties                         tcp://localhost:port
 *        │   EINVAL / EPROTONOSUPPORT / EADDRINUSE / ENOENT  ipc://path  ipc://relative  ipc://@abstract
 *        ▼                                                 inproc://name
 *   Context.terminate() ──▶ pending calls reject with ETERM
 *
 *   child node process: push/pull over tcp, close both ──▶ exits with code 0 by itself
 */
import { spawn } from "node:child_process"
import { existsSync, lstatSync, renameSync, unlinkSync, writeFileSync } from "node:fs"
import { createServer } from "node:net"
import { tmpdir } from "node:os"
import { join, relative } from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"
import { Context, Dealer, Pair, Pull, Push, Reply, Request, Router, ZmqError } from "../src/index.js"
import type { Socket } from "../src/index.js"
import { freePort, hasIpv6Loopback, ipcPath, settlesWithin, text, until } from "./helpers/transports.js"

/** Sends one message from `a` to `b` and returns it as text. */
async function roundTrip(push: Push, pull: Pull, body = "ping"): Promise<string[]> {
  await push.send(body)
  const receiving = pull.receive()
  if (!(await settlesWithin(receiving, 3000))) throw new Error("no message within 3 s")
  return text(await receiving)
}

function caught(action: () => unknown): unknown {
  try {
    action()
  } catch (error) {
    return error
  }
  throw new Error("expected a throw")
}

const IPV6 = await hasIpv6Loopback()

describe("options", () => {
  it("have libzmq's defaults", async () => {
    await using socket = new Dealer()
    expect({
      linger: socket.linger,
      sendHighWaterMark: socket.sendHighWaterMark,
      receiveHighWaterMark: socket.receiveHighWaterMark,
      sendTimeout: socket.sendTimeout,
      receiveTimeout: socket.receiveTimeout,
      reconnectInterval: socket.reconnectInterval,
      reconnectMaxInterval: socket.reconnectMaxInterval,
      connectTimeout: socket.connectTimeout,
      handshakeInterval: socket.handshakeInterval,
      maxMessageSize: socket.maxMessageSize,
      immediate: socket.immediate,
      ipv6: socket.ipv6,
      routingId: socket.routingId,
      backlog: socket.backlog,
      tcpKeepalive: socket.tcpKeepalive,
      heartbeatInterval: socket.heartbeatInterval,
      probeRouter: socket.probeRouter,
    }).toEqual({
      linger: -1,
      sendHighWaterMark: 1000,
      receiveHighWaterMark: 1000,
      sendTimeout: -1,
      receiveTimeout: -1,
      reconnectInterval: 100,
      reconnectMaxInterval: 0,
      connectTimeout: 0,
      handshakeInterval: 30_000,
      maxMessageSize: -1,
      immediate: false,
      ipv6: false,
      routingId: null,
      backlog: 100,
      tcpKeepalive: -1,
      heartbeatInterval: 0,
      probeRouter: false,
    })
    await using router = new Router()
    expect([router.mandatory, router.handover]).toEqual([false, false])
    await using request = new Request()
    expect([request.relaxed, request.correlate]).toEqual([false, false])
  })

  it("are set through the constructor and read back as properties", async () => {
    await using socket = new Dealer({ linger: 0, sendHighWaterMark: 5, receiveTimeout: 250, routingId: "me", immediate: true })
    expect([socket.linger, socket.sendHighWaterMark, socket.receiveTimeout, socket.routingId, socket.immediate]).toEqual([
      0,
      5,
      250,
      "me",
      true,
    ])
    await using router = new Router({ mandatory: true, handover: true })
    expect([router.mandatory, router.handover]).toEqual([true, true])
  })

  it("are set as properties, and take effect", async () => {
    await using socket = new Dealer()
    expect(socket.receiveTimeout).toBe(-1)
    socket.receiveTimeout = 20
    socket.linger = 1000
    socket.routingId = "again"
    expect([socket.receiveTimeout, socket.linger, socket.routingId]).toEqual([20, 1000, "again"])
    // libzmq has no "no routing id" once one is set: null is EINVAL, as in zeromq.js.
    expect(() => (socket.routingId = null)).toThrow(expect.objectContaining({ code: "EINVAL" }))
    expect(socket.routingId).toBe("again")
    // And they take effect: the receive timeout now applies.
    await expect(socket.receive()).rejects.toMatchObject({ code: "EAGAIN" })
  })

  it("a context with blocky: false gives new sockets linger 0", async () => {
    const context = new Context({ blocky: false })
    try {
      await using socket = new Push({ context })
      expect(socket.linger).toBe(0)
    } finally {
      context.terminate()
    }
  })

  // Values of the wrong JavaScript type are TypeErrors, and 1.5 or NaN are truncated, as in zeromq.js
  // (test/compat/options.test.ts).
  it.each([
    ["sendHighWaterMark", -1],
    ["receiveHighWaterMark", -1],
    ["linger", -2],
    ["reconnectInterval", -2],
    ["routingId", ""],
    ["routingId", "x".repeat(256)],
    ["tcpKeepalive", 2],
  ] as const)("rejects %s = %j with EINVAL, as a property and in the constructor", async (name, value) => {
    await using socket = new Dealer()
    const before = (socket as unknown as Record<string, unknown>)[name]
    const error = caught(() => {
      ;(socket as unknown as Record<string, unknown>)[name] = value
    })
    expect(ZmqError.isInstance(error)).toBe(true)
    expect(error).toMatchObject({ code: "EINVAL" })
    expect((socket as unknown as Record<string, unknown>)[name]).toBe(before) // unchanged
    expect(() => new Dealer({ [name]: value } as never)).toThrow(expect.objectContaining({ code: "EINVAL" }))
  })

  it("rejects an unknown option name in the constructor with zeromq.js's TypeError", () => {
    expect(() => new Push({ sendHighWatermark: 10 } as never)).toThrow(new TypeError("Cannot add property sendHighWatermark, object is not extensible"))
    expect(() => new Push({ mandatory: true } as never)).toThrow(new TypeError("Cannot add property mandatory, object is not extensible")) // a ROUTER option
    expect(() => new Router({ mandatory: "yes" } as never)).toThrow(new TypeError("Option value must be a boolean"))
  })

  it("sends other values as their text and an empty array as nothing, as zeromq.js does; no message is a TypeError", async () => {
    await using pull = new Pull()
    await pull.bind("inproc://coerced")
    await using push = new Push()
    push.connect("inproc://coerced")
    await push.send([true, {}, 12n, undefined, ["x", "y"]] as never)
    await push.send([])
    await push.send("last")
    expect((await pull.receive()).map(String)).toEqual(["true", "[object Object]", "12", "undefined", "x,y"])
    expect((await pull.receive()).map(String)).toEqual(["last"])
    expect(() => push.send(undefined as never)).toThrow(new TypeError("Message must be present"))
    expect(() => push.send(Symbol("s") as never)).toThrow(TypeError)
  })

  it("an operation a socket type does not have fails with ENOTSUP", async () => {
    await using push = new Push()
    await using pull = new Pull()
    await expect(push.receive()).rejects.toMatchObject({ code: "ENOTSUP" })
    await expect(pull.send("x")).rejects.toMatchObject({ code: "ENOTSUP" })
  })
})

describe("endpoints", () => {
  it("an unsupported transport fails with EPROTONOSUPPORT, on bind and on connect", async () => {
    await using socket = new Pair()
    for (const address of ["pgm://eth0;239.192.1.1:5555", "epgm://eth0;239.192.1.1:5555", "carrier://pigeon"]) {
      await expect(socket.bind(address)).rejects.toMatchObject({ code: "EPROTONOSUPPORT", address })
      expect(() => socket.connect(address)).toThrow(expect.objectContaining({ code: "EPROTONOSUPPORT", address }))
    }
    // udp:// exists, for RADIO, DISH and DGRAM only (test/udp/dgram.test.ts).
    await expect(socket.bind("udp://127.0.0.1:5555")).rejects.toMatchObject({ code: "ENOCOMPATPROTO", address: "udp://127.0.0.1:5555" })
  })

  it("a malformed endpoint fails with EINVAL", async () => {
    await using socket = new Pair()
    for (const address of ["127.0.0.1:5555", "tcp://127.0.0.1", "tcp://127.0.0.1:99999", "tcp://127.0.0.1:port", "tcp://:5555", "inproc://", "ipc://"]) {
      await expect(socket.bind(address), address).rejects.toMatchObject({ code: "EINVAL" })
      expect(() => socket.connect(address), address).toThrow(expect.objectContaining({ code: "EINVAL" }))
    }
    // Wildcards only make sense for bind.
    expect(() => socket.connect("tcp://127.0.0.1:*")).toThrow(expect.objectContaining({ code: "EINVAL" }))
    expect(() => socket.connect("tcp://*:5555")).toThrow(expect.objectContaining({ code: "EINVAL" }))
    expect(socket.lastEndpoint).toBeNull()
  })

  it("binding a port in use fails with EADDRINUSE and names the address", async () => {
    await using first = new Pull()
    await first.bind("tcp://127.0.0.1:*")
    const address = first.lastEndpoint!
    await using second = new Pull()
    const failures: unknown[] = []
    second.events.on("bind:error", (event) => failures.push(event.error))
    const error = await second.bind(address).catch((failure: unknown) => failure)
    expect(ZmqError.isInstance(error)).toBe(true)
    expect(error).toMatchObject({ code: "EADDRINUSE", address })
    expect(failures).toEqual([error])
    // Binding the same address twice on one socket, too.
    await expect(first.bind(address)).rejects.toMatchObject({ code: "EADDRINUSE", address })
    // And an inproc name bound elsewhere in the context.
    await first.bind(`inproc://in-use-${process.pid}`)
    await expect(second.bind(`inproc://in-use-${process.pid}`)).rejects.toMatchObject({ code: "EADDRINUSE" })
  })

  it("a tcp connect that reaches itself (source port = its unbound destination) is dropped and retried, so the port stays free for the real peer", async () => {
    // TCP simultaneous open: with nobody listening, a connect from 127.0.0.1:P to 127.0.0.1:P succeeds and
    // talks to itself. A DEALER would handshake with itself and keep the port; the peer could never bind.
    const port = await freePort()
    const address = `tcp://127.0.0.1:${port}`
    await using dealer = new Dealer({ reconnectInterval: 10, linger: 0 })
    const events: string[] = []
    for (const type of ["connect", "close", "handshake"] as const) dealer.events.on(type, () => events.push(type))
    dealer.connect(`tcp://127.0.0.1:${port};127.0.0.1:${port}`)
    await until(() => events.filter((type) => type === "close").length >= 3, 5000, "three dropped attempts")
    expect(events.filter((type) => type !== "close")).toEqual([])
    await using pull = new Pull()
    await pull.bind(address)
    expect(pull.lastEndpoint).toBe(address)
  })

  it("unbind and disconnect of an endpoint never bound or connected fail with ENOENT", async () => {
    await using socket = new Pair()
    await expect(socket.unbind("tcp://127.0.0.1:5555")).rejects.toMatchObject({ code: "ENOENT", address: "tcp://127.0.0.1:5555" })
    expect(() => socket.disconnect("tcp://127.0.0.1:5555")).toThrow(expect.objectContaining({ code: "ENOENT" }))
    await socket.bind("tcp://127.0.0.1:*")
    const bound = socket.lastEndpoint!
    await socket.unbind(bound)
    await expect(socket.unbind(bound)).rejects.toMatchObject({ code: "ENOENT" }) // not twice
    socket.connect(bound)
    socket.disconnect(bound)
    expect(() => socket.disconnect(bound)).toThrow(expect.objectContaining({ code: "ENOENT" }))
  })

  it("unbind releases the endpoint: another socket can bind it, and connected peers stop getting a listener", async () => {
    await using first = new Pull()
    await first.bind("tcp://127.0.0.1:*")
    const address = first.lastEndpoint!
    await first.unbind(address)
    await using second = new Pull()
    await second.bind(address)
    await using push = new Push()
    push.connect(address)
    expect(await roundTrip(push, second)).toEqual(["ping"])
  })

  it("lastEndpoint is null before bind and resolves a * port afterwards", async () => {
    await using socket = new Pull()
    expect(socket.lastEndpoint).toBeNull()
    await socket.bind("tcp://127.0.0.1:*")
    const match = /^tcp:\/\/127\.0\.0\.1:(\d+)$/.exec(socket.lastEndpoint ?? "")
    expect(match, String(socket.lastEndpoint)).not.toBeNull()
    expect(Number(match![1])).toBeGreaterThan(0)
    await socket.bind("tcp://127.0.0.1:0")
    expect(socket.lastEndpoint).toMatch(/^tcp:\/\/127\.0\.0\.1:[1-9]\d*$/)
    expect(socket.lastEndpoint).not.toBe(match![0])
    const inproc = `inproc://last-${process.pid}`
    await socket.bind(inproc)
    expect(socket.lastEndpoint).toBe(inproc)
    // The resolved endpoint is the one to unbind by.
    await socket.unbind(match![0])
  })

  it("tcp://*:port binds every IPv4 interface (0.0.0.0)", async () => {
    const port = await freePort()
    await using pull = new Pull()
    await pull.bind(`tcp://*:${port}`)
    expect(pull.lastEndpoint).toBe(`tcp://0.0.0.0:${port}`)
    await using push = new Push()
    push.connect(`tcp://127.0.0.1:${port}`)
    expect(await roundTrip(push, pull)).toEqual(["ping"])
    await using wildcard = new Pull()
    await wildcard.bind("tcp://*:*")
    expect(wildcard.lastEndpoint).toMatch(/^tcp:\/\/0\.0\.0\.0:[1-9]\d*$/)
  })

  it.skipIf(!IPV6)("ipv6: true binds and connects on tcp://[::1]:*", async () => {
    await using pull = new Pull({ ipv6: true })
    await pull.bind("tcp://[::1]:*")
    const address = pull.lastEndpoint!
    expect(address).toMatch(/^tcp:\/\/\[::1\]:[1-9]\d*$/)
    await using push = new Push({ ipv6: true })
    push.connect(address)
    expect(await roundTrip(push, pull)).toEqual(["ping"])
    // Without the option, IPv6 addresses are refused.
    await using plain = new Push()
    await expect(plain.bind("tcp://[::1]:*")).rejects.toMatchObject({ code: "ENODEV" }) // libzmq's, as zeromq.js reports
    expect(() => plain.connect(address)).toThrow(expect.objectContaining({ code: "EINVAL" }))
  })

  it("tcp://localhost:port reaches a server bound on 127.0.0.1", async () => {
    await using pull = new Pull()
    await pull.bind("tcp://127.0.0.1:*")
    const port = pull.lastEndpoint!.split(":").pop()!
    await using push = new Push()
    push.connect(`tcp://localhost:${port}`)
    expect(await roundTrip(push, pull)).toEqual(["ping"])
  })

  it("ipc paths may be relative to the working directory", async () => {
    const absolute = ipcPath()
    const address = `ipc://${relative(process.cwd(), absolute)}`
    expect(address.startsWith("ipc:///")).toBe(false)
    await using pull = new Pull()
    await pull.bind(address)
    expect(pull.lastEndpoint).toBe(address)
    expect(lstatSync(absolute).isSocket()).toBe(true)
    await using push = new Push()
    push.connect(address)
    expect(await roundTrip(push, pull)).toEqual(["ping"])
  })

  it.runIf(process.platform === "linux")("abstract ipc://@name works on Linux and leaves no file", async () => {
    const name = `zmqts-abstract-${process.pid}-${Date.now()}`
    const address = `ipc://@${name}`
    await using pull = new Pull()
    await pull.bind(address)
    expect(pull.lastEndpoint).toBe(address)
    await using push = new Push()
    push.connect(address)
    expect(await roundTrip(push, pull)).toEqual(["ping"])
    expect(existsSync(`@${name}`)).toBe(false)
    expect(existsSync(name)).toBe(false)
  })

  it("a stale ipc socket file (nobody listening) is replaced on bind", async () => {
    const path = ipcPath()
    // Make a socket file nobody listens on: listen, move the file aside, close, move it back.
    const server = createServer()
    await new Promise<void>((resolve) => server.listen(path, () => resolve()))
    renameSync(path, `${path}.moved`)
    await new Promise<void>((resolve) => server.close(() => resolve()))
    renameSync(`${path}.moved`, path)
    expect(lstatSync(path).isSocket()).toBe(true)

    await using pull = new Pull()
    await pull.bind(`ipc://${path}`)
    await using push = new Push()
    push.connect(`ipc://${path}`)
    expect(await roundTrip(push, pull)).toEqual(["ping"])
  })

  it("an ipc path that is a regular file is not replaced: EADDRINUSE", async () => {
    const path = ipcPath()
    writeFileSync(path, "precious")
    try {
      await using pull = new Pull()
      await expect(pull.bind(`ipc://${path}`)).rejects.toMatchObject({ code: "EADDRINUSE" })
      expect(lstatSync(path).isFile()).toBe(true)
    } finally {
      unlinkSync(path)
    }
  })

  it("a bound ipc socket file is removed after close", async () => {
    const path = ipcPath()
    const pull = new Pull()
    try {
      await pull.bind(`ipc://${path}`)
      expect(existsSync(path)).toBe(true)
    } finally {
      pull.close()
    }
    await until(() => !existsSync(path), 1000, "socket file removal")
  })
})

describe("contexts", () => {
  it("Context.terminate() rejects pending send and receive with ETERM and closes the sockets", async () => {
    const context = new Context()
    const pull = new Pull({ context })
    const push = new Push({ context })
    try {
      await pull.bind("tcp://127.0.0.1:*")
      await push.bind("inproc://nobody-pulls")
      const receiving = pull.receive()
      const sending = push.send("stuck")
      context.terminate()
      await expect(receiving).rejects.toMatchObject({ code: "ETERM" })
      await expect(sending).rejects.toMatchObject({ code: "ETERM" })
      expect(context.terminated).toBe(true)
      expect([pull.closed, push.closed]).toEqual([true, true])
    } finally {
      pull.close()
      push.close()
    }
  })

  it("sockets of a terminated context are closed, and the context makes no new ones", async () => {
    const context = new Context()
    const sockets: Socket[] = [new Pair({ context }), new Reply({ context }), new Router({ context })]
    context.terminate()
    for (const socket of sockets) {
      expect(socket.closed).toBe(true)
      // A closed socket fails every call at once with zeromq.js's EBADF "Socket is closed".
      expect(() => socket.receive()).toThrow(expect.objectContaining({ code: "EBADF", message: "Socket is closed" }))
      expect(() => socket.send("x")).toThrow(expect.objectContaining({ code: "EBADF" }))
      expect(() => socket.bind("inproc://after-terminate")).toThrow(expect.objectContaining({ code: "EBADF" }))
      expect(() => socket.connect("inproc://after-terminate")).toThrow(expect.objectContaining({ code: "EBADF" }))
    }
    expect(() => new Pair({ context })).toThrow(expect.objectContaining({ code: "ETERM" }))
    context.terminate() // idempotent
  })

  it("inproc sockets in a fresh context talk only to each other", async () => {
    const context = new Context()
    try {
      await using pull = new Pull({ context })
      await pull.bind("inproc://shared-name")
      await using push = new Push({ context })
      push.connect("inproc://shared-name")
      expect(await roundTrip(push, pull)).toEqual(["ping"])
      // The same name is free in the default context.
      await using other = new Pull()
      await other.bind("inproc://shared-name")
    } finally {
      context.terminate()
    }
  })
})

describe("process exit", () => {
  it("a process whose sockets are all closed exits on its own", async () => {
    const source = fileURLToPath(new URL("../src/index.ts", import.meta.url))
    const tsx = fileURLToPath(new URL("../node_modules/.bin/tsx", import.meta.url))
    const unreachable = `tcp://127.0.0.1:${await freePort()}`
    const script = join(tmpdir(), `zmqts-exit-${process.pid}-${Date.now()}.mts`)
    writeFileSync(
      script,
      [
        `import { Pull, Push } from ${JSON.stringify(source)}`,
        `const pull = new Pull()`,
        `await pull.bind("tcp://127.0.0.1:*")`,
        `const push = new Push()`,
        `push.connect(pull.lastEndpoint)`,
        `await push.send("hello")`,
        `const [message] = await pull.receive()`,
        // A socket still retrying a connection when closed must not hold the process either.
        `const lonely = new Pull()`,
        `lonely.connect(${JSON.stringify(unreachable)})`,
        `await new Promise((resolve) => setTimeout(resolve, 150))`,
        `lonely.close()`,
        `push.close()`,
        `pull.close()`,
        `console.log(String(message))`,
      ].join("\n"),
    )
    try {
      const child = spawn(tsx, ["--conditions=@zmq-ts/source", script], { stdio: ["ignore", "pipe", "pipe"] })
      let stdout = ""
      let stderr = ""
      child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()))
      child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()))
      const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)))
      const onTime = await settlesWithin(exited, 8000)
      if (!onTime) child.kill("SIGKILL")
      expect(onTime, `the child did not exit within 8 s; stderr: ${stderr}`).toBe(true)
      expect(await exited, stderr).toBe(0)
      expect(stdout.trim()).toBe("hello")
    } finally {
      unlinkSync(script)
    }
  })
})
