/**
 * ws:// path routing (docs/decisions/0013): sockets of one or several contexts bound on one host:port under
 * different paths share its listener; an upgrade reaches the socket bound at its path, or the one bound at
 * "/" (which takes any path, as libzmq's server does); else 404. The same path twice is EADDRINUSE;
 * unbinding one path keeps the others; the last unbind closes the port.
 */
import { connect as netConnect } from "node:net"
import { describe, expect, it } from "vitest"
import { Context, Reply, Request, type SocketEvent } from "../../src/index.js"
import { afterThisTest, track } from "../helpers/cleanup.js"
import { bareClient } from "./bare-ws-peer.js"

const portOf = (endpoint: string): number => Number(new URL(endpoint.replace(/^ws:/, "http:")).port)

/** A REP that answers every request with its own name. */
function named(name: string, context?: Context): Reply {
  const rep = track(new Reply(context === undefined ? {} : { context }))
  void (async () => {
    try {
      for await (const _request of rep) await rep.send(name)
    } catch {
      // closed
    }
  })()
  return rep
}

async function ask(endpoint: string): Promise<string> {
  const req = track(new Request({ reconnectInterval: 20 }))
  req.connect(endpoint)
  await req.send("who")
  const [reply] = await req.receive()
  req.close()
  return reply!.toString()
}

/** An HTTP upgrade for `path` on a raw socket: what the server answers before it closes. */
function rawUpgrade(port: number, path: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = netConnect(port, "127.0.0.1")
    afterThisTest(() => socket.destroy())
    let data = ""
    socket.on("data", (chunk: Buffer) => (data += chunk.toString("latin1")))
    socket.on("error", () => undefined)
    socket.once("close", () => resolve(data))
    socket.write(
      `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Protocol: ZWS2.0/NULL,ZWS2.0\r\nSec-WebSocket-Version: 13\r\n\r\n",
    )
  })
}

describe("ws:// path routing on one port", () => {
  it("sockets of one context and of another share a port under their paths; lastEndpoint carries the path", async () => {
    const a = named("a")
    await a.bind("ws://127.0.0.1:*/a")
    expect(a.lastEndpoint).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/a$/)
    const port = portOf(a.lastEndpoint!)
    const b = named("b")
    await b.bind(`ws://127.0.0.1:${port}/b`)
    expect(b.lastEndpoint).toBe(`ws://127.0.0.1:${port}/b`)
    const other = new Context()
    const c = named("c", other)
    await c.bind(`ws://127.0.0.1:${port}/deep/c`)
    expect(await ask(`ws://127.0.0.1:${port}/b`)).toBe("b")
    expect(await ask(`ws://127.0.0.1:${port}/a`)).toBe("a")
    expect(await ask(`ws://127.0.0.1:${port}/deep/c`)).toBe("c")
    // A query string does not change the route (a browser's URL may carry one).
    const client = await bareClient(`ws://127.0.0.1:${port}/b?token=1`)
    client.send([""])
    expect((await client.receive()).map(String)).toEqual([""])
  })

  it("an unknown path gets 404 and is closed, reported to the port's first socket; the bound paths keep working", async () => {
    const a = named("a")
    const events: SocketEvent[] = []
    a.events.on("handshake:error:other", (event: SocketEvent) => events.push(event))
    await a.bind("ws://127.0.0.1:*/a")
    const port = portOf(a.lastEndpoint!)
    const b = named("b")
    await b.bind(`ws://127.0.0.1:${port}/b`)
    expect(await rawUpgrade(port, "/nowhere")).toMatch(/^HTTP\/1\.1 404 /)
    for (let i = 0; i < 100 && events.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 10))
    expect((events[0] as { error?: { code?: string } }).error?.code).toBe("ENOENT")
    expect(await ask(`ws://127.0.0.1:${port}/a`)).toBe("a")
    expect(await ask(`ws://127.0.0.1:${port}/b`)).toBe("b")
  })

  it('a socket bound at "/" (or with no path) takes every path no other socket is bound at', async () => {
    const root = named("root")
    await root.bind("ws://127.0.0.1:*")
    expect(root.lastEndpoint).toMatch(/\/$/)
    const port = portOf(root.lastEndpoint!)
    const a = named("a")
    await a.bind(`ws://127.0.0.1:${port}/a`)
    expect(await ask(`ws://127.0.0.1:${port}/anything`)).toBe("root")
    expect(await ask(`ws://127.0.0.1:${port}/a`)).toBe("a")
  })

  it("the same path twice is EADDRINUSE (with bind:error); the port stays serving", async () => {
    const a = named("a")
    await a.bind("ws://127.0.0.1:*/a")
    const port = portOf(a.lastEndpoint!)
    const again = named("again")
    const failures: SocketEvent[] = []
    again.events.on("bind:error", (event: SocketEvent) => failures.push(event))
    await expect(again.bind(`ws://127.0.0.1:${port}/a`)).rejects.toMatchObject({ code: "EADDRINUSE" })
    expect(failures).toHaveLength(1)
    expect(await ask(`ws://127.0.0.1:${port}/a`)).toBe("a")
  })

  it("two binds of a new explicit port at once share it", async () => {
    const probe = named("probe")
    await probe.bind("ws://127.0.0.1:*/probe")
    const port = portOf(probe.lastEndpoint!)
    await probe.unbind(probe.lastEndpoint!)
    const a = named("a")
    const b = named("b")
    await Promise.all([a.bind(`ws://127.0.0.1:${port}/a`), b.bind(`ws://127.0.0.1:${port}/b`)])
    expect(await ask(`ws://127.0.0.1:${port}/a`)).toBe("a")
    expect(await ask(`ws://127.0.0.1:${port}/b`)).toBe("b")
  })

  it("unbinding one path keeps the others; the last unbind closes the port", async () => {
    const a = named("a")
    await a.bind("ws://127.0.0.1:*/a")
    const port = portOf(a.lastEndpoint!)
    const b = named("b")
    await b.bind(`ws://127.0.0.1:${port}/b`)
    const closes: SocketEvent[] = []
    a.events.on("close", (event: SocketEvent) => closes.push(event))
    await a.unbind(a.lastEndpoint!)
    expect(closes.map((event) => (event as { address?: string }).address)).toEqual([`ws://127.0.0.1:${port}/a`])
    expect(await rawUpgrade(port, "/a")).toMatch(/^HTTP\/1\.1 404 /)
    expect(await ask(`ws://127.0.0.1:${port}/b`)).toBe("b")
    // The path is free again.
    await a.bind(`ws://127.0.0.1:${port}/a`)
    expect(await ask(`ws://127.0.0.1:${port}/a`)).toBe("a")
    await a.unbind(`ws://127.0.0.1:${port}/a`)
    await b.unbind(`ws://127.0.0.1:${port}/b`)
    const refused = await new Promise<string | undefined>((resolve) => {
      const socket = netConnect(port, "127.0.0.1")
      socket.once("connect", () => {
        socket.destroy()
        resolve(undefined)
      })
      socket.once("error", (error: NodeJS.ErrnoException) => resolve(error.code))
    })
    expect(refused).toBe("ECONNREFUSED")
  })
})
