/**
 * Monitor events (`socket.events`, zeromq.js's Observer names): every type our sockets emit, each from a
 * real scenario, with the payloads (`address`, `interval`, `error`) checked. zeromq.js offers two ways to
 * read an observer, `for await (const event of socket.events)` and `socket.events.on(type, fn)`, and they
 * exclude each other (after `on()`, `receive()` throws), so every scenario runs once each way and must
 * see the same events.
 *
 *   binder:     bind ─ accept ─ handshake ─ disconnect ─ close (unbind) ─ end (close)
 *   connecter:  connect:delay (tcp) ─ connect ─ handshake ─ disconnect ─ connect:retry{interval} ─
 *               connect:delay (tcp) ─ close ─ connect:retry ─ … ─ connect ─ handshake ─ end
 *   failures:   bind:error (port in use, after an address-less close) · handshake:error:protocol (garbage)
 *               handshake:error:auth (libzmq PLAIN + ZAP says 400) · handshake:error:other (ETIMEDOUT)
 *   inproc:     nothing at all (libzmq raises no events for it)
 *
 * Not produced here: `accept:error` (libuv absorbs EMFILE/ENFILE on accept by closing a reserved fd, so
 * Node's net.Server never reports an accept failure) and `close:error` (nothing emits it: closing a Node
 * server cannot fail the way libzmq's close(2) of a listener can).
 */
import { once } from "node:events"
import { connect as netConnect, createServer, type Server, type Socket as NetSocket } from "node:net"
import { setTimeout as delay } from "node:timers/promises"
import { afterAll, describe, expect, it } from "vitest"
import * as zmq from "zeromq"
import { ZmtpError } from "@zmq-ts/zmtp"
import {
  Context,
  Dealer,
  Pull,
  Push,
  Router,
  ZmqError,
  type Socket,
  type SocketEvent,
  type SocketEventOfType,
  type SocketEventType,
} from "../src/index.js"
import { EVENT_TYPES, freePort, ipcPath, until } from "./helpers/transports.js"

type ReadMode = "for await" | ".on"
const READ_MODES: readonly ReadMode[] = ["for await", ".on"]

interface Observed {
  /** Every event seen so far, in order. */
  readonly seen: SocketEvent[]
  /** Resolves once `end` has been seen (the socket closed). */
  readonly ended: Promise<void>
}

/**
 * Reads `socket.events` one way: `for await` (everything the observer yields, until it ends with the
 * socket) or `.on` (one listener per type, which puts the observer into event emitter mode).
 */
function observe(socket: Socket, mode: ReadMode): Observed {
  const seen: SocketEvent[] = []
  if (mode === "for await") {
    const ended = (async () => {
      for await (const event of socket.events) seen.push(event)
    })()
    return { seen, ended }
  }
  let ended!: () => void
  const end = new Promise<void>((resolve) => {
    ended = resolve
  })
  for (const type of EVENT_TYPES) {
    socket.events.on(type, (event) => {
      seen.push(event)
      if (event.type === "end") ended()
    })
  }
  return { seen, ended: end }
}

function summary(seen: readonly SocketEvent[]): string[] {
  return seen.map((event) => ("address" in event ? `${event.type} ${event.address}` : event.type))
}

/** The first event of `type` in `seen`, once there is one. */
async function first<T extends SocketEventType>(seen: readonly SocketEvent[], type: T, timeoutMs = 3000): Promise<SocketEventOfType<T>> {
  await until(() => seen.some((event) => event.type === type), timeoutMs, `a "${type}" event`)
  return seen.find((event) => event.type === type) as SocketEventOfType<T>
}

/** A tcp server that runs `onConnection` for each raw connection; closes everything on `close()`. */
async function rawServer(onConnection: (socket: NetSocket) => void): Promise<{ server: Server; endpoint: string; close(): void }> {
  const sockets: NetSocket[] = []
  const server = createServer((socket) => {
    sockets.push(socket)
    socket.on("error", () => {})
    onConnection(socket)
  })
  server.listen(0, "127.0.0.1")
  await once(server, "listening")
  const { port } = server.address() as { port: number }
  return {
    server,
    endpoint: `tcp://127.0.0.1:${port}`,
    close() {
      for (const socket of sockets) socket.destroy()
      server.close()
    },
  }
}

describe.each(READ_MODES)("read with %s", (mode) => {
  describe.each([
    { name: "tcp", address: () => "tcp://127.0.0.1:*" },
    { name: "ipc", address: () => `ipc://${ipcPath()}` },
  ])("monitor events over $name", ({ name, address }) => {
    it("binder: bind, accept, handshake, disconnect, close (unbind), end (close)", async () => {
      const binder = new Pull({ linger: 0 })
      const observed = observe(binder, mode)
      await binder.bind(address())
      const endpoint = binder.lastEndpoint!
      const connecter = new Push({ linger: 0 })
      const connecterObserved = observe(connecter, mode)
      connecter.connect(endpoint)
      await first(observed.seen, "handshake")
      await first(connecterObserved.seen, "handshake")
      connecter.close()
      await first(observed.seen, "disconnect")
      await binder.unbind(endpoint)
      await first(observed.seen, "close")
      binder.close()
      await observed.ended // the observer ends with the socket

      const expected = [`bind ${endpoint}`, `accept ${endpoint}`, `handshake ${endpoint}`, `disconnect ${endpoint}`, `close ${endpoint}`, "end"]
      expect(summary(observed.seen)).toEqual(expected)
      // The connecter, which closed first: connect (announced by connect:delay over tcp, as libzmq's
      // non-blocking connect(2) is), then handshake, then its own end (no disconnect: it left itself).
      await connecterObserved.ended
      expect(summary(connecterObserved.seen)).toEqual([
        ...(name === "tcp" ? [`connect:delay ${endpoint}`] : []),
        `connect ${endpoint}`,
        `handshake ${endpoint}`,
        "end",
      ])
    })

    it("closing a bound socket reports close for its endpoint, then end (as libzmq does)", async () => {
      const binder = new Pull({ linger: 0 })
      const observed = observe(binder, mode)
      await binder.bind(address())
      const endpoint = binder.lastEndpoint!
      binder.close()
      await observed.ended
      expect(summary(observed.seen)).toEqual([`bind ${endpoint}`, `close ${endpoint}`, "end"])
    })

    it("connecter: disconnect when the peer goes, connect:retry{interval}, close after each refused attempt, then connect again", async () => {
      const binder = new Pull({ linger: 0 })
      await binder.bind(address())
      const endpoint = binder.lastEndpoint!
      await using connecter = new Push({ linger: 0, reconnectInterval: 50 })
      const observed = observe(connecter, mode)
      const heard = observed.seen
      connecter.connect(endpoint)
      await first(heard, "handshake")
      binder.close()
      await first(heard, "connect:retry")
      await until(() => heard.filter((event) => event.type === "close").length > 0, 3000, "a refused attempt")
      // Back on the same address: the next retry connects and handshakes.
      const again = new Pull({ linger: 0 })
      await again.bind(endpoint)
      await until(() => heard.filter((event) => event.type === "handshake").length === 2, 3000, "a second handshake")
      again.close()

      const types = heard.map((event) => event.type)
      const delayed = name === "tcp" ? (["connect:delay"] as const) : []
      expect(types.slice(0, 4 + delayed.length)).toEqual([...delayed, "connect", "handshake", "disconnect", "connect:retry"])
      expect(types.at(-2)).toBe("connect")
      expect(types.at(-1)).toBe("handshake")
      for (const event of heard) expect(event).toMatchObject({ address: endpoint })
      // libzmq 4.3.5 without reconnectMaxInterval: the interval plus a random jitter below it.
      for (const event of heard) {
        if (event.type !== "connect:retry") continue
        expect(event.interval).toBeGreaterThanOrEqual(50)
        expect(event.interval).toBeLessThan(100)
      }
      // Every attempt after a retry: over tcp announced by connect:delay (ipc connects or fails at once),
      // and when refused, its socket closed (close) before the next connect:retry.
      const afterDisconnect = types.slice(types.indexOf("disconnect") + 1, -2)
      const attempt = name === "tcp" ? ["connect:delay", "close", "connect:retry"] : ["close", "connect:retry"]
      expect(afterDisconnect.length).toBeGreaterThanOrEqual(1 + attempt.length)
      expect(afterDisconnect).toEqual([
        "connect:retry",
        ...Array.from({ length: (afterDisconnect.length - 1 - delayed.length) / attempt.length }, () => attempt).flat(),
        ...delayed,
      ])
      connecter.close()
      await observed.ended
      expect(heard.at(-1)).toEqual({ type: "end" })
    })
  })

  describe("connect:retry", () => {
    it.each([
      { name: "tcp (connection refused)", address: async () => `tcp://127.0.0.1:${await freePort()}`, delayed: true },
      { name: "ipc (no such socket file)", address: async () => `ipc://${ipcPath()}`, delayed: false },
    ])("retry with `interval` doubling up to reconnectMaxInterval: $name", async ({ address, delayed }) => {
      const endpoint = await address()
      await using socket = new Dealer({ linger: 0, reconnectInterval: 30, reconnectMaxInterval: 120 })
      const observed = observe(socket, mode)
      const seen = observed.seen
      socket.connect(endpoint)
      await until(() => seen.filter((event) => event.type === "connect:retry").length >= 5, 5000, "five retries")
      const firstFive = seen.slice(0, (delayed ? 3 : 2) * 5)
      const retries = firstFive.filter((event): event is SocketEventOfType<"connect:retry"> => event.type === "connect:retry")
      expect(retries.map((event) => event.interval)).toEqual([30, 60, 120, 120, 120])
      // Each attempt: connect:delay (tcp only), its socket closed when refused, then the retry scheduled.
      const attempt = delayed ? ["connect:delay", "close", "connect:retry"] : ["close", "connect:retry"]
      expect(firstFive.map((event) => event.type)).toEqual(Array.from({ length: 5 }, () => attempt).flat())
      for (const event of seen) expect(event).toMatchObject({ address: endpoint })
    })
  })

  describe("inproc", () => {
    it("raises no events at all, as libzmq: connect before the bind, the bind, a refused peer, the close", async () => {
      const context = new Context()
      const name = `inproc://monitor-${process.pid}-${mode === ".on" ? "on" : "iterate"}`
      const connecter = new Push({ context })
      const binder = new Pull({ context })
      const connecterObserved = observe(connecter, mode)
      const binderObserved = observe(binder, mode)
      connecter.connect(name)
      await binder.bind(name)
      await connecter.send("through")
      expect(String((await binder.receive())[0])).toBe("through")
      // An incompatible peer is refused without a word.
      const incompatible = new Push({ context })
      const incompatibleObserved = observe(incompatible, mode)
      incompatible.connect(name)
      await delay(20)
      context.terminate()
      for (const observed of [connecterObserved, binderObserved, incompatibleObserved]) {
        await observed.ended
        expect(observed.seen).toEqual([{ type: "end" }])
      }
    })
  })

  describe("bind:error", () => {
    it("tcp port already in use: bind rejects EADDRINUSE; the events are an address-less close, then bind:error without the scheme", async () => {
      const holder = new Pull({ linger: 0 })
      await holder.bind("tcp://127.0.0.1:*")
      const taken = holder.lastEndpoint!
      await using socket = new Pull({ linger: 0 })
      const observed = observe(socket, mode)
      const failure = await socket.bind(taken).catch((error: unknown) => error)
      expect(ZmqError.isInstance(failure)).toBe(true)
      expect(failure).toMatchObject({ code: "EADDRINUSE", errno: 98, address: taken })
      const event = await first(observed.seen, "bind:error")
      // zeromq.js: libzmq's address as given, without "tcp://"; the close before it has no address at all.
      expect(event.address).toBe(taken.slice("tcp://".length))
      expect(event.error).toBe(failure)
      expect(observed.seen[0]).toEqual({ type: "close" })
      expect(summary(observed.seen)).toEqual(["close", `bind:error ${taken.slice("tcp://".length)}`])
      holder.close()
    })

    it("binding the same tcp endpoint twice on one socket: the same events for the second bind", async () => {
      await using socket = new Pull({ linger: 0 })
      await socket.bind("tcp://127.0.0.1:*")
      const endpoint = socket.lastEndpoint!
      const observed = observe(socket, mode)
      await expect(socket.bind(endpoint)).rejects.toMatchObject({ code: "EADDRINUSE" })
      await first(observed.seen, "bind:error")
      expect(summary(observed.seen)).toEqual(["close", `bind:error ${endpoint.slice("tcp://".length)}`])
    })

    it("an ipc path that cannot be bound: bind:error with the path", async () => {
      await using socket = new Pull({ linger: 0 })
      const observed = observe(socket, mode)
      const path = "/nonexistent-directory-zmq-ts/socket.ipc"
      await expect(socket.bind(`ipc://${path}`)).rejects.toBeInstanceOf(ZmqError)
      const event = await first(observed.seen, "bind:error")
      expect(event.address).toBe(path)
    })

    it("inproc name already bound in the context: EADDRINUSE, and no event (libzmq reports none for inproc)", async () => {
      const context = new Context()
      const name = `inproc://monitor-${process.pid}-taken-${mode === ".on" ? "on" : "iterate"}`
      await new Pull({ context }).bind(name)
      const socket = new Pull({ context })
      const observed = observe(socket, mode)
      await expect(socket.bind(name)).rejects.toMatchObject({ code: "EADDRINUSE" })
      context.terminate()
      await observed.ended
      expect(observed.seen).toEqual([{ type: "end" }])
    })
  })

  describe("handshake:error:protocol", () => {
    it("garbage from a raw tcp client: the bound socket reports the codec's error code", async () => {
      await using router = new Router({ linger: 0 })
      const observed = observe(router, mode)
      await router.bind("tcp://127.0.0.1:*")
      const endpoint = router.lastEndpoint!
      const { port } = new URL(endpoint.replace("tcp://", "http://"))
      const client = netConnect(Number(port), "127.0.0.1")
      client.on("error", () => {})
      client.resume() // read (and drop) our greeting, so that our hang-up shows as 'end'
      const hungUp = once(client, "end")
      client.write("GET / HTTP/1.1\r\nHost: zmq\r\n\r\n")
      const failed = await first(observed.seen, "handshake:error:protocol")
      expect(failed.address).toBe(endpoint)
      // zeromq.js's shape: Error("ZMTP protocol error") with a code (libzmq would take these bytes for
      // ZMTP 1.0 and has no code for them: ours names it); the codec's ZmtpError is the cause.
      expect(failed.error).toBeInstanceOf(Error)
      expect(failed.error.message).toBe("ZMTP protocol error")
      expect(ZmtpError.isInstance(failed.error)).toBe(false)
      expect(ZmtpError.isInstance(failed.error.cause)).toBe(true)
      expect(failed.error).toMatchObject({ code: "ERR_ZMTP_INVALID_SIGNATURE" })
      expect(failed.error.cause).toMatchObject({ code: "ERR_ZMTP_INVALID_SIGNATURE", origin: "remote" })
      await hungUp // and we hung up
      client.destroy()
      await first(observed.seen, "disconnect")
      expect(summary(observed.seen)).toEqual([`bind ${endpoint}`, `accept ${endpoint}`, `handshake:error:protocol ${endpoint}`, `disconnect ${endpoint}`])
    })

    it("a mechanism mismatch (PLAIN client, NULL server): ERR_ZMTP_MECHANISM_MISMATCH on both sides, libzmq's payload", async () => {
      await using server = new Dealer({ linger: 0 })
      const serverObserved = observe(server, mode)
      await server.bind("tcp://127.0.0.1:*")
      const endpoint = server.lastEndpoint!
      await using client = new Dealer({ linger: 0, plainUsername: "u", plainPassword: "p", reconnectInterval: 10_000 })
      const clientObserved = observe(client, mode)
      client.connect(endpoint)
      for (const observed of [clientObserved, serverObserved]) {
        const failed = await first(observed.seen, "handshake:error:protocol")
        expect(failed.address).toBe(endpoint)
        expect(failed.error).toMatchObject({ message: "ZMTP protocol error", code: "ERR_ZMTP_MECHANISM_MISMATCH" })
        await first(observed.seen, "disconnect")
        expect(observed.seen.some((event) => event.type === "handshake")).toBe(false)
      }
      // A libzmq PLAIN client against the same server reports the very same payload through zeromq.js.
      const theirs = new zmq.Dealer({ linger: 0, plainUsername: "u", plainPassword: "p", reconnectInterval: 10_000 })
      const theirEvents: Array<{ message: string; code: unknown }> = []
      theirs.events.on("handshake:error:protocol", (event) => theirEvents.push({ message: event.error.message, code: event.error.code }))
      try {
        theirs.connect(endpoint)
        await until(() => theirEvents.length > 0, 3000, "libzmq's event")
        expect(theirEvents[0]).toEqual({ message: "ZMTP protocol error", code: "ERR_ZMTP_MECHANISM_MISMATCH" })
      } finally {
        theirs.close()
      }
    })

    it("an incompatible libzmq peer (PUSH ↔ PUSH): only the disconnect, as libzmq reports it", async () => {
      const theirs = new zmq.Push({ linger: 0 })
      try {
        await theirs.bind("tcp://127.0.0.1:*")
        await using ours = new Push({ linger: 0, reconnectInterval: 1000 })
        const observed = observe(ours, mode)
        const heard = observed.seen
        ours.connect(theirs.lastEndpoint!)
        const gone = await first(heard, "disconnect")
        expect(gone.address).toBe(theirs.lastEndpoint)
        expect(heard.map((event) => event.type).slice(0, 3)).toEqual(["connect:delay", "connect", "disconnect"])
        expect(heard.some((event) => event.type === "handshake" || event.type.startsWith("handshake:error"))).toBe(false)
      } finally {
        theirs.close()
      }
    })
  })

  describe("handshake:error:auth", () => {
    it("our PLAIN DEALER's wrong password, refused by libzmq's ZAP handler with status 400", async () => {
      const { context, handler, requests } = await zapHandler(mode)
      const router = new zmq.Router({ context, plainServer: true, linger: 0 })
      try {
        await router.bind("tcp://127.0.0.1:*")
        await using dealer = new Dealer({ plainUsername: "admin", plainPassword: "wrong", reconnectInterval: 2000, linger: 0 })
        const observed = observe(dealer, mode)
        const heard = observed.seen
        dealer.connect(router.lastEndpoint!)
        const denied = await first(heard, "handshake:error:auth")
        expect(denied.address).toBe(router.lastEndpoint)
        // zeromq.js's AuthError: the ZAP status and libzmq's word for it; the codec's ZmtpError as cause.
        expect(denied.error).toMatchObject({ status: 400, message: "Authentication failure" })
        expect(ZmtpError.isInstance(denied.error.cause)).toBe(true)
        expect(denied.error.cause).toMatchObject({ code: "ERR_ZMTP_PEER_ERROR", reason: "400" })
        // The ZAP handler saw our credentials (RFC 27 frames: version, id, domain, address, identity, mechanism, user, password).
        expect(requests[0]?.slice(5)).toEqual(["PLAIN", "admin", "wrong"])
        await first(heard, "disconnect")
        expect(heard.map((event) => event.type).slice(0, 4)).toEqual(["connect:delay", "connect", "handshake:error:auth", "disconnect"])
        expect(heard.some((event) => event.type === "handshake")).toBe(false)
      } finally {
        router.close()
        handler.close()
      }
    })
  })

  describe("handshake:error:other", () => {
    it("handshakeInterval expires against a peer that never greets: ETIMEDOUT", async () => {
      const silent = await rawServer(() => {})
      await using dealer = new Dealer({ handshakeInterval: 100, reconnectInterval: 5000, linger: 0 })
      const observed = observe(dealer, mode)
      const heard = observed.seen
      const started = Date.now()
      dealer.connect(silent.endpoint)
      const timedOut = await first(heard, "handshake:error:other")
      const elapsed = Date.now() - started
      expect(elapsed).toBeGreaterThanOrEqual(95)
      expect(elapsed).toBeLessThan(1000)
      expect(timedOut.address).toBe(silent.endpoint)
      expect(ZmqError.isInstance(timedOut.error)).toBe(true)
      expect(timedOut.error).toMatchObject({ code: "ETIMEDOUT", errno: 110 })
      await first(heard, "connect:retry")
      expect(heard.map((event) => event.type)).toEqual(["connect:delay", "connect", "handshake:error:other", "disconnect", "connect:retry"])
      silent.close()
    })

    it("a peer that hangs up mid-handshake: ECONNRESET", async () => {
      const rude = await rawServer((socket) => socket.end())
      await using dealer = new Dealer({ reconnectInterval: 5000, linger: 0 })
      const observed = observe(dealer, mode)
      dealer.connect(rude.endpoint)
      const reset = await first(observed.seen, "handshake:error:other")
      expect(reset).toMatchObject({ address: rude.endpoint, error: { code: "ECONNRESET" } })
      rude.close()
    })
  })

  describe("disconnect", () => {
    it("not after our own disconnect(), unbind() or close(): only when the connection failed or the peer left", async () => {
      const binder = new Pull({ linger: 0 })
      const binderObserved = observe(binder, mode)
      await binder.bind("tcp://127.0.0.1:*")
      const endpoint = binder.lastEndpoint!
      const connecter = new Push({ linger: 0 })
      const observed = observe(connecter, mode)
      connecter.connect(endpoint)
      await first(observed.seen, "handshake")
      await first(binderObserved.seen, "handshake")
      connecter.disconnect(endpoint)
      // The binder sees its peer leave; the connecter, which left, sees nothing.
      await first(binderObserved.seen, "disconnect")
      await delay(50)
      expect(observed.seen.map((event) => event.type)).toEqual(["connect:delay", "connect", "handshake"])
      // Again, then the binder unbinds: the connecter sees the disconnect, the binder does not.
      connecter.connect(endpoint)
      await until(() => binderObserved.seen.filter((event) => event.type === "handshake").length === 2, 3000, "a second handshake")
      await binder.unbind(endpoint)
      await first(observed.seen, "disconnect")
      await delay(50)
      expect(binderObserved.seen.filter((event) => event.type === "disconnect")).toHaveLength(1)
      binder.close()
      connecter.close()
      await Promise.all([observed.ended, binderObserved.ended])
      expect(summary(binderObserved.seen)).toEqual([
        `bind ${endpoint}`,
        `accept ${endpoint}`,
        `handshake ${endpoint}`,
        `disconnect ${endpoint}`,
        `accept ${endpoint}`,
        `handshake ${endpoint}`,
        `close ${endpoint}`,
        "end",
      ])
    })
  })
})

// libzmq 4.3.5's PLAIN server asks the ZAP handler at inproc://zeromq.zap.01 of its own context (RFC 27).
const zapContexts: Array<{ handler: zmq.Reply }> = []
afterAll(() => {
  for (const { handler } of zapContexts) handler.close()
})

/** A libzmq context with a ZAP handler that refuses everyone with 400; `requests` are the frames it saw. */
async function zapHandler(mode: ReadMode) {
  const context = new zmq.Context()
  const handler = new zmq.Reply({ context, linger: 0 })
  await handler.bind("inproc://zeromq.zap.01")
  zapContexts.push({ handler })
  const requests: string[][] = []
  void (async () => {
    try {
      for await (const frames of handler) {
        const [version, requestId] = frames
        requests.push(frames.map(String))
        await handler.send([version ?? "1.0", requestId ?? "", "400", `wrong password (${mode})`, "", ""])
      }
    } catch {
      // closed
    }
  })()
  return { context, handler, requests }
}

describe("the observer itself", () => {
  it("with .on: .off stops a listener; end is heard once; the observer is closed after end and receive() is refused", async () => {
    const socket = new Pull({ linger: 0 })
    const events = socket.events
    const bound: string[] = []
    const onBind = (event: SocketEventOfType<"bind">): void => {
      bound.push(event.address)
    }
    events.on("bind", onBind)
    await socket.bind("tcp://127.0.0.1:*")
    await until(() => bound.length === 1, 1000, "the first bind")
    events.off("bind", onBind)
    await socket.bind(`ipc://${ipcPath()}`)
    let ends = 0
    const ended = new Promise<void>((resolve) => {
      events.on("end", () => {
        ends++
        resolve()
      })
    })
    socket.close()
    await ended
    await delay(20)
    expect(bound).toHaveLength(1)
    expect(ends).toBe(1)
    expect(events.closed).toBe(true)
    // zeromq.js: in event emitter mode receive() throws; a closed socket has no `events` (ENOTSOCK).
    expect(() => events.receive()).toThrow("Observer is in event emitter mode")
    expect(() => socket.events).toThrow(expect.objectContaining({ code: "ENOTSOCK" }))
  })

  it("with for await: end finishes the iterator; nothing is delivered after close", async () => {
    const socket = new Pull({ linger: 0 })
    const events = socket.events
    const iterated = observe(socket, "for await")
    await socket.bind("tcp://127.0.0.1:*")
    await socket.bind(`ipc://${ipcPath()}`)
    socket.close()
    await iterated.ended
    expect(iterated.seen.map((event) => event.type)).toEqual(["bind", "bind", "close", "close", "end"])
    expect(events.closed).toBe(true)
    expect(() => events.receive()).toThrow(expect.objectContaining({ code: "EBADF" }))
    await delay(20)
    expect(iterated.seen).toHaveLength(5)
  })
})
