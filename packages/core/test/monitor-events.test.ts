/**
 * Monitor events (`socket.events`, zeromq.js's Observer names): every type our sockets emit, each from a
 * real scenario, read both ways zeromq.js offers — `for await (const event of socket.events)` and
 * `socket.events.on(type, fn)` — with the payloads (`address`, `interval`, `error`) checked.
 *
 *   binder:     bind ─ accept ─ handshake ─ disconnect ─ close (unbind) ─ end (close)
 *   connecter:  connect:delay ─ connect:retry{interval} ─ … ─ connect ─ handshake ─ disconnect ─ end
 *   failures:   bind:error (port in use) · handshake:error:protocol (garbage, incompatible peer)
 *               handshake:error:auth (libzmq PLAIN + ZAP says 400) · handshake:error:other (ETIMEDOUT)
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
import { events, freePort, ipcPath, until } from "./helpers/transports.js"

const ALL_TYPES: readonly SocketEventType[] = [
  "accept",
  "accept:error",
  "bind",
  "bind:error",
  "connect",
  "connect:delay",
  "connect:retry",
  "close",
  "close:error",
  "disconnect",
  "end",
  "handshake",
  "handshake:error:protocol",
  "handshake:error:auth",
  "handshake:error:other",
]

/** Everything the observer yields to `for await`, until it ends with the socket. */
function iterate(socket: Socket): { seen: SocketEvent[]; ended: Promise<void> } {
  const seen: SocketEvent[] = []
  const ended = (async () => {
    for await (const event of socket.events) seen.push(event)
  })()
  return { seen, ended }
}

/** Everything the observer hands to `.on` listeners, one listener per type. */
function listen(socket: Socket): SocketEvent[] {
  const seen: SocketEvent[] = []
  for (const type of ALL_TYPES) socket.events.on(type, (event) => seen.push(event))
  return seen
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

describe.each([
  { name: "tcp", address: () => "tcp://127.0.0.1:*" },
  { name: "ipc", address: () => `ipc://${ipcPath()}` },
])("monitor events over $name", ({ address }) => {
  it("binder: bind, accept, handshake, disconnect, close (unbind), end (close) — for-await and .on agree", async () => {
    const binder = new Pull({ linger: 0 })
    const iterated = iterate(binder)
    const heard = listen(binder)
    await binder.bind(address())
    const endpoint = binder.lastEndpoint!
    const connecter = new Push({ linger: 0 })
    const connecterHeard = listen(connecter)
    connecter.connect(endpoint)
    await first(heard, "handshake")
    await first(connecterHeard, "handshake")
    connecter.close()
    await first(heard, "disconnect")
    await binder.unbind(endpoint)
    await first(heard, "close")
    binder.close()
    await iterated.ended // the iterator ends with the socket

    const expected = [`bind ${endpoint}`, `accept ${endpoint}`, `handshake ${endpoint}`, `disconnect ${endpoint}`, `close ${endpoint}`, "end"]
    expect(summary(iterated.seen)).toEqual(expected)
    expect(summary(heard)).toEqual(expected)
    // The connecter, which closed first: connect, then handshake, then its own end.
    expect(summary(connecterHeard)).toEqual([`connect ${endpoint}`, `handshake ${endpoint}`, "end"])
  })

  it("closing a bound socket reports close for its endpoint, then end (as libzmq does)", async () => {
    const binder = new Pull({ linger: 0 })
    const iterated = iterate(binder)
    await binder.bind(address())
    const endpoint = binder.lastEndpoint!
    binder.close()
    await iterated.ended
    expect(summary(iterated.seen)).toEqual([`bind ${endpoint}`, `close ${endpoint}`, "end"])
  })

  it("connecter: disconnect when the peer goes, connect:delay and connect:retry{interval}, then connect again", async () => {
    const binder = new Pull({ linger: 0 })
    await binder.bind(address())
    const endpoint = binder.lastEndpoint!
    await using connecter = new Push({ linger: 0, reconnectInterval: 50 })
    const iterated = iterate(connecter)
    const heard = listen(connecter)
    connecter.connect(endpoint)
    await first(heard, "handshake")
    binder.close()
    await first(heard, "connect:retry")
    // Back on the same address: the next retry connects and handshakes.
    const again = new Pull({ linger: 0 })
    await again.bind(endpoint)
    await until(() => heard.filter((event) => event.type === "handshake").length === 2, 3000, "a second handshake")
    again.close()

    const types = heard.map((event) => event.type)
    expect(types.slice(0, 5)).toEqual(["connect", "handshake", "disconnect", "connect:delay", "connect:retry"])
    expect(types.at(-2)).toBe("connect")
    expect(types.at(-1)).toBe("handshake")
    for (const event of heard) expect(event).toMatchObject({ address: endpoint })
    for (const event of heard) if (event.type === "connect:retry") expect(event.interval).toBe(50)
    // Every retry was announced by a connect:delay first.
    expect(types.filter((type) => type === "connect:delay").length).toBeGreaterThanOrEqual(types.filter((type) => type === "connect:retry").length)
    connecter.close()
    await iterated.ended
    expect(iterated.seen.slice(0, -1)).toEqual(heard.slice(0, -1))
    expect(iterated.seen.at(-1)).toEqual({ type: "end" })
  })
})

describe("connect:delay and connect:retry", () => {
  it.each([
    { name: "tcp (connection refused)", address: async () => `tcp://127.0.0.1:${await freePort()}` },
    { name: "ipc (no such socket file)", address: async () => `ipc://${ipcPath()}` },
  ])("retry with `interval` doubling up to reconnectMaxInterval: $name", async ({ address }) => {
    const endpoint = await address()
    await using socket = new Dealer({ linger: 0, reconnectInterval: 30, reconnectMaxInterval: 120 })
    const seen: SocketEvent[] = []
    const done = (async () => {
      for await (const event of socket.events) {
        seen.push(event)
        if (seen.filter((e) => e.type === "connect:retry").length === 5) return
      }
    })()
    socket.connect(endpoint)
    await done
    const retries = seen.filter((event): event is SocketEventOfType<"connect:retry"> => event.type === "connect:retry")
    expect(retries.map((event) => event.interval)).toEqual([30, 60, 120, 120, 120])
    expect(seen.map((event) => event.type)).toEqual(Array.from({ length: 5 }, () => ["connect:delay", "connect:retry"]).flat())
    for (const event of seen) expect(event).toMatchObject({ address: endpoint })
  })

  it("inproc: connecting before the bind reports connect:delay, the bind then connect/accept/handshake", async () => {
    const context = new Context()
    const name = `inproc://monitor-${process.pid}-early`
    const connecter = new Push({ context })
    const binder = new Pull({ context })
    const connecterSeen = listen(connecter)
    const binderSeen = listen(binder)
    connecter.connect(name)
    expect(summary(connecterSeen)).toEqual([`connect:delay ${name}`])
    await binder.bind(name)
    expect(summary(connecterSeen)).toEqual([`connect:delay ${name}`, `connect ${name}`, `handshake ${name}`])
    // libzmq emits no events at all for inproc. Ours come in this order: the waiting connecter is joined
    // inside bind() before bind() reports "bind", so accept and handshake come first.
    expect(summary(binderSeen).sort()).toEqual([`accept ${name}`, `bind ${name}`, `handshake ${name}`])
    context.terminate()
  })
})

describe("bind:error", () => {
  it("tcp port already in use: bind rejects EADDRINUSE and the event carries the address and the error", async () => {
    const holder = new Pull({ linger: 0 })
    await holder.bind("tcp://127.0.0.1:*")
    const taken = holder.lastEndpoint!
    await using socket = new Pull({ linger: 0 })
    const iterated = iterate(socket)
    const heard = listen(socket)
    const failure = await socket.bind(taken).catch((error: unknown) => error)
    expect(ZmqError.isInstance(failure)).toBe(true)
    expect(failure).toMatchObject({ code: "EADDRINUSE", errno: 98, address: taken })
    const event = await first(heard, "bind:error")
    expect(event.address).toBe(taken)
    expect(event.error).toBe(failure)
    await first(iterated.seen, "bind:error")
    expect(summary(iterated.seen)).toEqual([`bind:error ${taken}`])
    holder.close()
  })

  it("inproc name already bound in the context", async () => {
    const context = new Context()
    const name = `inproc://monitor-${process.pid}-taken`
    await new Pull({ context }).bind(name)
    const socket = new Pull({ context })
    const heard = listen(socket)
    await expect(socket.bind(name)).rejects.toMatchObject({ code: "EADDRINUSE" })
    expect(heard).toEqual([{ type: "bind:error", address: name, error: expect.objectContaining({ code: "EADDRINUSE" }) }])
    context.terminate()
  })
})

describe("handshake:error:protocol", () => {
  it("garbage from a raw tcp client: the bound socket reports the codec's error code", async () => {
    await using router = new Router({ linger: 0 })
    const iterated = iterate(router)
    await router.bind("tcp://127.0.0.1:*")
    const endpoint = router.lastEndpoint!
    const { port } = new URL(endpoint.replace("tcp://", "http://"))
    const client = netConnect(Number(port), "127.0.0.1")
    client.on("error", () => {})
    client.resume() // read (and drop) our greeting, so that our hang-up shows as 'end'
    const hungUp = once(client, "end")
    client.write("GET / HTTP/1.1\r\nHost: zmq\r\n\r\n")
    const failed = await first(iterated.seen, "handshake:error:protocol")
    expect(failed.address).toBe(endpoint)
    expect(ZmtpError.isInstance(failed.error)).toBe(true)
    expect(failed.error).toMatchObject({ code: "ERR_ZMTP_INVALID_SIGNATURE", origin: "remote" })
    await hungUp // and we hung up
    client.destroy()
    await first(iterated.seen, "disconnect")
    expect(summary(iterated.seen)).toEqual([`bind ${endpoint}`, `accept ${endpoint}`, `handshake:error:protocol ${endpoint}`, `disconnect ${endpoint}`])
  })

  it("an incompatible libzmq peer (PUSH ↔ PUSH)", async () => {
    const theirs = new zmq.Push({ linger: 0 })
    try {
      await theirs.bind("tcp://127.0.0.1:*")
      await using ours = new Push({ linger: 0, reconnectInterval: 1000 })
      const heard = listen(ours)
      ours.connect(theirs.lastEndpoint!)
      const failed = await first(heard, "handshake:error:protocol")
      expect(failed.address).toBe(theirs.lastEndpoint)
      expect(failed.error).toMatchObject({ code: "ERR_ZMTP_INCOMPATIBLE_SOCKET_TYPE" })
      expect(heard.some((event) => event.type === "handshake")).toBe(false)
    } finally {
      theirs.close()
    }
  })

  it("an incompatible inproc peer: both sides hear it", async () => {
    const context = new Context()
    const name = `inproc://monitor-${process.pid}-incompatible`
    const binder = new Push({ context })
    const connecter = new Push({ context })
    await binder.bind(name)
    const binderSeen = listen(binder)
    const connecterSeen = listen(connecter)
    connecter.connect(name)
    for (const seen of [binderSeen, connecterSeen]) {
      expect(seen).toEqual([{ type: "handshake:error:protocol", address: name, error: expect.objectContaining({ code: "EINVAL" }) }])
    }
    context.terminate()
  })
})

// libzmq 4.3.5's PLAIN server asks the ZAP handler at inproc://zeromq.zap.01 of its own context (RFC 27).
let zapContext: zmq.Context | undefined
let zapHandler: zmq.Reply | undefined
afterAll(() => {
  zapHandler?.close()
})

describe("handshake:error:auth", () => {
  it("our PLAIN DEALER's wrong password, refused by libzmq's ZAP handler with status 400", async () => {
    zapContext = new zmq.Context()
    zapHandler = new zmq.Reply({ context: zapContext, linger: 0 })
    await zapHandler.bind("inproc://zeromq.zap.01")
    const requests: string[][] = []
    const handler = zapHandler
    void (async () => {
      try {
        for await (const frames of handler) {
          const [version, requestId] = frames
          requests.push(frames.map(String))
          await handler.send([version ?? "1.0", requestId ?? "", "400", "wrong password", "", ""])
        }
      } catch {
        // closed
      }
    })()
    const router = new zmq.Router({ context: zapContext, plainServer: true, linger: 0 })
    try {
      await router.bind("tcp://127.0.0.1:*")
      await using dealer = new Dealer({ plainUsername: "admin", plainPassword: "wrong", reconnectInterval: 2000, linger: 0 })
      const iterated = iterate(dealer)
      const heard = listen(dealer)
      dealer.connect(router.lastEndpoint!)
      const denied = await first(heard, "handshake:error:auth")
      expect(denied.address).toBe(router.lastEndpoint)
      expect(ZmtpError.isInstance(denied.error)).toBe(true)
      expect(denied.error).toMatchObject({ code: "ERR_ZMTP_PEER_ERROR", reason: "400" })
      await first(iterated.seen, "handshake:error:auth")
      // The ZAP handler saw our credentials (RFC 27 frames: version, id, domain, address, identity, mechanism, user, password).
      expect(requests[0]?.slice(5)).toEqual(["PLAIN", "admin", "wrong"])
      await first(heard, "disconnect")
      expect(heard.map((event) => event.type).slice(0, 3)).toEqual(["connect", "handshake:error:auth", "disconnect"])
      expect(heard.some((event) => event.type === "handshake")).toBe(false)
    } finally {
      router.close()
    }
  })
})

describe("handshake:error:other", () => {
  it("handshakeInterval expires against a peer that never greets: ETIMEDOUT", async () => {
    const silent = await rawServer(() => {})
    await using dealer = new Dealer({ handshakeInterval: 100, reconnectInterval: 5000, linger: 0 })
    const iterated = iterate(dealer)
    const heard = listen(dealer)
    const started = Date.now()
    dealer.connect(silent.endpoint)
    const timedOut = await first(heard, "handshake:error:other")
    const elapsed = Date.now() - started
    expect(elapsed).toBeGreaterThanOrEqual(95)
    expect(elapsed).toBeLessThan(1000)
    expect(timedOut.address).toBe(silent.endpoint)
    expect(ZmqError.isInstance(timedOut.error)).toBe(true)
    expect(timedOut.error).toMatchObject({ code: "ETIMEDOUT", errno: 110 })
    await first(heard, "connect:delay")
    await first(iterated.seen, "connect:delay")
    expect(summary(iterated.seen)).toEqual(summary(heard))
    expect(heard.map((event) => event.type)).toEqual(["connect", "handshake:error:other", "disconnect", "connect:delay"])
    silent.close()
  })

  it("a peer that hangs up mid-handshake: ECONNRESET", async () => {
    const rude = await rawServer((socket) => socket.end())
    await using dealer = new Dealer({ reconnectInterval: 5000, linger: 0 })
    const heard = listen(dealer)
    dealer.connect(rude.endpoint)
    const reset = await first(heard, "handshake:error:other")
    expect(reset).toMatchObject({ address: rude.endpoint, error: { code: "ECONNRESET" } })
    rude.close()
  })
})

describe("the observer itself", () => {
  it("end finishes the iterator; .off stops a listener; nothing is delivered after close", async () => {
    const socket = new Pull({ linger: 0 })
    const bound: string[] = []
    const onBind = (event: SocketEventOfType<"bind">): void => {
      bound.push(event.address)
    }
    socket.events.on("bind", onBind)
    const iterated = iterate(socket)
    await socket.bind("tcp://127.0.0.1:*")
    socket.events.off("bind", onBind)
    await socket.bind(`ipc://${ipcPath()}`)
    expect(bound).toHaveLength(1)
    let ends = 0
    socket.events.on("end", () => ends++)
    socket.close()
    await iterated.ended
    expect(iterated.seen.map((event) => event.type)).toEqual(["bind", "bind", "close", "close", "end"])
    expect(ends).toBe(1)
    expect(socket.events.closed).toBe(true)
    await expect(socket.events.receive()).rejects.toMatchObject({ code: "ETERM" })
    await delay(20)
    expect(iterated.seen).toHaveLength(5)
  })
})
