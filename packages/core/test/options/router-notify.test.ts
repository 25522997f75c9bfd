/**
 * ZMQ_ROUTER_NOTIFY (`routerNotify`), libzmq's tests/test_router_notify.cpp over tcp and ipc, and against
 * a libzmq DEALER (zeromq.js 6.8's libzmq 4.3.5).
 *
 *   dealer "X" ──connect──▶ router(routerNotify)   ──▶ [X][]        handshake done   (NOTIFY_CONNECT 1)
 *              ◀─────────── …                      ──▶ [X][Hello]   data as usual
 *              ──disconnect                        ──▶ [X][]        connection gone  (NOTIFY_DISCONNECT 2)
 */
import { createConnection } from "node:net"
import { describe, expect, it } from "vitest"
import type * as zmq from "zeromq"
import { Dealer, NOTIFY_CONNECT, NOTIFY_DISCONNECT, Router, ZmqError } from "../../src/index.js"
import { afterThisTest, track } from "../helpers/cleanup.js"
import { theirs } from "../helpers/libzmq-peers.js"
import { nextEvent, text, TRANSPORTS } from "../helpers/transports.js"

const STREAM_TRANSPORTS = TRANSPORTS.filter((transport) => transport.name !== "inproc")
const inproc = TRANSPORTS.find((transport) => transport.name === "inproc")!

function router(options: ConstructorParameters<typeof Router>[0] = {}): Router {
  return track(new Router({ receiveTimeout: 5000, ...options }))
}

async function expectNothingWaiting(socket: Router): Promise<void> {
  socket.receiveTimeout = 0
  await expect(socket.receive()).rejects.toMatchObject({ code: "EAGAIN" })
}

describe("routerNotify: the option", () => {
  it("defaults to 0, takes 0 to 3 and reads back, refuses anything else with EINVAL and keeps its value", () => {
    const socket = router()
    expect(socket.routerNotify).toBe(0)
    for (const value of [NOTIFY_CONNECT, NOTIFY_DISCONNECT, 0, NOTIFY_CONNECT | NOTIFY_DISCONNECT]) {
      socket.routerNotify = value
      expect(socket.routerNotify).toBe(value)
    }
    for (const bad of [-1, 4]) {
      let error: unknown
      try {
        socket.routerNotify = bad
      } catch (caught) {
        error = caught
      }
      expect(ZmqError.isInstance(error)).toBe(true)
      expect(error).toMatchObject({ code: "EINVAL" })
    }
    expect(socket.routerNotify).toBe(3)
    expect(() => {
      socket.routerNotify = "1" as unknown as number
    }).toThrow(new TypeError("Option value must be a number"))
    expect(new Router({ routerNotify: 2 }).routerNotify).toBe(2)
  })

  it("is ROUTER's alone: a DEALER has no such property (sealed, as other types' options)", () => {
    const dealer = track(new Dealer())
    expect("routerNotify" in dealer).toBe(false)
    expect(() => ((dealer as unknown as Record<string, unknown>).routerNotify = 1)).toThrow(TypeError)
  })
})

for (const transport of STREAM_TRANSPORTS) {
  describe(`routerNotify over ${transport.name}`, () => {
    for (const notify of [NOTIFY_CONNECT, NOTIFY_DISCONNECT, NOTIFY_CONNECT | NOTIFY_DISCONNECT]) {
      it(`notify ${notify}: [id][] on ${notify & 1 ? "connect" : ""}${notify === 3 ? " and " : ""}${notify & 2 ? "disconnect" : ""}, data in between untouched`, async () => {
        const server = router({ routerNotify: notify })
        await server.bind(transport.bindAddress())
        const address = transport.connectAddress(server)
        const dealer = track(new Dealer({ routingId: "X" }))
        const accepted = nextEvent(server, "handshake")
        dealer.connect(address)
        await accepted
        if (notify & NOTIFY_CONNECT) expect(text(await server.receive())).toEqual(["X", ""])
        await dealer.send("Hello")
        expect(text(await server.receive())).toEqual(["X", "Hello"])
        const gone = nextEvent(server, "disconnect")
        dealer.disconnect(address)
        await gone
        if (notify & NOTIFY_DISCONNECT) expect(text(await server.receive())).toEqual(["X", ""])
        await expectNothingWaiting(server)
      })
    }

    it("notify 0 (the default): no notification either way", async () => {
      const server = router()
      await server.bind(transport.bindAddress())
      const dealer = track(new Dealer({ routingId: "X" }))
      dealer.connect(transport.connectAddress(server))
      await dealer.send("Hello")
      expect(text(await server.receive())).toEqual(["X", "Hello"])
      const gone = nextEvent(server, "disconnect")
      dealer.close()
      await gone
      await expectNothingWaiting(server)
    })

    it("a connecting ROUTER is notified too: each handshake (reconnects included) and each drop", async () => {
      const client = router({ routerNotify: NOTIFY_CONNECT | NOTIFY_DISCONNECT })
      let peer = track(new Dealer({ routingId: "srv" }))
      const address = await transport.fixedAddress()
      await peer.bind(address)
      client.connect(address)
      expect(text(await client.receive())).toEqual(["srv", ""])
      const dropped = nextEvent(client, "disconnect")
      peer.close()
      await dropped
      expect(text(await client.receive())).toEqual(["srv", ""])
      peer = track(new Dealer({ routingId: "srv" }))
      await peer.bind(address)
      expect(text(await client.receive())).toEqual(["srv", ""])
      await client.send(["srv", "after reconnect"])
      expect(text(await peer.receive())).toEqual(["after reconnect"])
    })

    for (const library of ["ours", "libzmq"] as const) {
      it(`a connection that fails mid-message (maxMessageSize) gives the notification alone, not the partial message, with ${library === "ours" ? "our" : "a libzmq"} DEALER (test_error_during_multipart)`, async () => {
        const server = router({ routerNotify: NOTIFY_DISCONNECT, maxMessageSize: 64 })
        await server.bind(transport.bindAddress())
        const address = transport.connectAddress(server)
        const dealer: { send(message: string[]): Promise<void> } =
          library === "ours" ? track(new Dealer({ routingId: "X" })) : (theirs("DEALER", { routingId: "X" }) as zmq.Dealer)
        ;(dealer as unknown as { connect(address: string): void }).connect(address)
        await dealer.send(["Hello2", "*".repeat(127)])
        expect(text(await server.receive())).toEqual(["X", ""])
        await expectNothingWaiting(server)
      })
    }

    it("a handshake that fails raises no notification (test_handshake_fail)", async () => {
      const server = router({ routerNotify: NOTIFY_CONNECT | NOTIFY_DISCONNECT, handshakeInterval: 200 })
      await server.bind(transport.bindAddress())
      const failed = nextEvent(server, "handshake:error:protocol")
      const endpoint = transport.connectAddress(server)
      const raw =
        transport.name === "tcp"
          ? createConnection({ host: "127.0.0.1", port: Number(endpoint.slice(endpoint.lastIndexOf(":") + 1)) })
          : createConnection({ path: endpoint.slice("ipc://".length) })
      afterThisTest(() => raw.destroy())
      raw.on("error", () => {})
      raw.write(Buffer.alloc(64, "not-a-handshake"))
      await failed
      await expectNothingWaiting(server)
    })
  })
}

describe("routerNotify over inproc", () => {
  it("has no effect: libzmq notifies for stream transports only", async () => {
    const server = router({ routerNotify: NOTIFY_CONNECT | NOTIFY_DISCONNECT })
    await server.bind(inproc.bindAddress())
    const dealer = track(new Dealer({ routingId: "X" }))
    dealer.connect(inproc.connectAddress(server))
    await dealer.send("Hello")
    expect(text(await server.receive())).toEqual(["X", "Hello"])
    dealer.close()
    await expectNothingWaiting(server)
  })
})

describe("routerNotify with a libzmq peer", () => {
  for (const transport of STREAM_TRANSPORTS) {
    it(`our ROUTER sees a libzmq DEALER connect and leave over ${transport.name}`, async () => {
      const server = router({ routerNotify: NOTIFY_CONNECT | NOTIFY_DISCONNECT })
      await server.bind(transport.bindAddress())
      const dealer = theirs("DEALER", { routingId: "libzmq-X" }) as zmq.Dealer
      dealer.connect(transport.connectAddress(server))
      expect(text(await server.receive())).toEqual(["libzmq-X", ""])
      await dealer.send("Hello")
      expect(text(await server.receive())).toEqual(["libzmq-X", "Hello"])
      dealer.close()
      expect(text(await server.receive())).toEqual(["libzmq-X", ""])
    })
  }

  it("a connecting ROUTER is notified when the libzmq DEALER it reached goes away", async () => {
    const dealer = theirs("DEALER", { routingId: "libzmq-srv" }) as zmq.Dealer
    await dealer.bind("tcp://127.0.0.1:*")
    const client = router({ routerNotify: NOTIFY_CONNECT | NOTIFY_DISCONNECT })
    client.connect(dealer.lastEndpoint!)
    expect(text(await client.receive())).toEqual(["libzmq-srv", ""])
    await client.send(["libzmq-srv", "ping"])
    expect(text(await dealer.receive())).toEqual(["ping"])
    dealer.close()
    expect(text(await client.receive())).toEqual(["libzmq-srv", ""])
  })
})
