/**
 * CLIENT ↔ SERVER (RFC 41, draft) over tcp, ipc and inproc: libzmq's test_client_server, and the
 * client/server and gather/scatter cases of test_heartbeats.
 *
 *   client ──"request"──▶ server     each message received is [body, { routingId }]
 *   client ◀──"reply"──── server     send(body, { routingId }) answers that client
 */
import { describe, expect, it } from "vitest"
import { Poller } from "../../src/index.js"
import { Client, Gather, Scatter, Server, type AnySocket } from "../../src/draft.js"
import { track } from "../helpers/cleanup.js"
import { events, nextEvent, recordEvents, settlesWithin, TRANSPORTS } from "../helpers/transports.js"

for (const transport of TRANSPORTS) {
  describe(`CLIENT ↔ SERVER over ${transport.name}`, () => {
    for (const binder of ["server", "client"] as const) {
      it(`a request and its reply by routing id (the ${binder} binds)`, async () => {
        const server = track(new Server())
        const client = track(new Client())
        const [bound, connecting] = binder === "server" ? [server, client] : [client, server]
        await bound.bind(transport.bindAddress())
        connecting.connect(transport.connectAddress(bound))
        await client.send("X")
        const [request, { routingId }] = await server.receive()
        expect(request.toString()).toBe("X")
        expect(routingId).toBeGreaterThan(0)
        expect(Number.isInteger(routingId) && routingId <= 0xffffffff).toBe(true)
        await server.send("Y", { routingId })
        const [reply] = await client.receive()
        expect(reply!.toString()).toBe("Y")
      })
    }

    it("tells clients apart: each reply reaches the client that asked", async () => {
      const server = track(new Server())
      await server.bind(transport.bindAddress())
      const clients = [0, 1, 2].map(() => track(new Client()))
      for (const client of clients) client.connect(transport.connectAddress(server))
      for (const [i, client] of clients.entries()) await client.send(`from ${i}`)
      const ids = new Set<number>()
      for (let i = 0; i < clients.length; i++) {
        const [body, { routingId }] = await server.receive()
        ids.add(routingId)
        await server.send(`to ${body.toString().slice(5)}`, { routingId })
      }
      expect(ids.size).toBe(3)
      for (const [i, client] of clients.entries()) expect((await client.receive())[0]!.toString()).toBe(`to ${i}`)
    })

    it("a Poller waits for a SERVER to be readable", async () => {
      const server = track(new Server())
      const client = track(new Client())
      await server.bind(transport.bindAddress())
      client.connect(transport.connectAddress(server))
      const poller = new Poller<AnySocket>().add(server, "readable").add(client, "writable")
      const first = await poller.poll(5000)
      expect(first.map((item) => item.socket)).toContain(client)
      await client.send("poll me")
      await expect(new Poller<Server>().add(server).poll(5000)).resolves.toHaveLength(1)
      const [body] = await server.receive()
      expect(body.toString()).toBe("poll me")
    })

    it("for await gives [body, { routingId }] on a SERVER", async () => {
      const server = track(new Server())
      const client = track(new Client())
      await server.bind(transport.bindAddress())
      client.connect(transport.connectAddress(server))
      await client.send("one")
      await client.send("two")
      const seen: string[] = []
      for await (const [body, { routingId }] of server) {
        expect(routingId).toBeGreaterThan(0)
        seen.push(body.toString())
        if (seen.length === 2) break
      }
      expect(seen).toEqual(["one", "two"])
    })
  })
}

describe("CLIENT/SERVER rules (test_client_server)", () => {
  it("refuses a multipart send on CLIENT and SERVER: EINVAL (ZMQ_SNDMORE)", async () => {
    const server = track(new Server())
    const client = track(new Client())
    await server.bind("inproc://client-server-sndmore")
    client.connect("inproc://client-server-sndmore")
    await expect(client.send(["A", "B"])).rejects.toMatchObject({ code: "EINVAL" })
    await client.send(["just one"])
    const [body, { routingId }] = await server.receive()
    expect(body.toString()).toBe("just one")
    await expect(server.send(["A", "B"], { routingId })).rejects.toMatchObject({ code: "EINVAL" })
  })

  it("SERVER: a routing id of no peer is EHOSTUNREACH; 0, none or no integer is EINVAL", async () => {
    const server = track(new Server())
    await expect(server.send("x", { routingId: 12345 })).rejects.toMatchObject({ code: "EHOSTUNREACH" })
    await expect(server.send("x", { routingId: 0 })).rejects.toMatchObject({ code: "EINVAL" })
    await expect(server.send("x")).rejects.toMatchObject({ code: "EINVAL" })
    await expect(server.send("x", { routingId: 1.5 })).rejects.toMatchObject({ code: "EINVAL" })
    await expect(server.send("x", { routingId: 2 ** 32 })).rejects.toMatchObject({ code: "EINVAL" })
  })

  it("SERVER: a peer whose pipe is full is EAGAIN at once (as zeromq.js: server.cpp with ZMQ_DONTWAIT)", async () => {
    const server = track(new Server({ sendHighWaterMark: 1 }))
    const client = track(new Client({ receiveHighWaterMark: 1 }))
    await server.bind("inproc://client-server-full")
    client.connect("inproc://client-server-full")
    await client.send("hi")
    const [, { routingId }] = await server.receive()
    // inproc's pipe holds SNDHWM + RCVHWM = 2 messages.
    await server.send("1", { routingId })
    await server.send("2", { routingId })
    await expect(server.send("3", { routingId })).rejects.toMatchObject({ code: "EAGAIN" })
    expect((await client.receive())[0]!.toString()).toBe("1")
    await server.send("3", { routingId })
    expect((await client.receive())[0]!.toString()).toBe("2")
    expect((await client.receive())[0]!.toString()).toBe("3")
  })

  it("a peer gone: its routing id is EHOSTUNREACH afterwards", async () => {
    const server = track(new Server())
    const client = new Client()
    await server.bind("tcp://127.0.0.1:*")
    const gone = nextEvent(server, "disconnect")
    client.connect(server.lastEndpoint!)
    await client.send("bye")
    const [, { routingId }] = await server.receive()
    client.close()
    await gone
    await expect(server.send("late", { routingId })).rejects.toMatchObject({ code: "EHOSTUNREACH" })
  })

  it("reads threadSafe true and libzmq's type numbers (SERVER 12, CLIENT 13)", () => {
    const server = track(new Server())
    const client = track(new Client())
    expect([server.type, client.type, server.threadSafe, client.threadSafe]).toEqual([12, 13, true, true])
  })
})

describe("heartbeats on the draft types (test_heartbeats)", () => {
  for (const [name, makeBinder, makeConnecter] of [
    ["client/server", () => new Server({ linger: 0 }), (options: object) => new Client(options)],
    ["gather/scatter", () => new Scatter({ linger: 0 }), (options: object) => new Gather(options)],
  ] as const) {
    it(`${name}: the peer's TTL in its PINGs drops a silent connection (test_heartbeat_ttl)`, async () => {
      const binder = track(makeBinder())
      await binder.bind("tcp://127.0.0.1:*")
      const accepted = nextEvent(binder, "accept")
      const dropped = nextEvent(binder, "disconnect")
      // TTL 100 ms, but the next PING only after 250 ms: the binder, which sends none, times out first.
      const connecter = track(makeConnecter({ heartbeatTimeToLive: 100, heartbeatInterval: 250, linger: 0 }))
      connecter.connect(binder.lastEndpoint!)
      await accepted
      await dropped
    })

    it(`${name}: PINGs answered keep the connection (test_heartbeat_notimeout)`, async () => {
      const binder = track(makeBinder())
      binder.heartbeatInterval = 50
      binder.heartbeatTimeout = 300 // libzmq's default is the interval; some slack for a loaded machine
      await binder.bind("tcp://127.0.0.1:*")
      const up = events(binder, "handshake")
      const connecter = track(makeConnecter({ linger: 0 }))
      connecter.connect(binder.lastEndpoint!)
      await up
      // Twenty heartbeat intervals, three timeouts, without a disconnect.
      expect(await settlesWithin(nextEvent(binder, "disconnect"), 1000)).toBe(false)
    })
  }
})

describe("only the RFC pairs connect (a SERVER with a non-CLIENT peer fails the handshake, as in libzmq)", () => {
  for (const transport of TRANSPORTS) {
    it(`${transport.name}: a SERVER refuses a SCATTER, a CLIENT refuses a GATHER; nothing passes`, async () => {
      const server = track(new Server({ receiveTimeout: 200 }))
      const client = track(new Client())
      await server.bind(transport.bindAddress())
      await client.bind(transport.bindAddress())
      const serverEvents = recordEvents(server)
      const dropped = transport.name === "inproc" ? Promise.resolve() : Promise.all([nextEvent(server, "disconnect"), nextEvent(client, "disconnect")])
      const scatter = track(new Scatter({ linger: 0 }))
      const gather = track(new Gather({ linger: 0, receiveTimeout: 200 }))
      scatter.connect(transport.connectAddress(server))
      gather.connect(transport.connectAddress(client))
      void scatter.send("must not arrive").catch(() => undefined)
      await dropped
      await expect(server.receive()).rejects.toMatchObject({ code: "EAGAIN" })
      expect(serverEvents).not.toContain("handshake")
      expect(server.peerCount + client.peerCount).toBe(0)
    })
  }
})
