/**
 * ZMQ_HELLO_MSG, ZMQ_DISCONNECT_MSG, ZMQ_HICCUP_MSG (`helloMessage`, `disconnectMessage`, `hiccupMessage`):
 * libzmq's tests/test_hello_msg.cpp, test_disconnect_msg.cpp and test_hiccup_msg.cpp on the stable types
 * that have them (ROUTER, DEALER), over tcp, ipc and inproc where libzmq has them, and with libzmq peers.
 *
 *   dealer(hello "H") ──connect──▶ router(hello "W", disconnectMessage "D")
 *      ◀── "W"                      ──▶ [id]["H"]         first message of every connection
 *   dealer closes                   ──▶ [id]["D"]         an accepted peer gone (inproc: disconnect/close)
 *   router closes   ──▶ dealer(hiccupMessage "C") gets "C"  a connection we made dropped (tcp, ipc)
 */
import { createServer, type Socket as NetSocket } from "node:net"
import { describe, expect, it } from "vitest"
import type * as zmq from "zeromq"
import { Dealer, Pair, Publisher, Pull, Push, Reply, Request, Router, Subscriber, XPublisher, XSubscriber } from "../../src/index.js"
import { afterThisTest, track } from "../helpers/cleanup.js"
import { theirs } from "../helpers/libzmq-peers.js"
import { nextEvent, text, TRANSPORTS } from "../helpers/transports.js"

const STREAM_TRANSPORTS = TRANSPORTS.filter((transport) => transport.name !== "inproc")
const inproc = TRANSPORTS.find((transport) => transport.name === "inproc")!

const TIMEOUTS = { receiveTimeout: 5000, sendTimeout: 5000 }
const router = (options: ConstructorParameters<typeof Router>[0] = {}): Router => track(new Router({ ...TIMEOUTS, ...options }))
const dealer = (options: ConstructorParameters<typeof Dealer>[0] = {}): Dealer => track(new Dealer({ ...TIMEOUTS, ...options }))

async function expectNothingWaiting(socket: Router | Dealer): Promise<void> {
  socket.receiveTimeout = 0
  await expect(socket.receive()).rejects.toMatchObject({ code: "EAGAIN" })
}

describe("the options", () => {
  const CLASSES = { Pair, Publisher, Subscriber, Request, Reply, Dealer, Router, Pull, Push, XPublisher, XSubscriber }
  const HAVE: Record<string, string[]> = {
    helloMessage: ["Router", "Dealer"],
    disconnectMessage: ["Router"],
    hiccupMessage: ["Dealer"],
  }

  it.each(Object.keys(HAVE))("%s is on the types libzmq lets act on it (of the stable ones), default null", (option) => {
    for (const [name, Class] of Object.entries(CLASSES)) {
      const socket = track(new (Class as unknown as new () => Record<string, unknown> & { close(): void })())
      expect(option in socket, `${name}.${option}`).toBe(HAVE[option]!.includes(name))
      if (option in socket) expect(socket[option]).toBe(null)
      else expect(() => (socket[option] = "x")).toThrow(TypeError)
    }
  })

  it("take a string or a Buffer and read back as text; null clears; a number is zeromq.js's TypeError", () => {
    const socket = router({ helloMessage: "hi", disconnectMessage: Buffer.from("bye") as unknown as string })
    expect(socket.helloMessage).toBe("hi")
    expect(socket.disconnectMessage).toBe("bye")
    socket.helloMessage = null
    expect(socket.helloMessage).toBe(null)
    expect(() => {
      socket.helloMessage = 1 as unknown as string
    }).toThrow(new TypeError("Option value must be a string or buffer"))
  })

  it("an empty message means none, as in libzmq: nothing is sent", async () => {
    const server = router({ helloMessage: "" })
    expect(server.helloMessage).toBe("")
    await server.bind(inproc.bindAddress())
    const client = dealer({ routingId: "d1" })
    client.connect(inproc.connectAddress(server))
    await client.send("first")
    expect(text(await server.receive())).toEqual(["d1", "first"])
    await server.send(["d1", "reply"])
    expect(text(await client.receive())).toEqual(["reply"])
  })
})

for (const transport of TRANSPORTS) {
  describe(`helloMessage over ${transport.name}`, () => {
    it("a bound ROUTER's hello reaches each DEALER that connects (test_hello_msg)", async () => {
      const server = router({ helloMessage: "H" })
      await server.bind(transport.bindAddress())
      const first = dealer()
      const second = dealer()
      first.connect(transport.connectAddress(server))
      second.connect(transport.connectAddress(server))
      expect(text(await first.receive())).toEqual(["H"])
      expect(text(await second.receive())).toEqual(["H"])
    })

    it("a connecting DEALER's hello comes before what it queued, and the ROUTER sees it under the DEALER's id", async () => {
      const address = await transport.fixedAddress()
      const client = dealer({ routingId: "d1", helloMessage: "H" })
      client.connect(address)
      await client.send("queued before the bind")
      const server = router({ helloMessage: "W" })
      await server.bind(address)
      expect(text(await server.receive())).toEqual(["d1", "H"])
      expect(text(await server.receive())).toEqual(["d1", "queued before the bind"])
      expect(text(await client.receive())).toEqual(["W"]) // test_inproc_late_bind: both hellos
    })
  })
}

for (const transport of STREAM_TRANSPORTS) {
  it(`helloMessage is sent again on every reconnect over ${transport.name}`, async () => {
    const address = await transport.fixedAddress()
    const client = dealer({ routingId: "d1", helloMessage: "H", reconnectInterval: 20 })
    let server = router()
    await server.bind(address)
    client.connect(address)
    expect(text(await server.receive())).toEqual(["d1", "H"])
    const dropped = nextEvent(client, "disconnect")
    server.close()
    await dropped
    server = router()
    await server.bind(address)
    expect(text(await server.receive())).toEqual(["d1", "H"])
  })
}

for (const transport of TRANSPORTS) {
  describe(`disconnectMessage over ${transport.name}`, () => {
    it("a ROUTER receives [id][message] when an accepted peer closes (test_disconnect_msg)", async () => {
      const server = router({ disconnectMessage: "D" })
      await server.bind(transport.bindAddress())
      const client = dealer({ routingId: "d1", helloMessage: "H" })
      client.connect(transport.connectAddress(server))
      expect(text(await server.receive())).toEqual(["d1", "H"])
      client.close()
      expect(text(await server.receive())).toEqual(["d1", "D"])
    })

    it("and when the peer disconnects (test_inproc_disconnect)", async () => {
      const server = router({ disconnectMessage: "D" })
      await server.bind(transport.bindAddress())
      const address = transport.connectAddress(server)
      const client = dealer({ routingId: "d1" })
      client.connect(address)
      await client.send("here")
      expect(text(await server.receive())).toEqual(["d1", "here"])
      client.disconnect(address)
      expect(text(await server.receive())).toEqual(["d1", "D"])
    })
  })
}

for (const transport of STREAM_TRANSPORTS) {
  describe(`only where libzmq sends them, over ${transport.name}`, () => {
    it("no disconnectMessage for a connection the ROUTER made itself", async () => {
      const peer = dealer({ routingId: "srv" })
      await peer.bind(transport.bindAddress())
      const client = router({ disconnectMessage: "D" })
      client.connect(transport.connectAddress(peer), { routingId: "srv" })
      await client.send(["srv", "ping"])
      expect(text(await peer.receive())).toEqual(["ping"])
      const dropped = nextEvent(client, "disconnect")
      peer.close()
      await dropped
      await expectNothingWaiting(client)
    })

    it("a DEALER receives its hiccupMessage when a connection it made drops (test_hiccup_msg), and reconnects", async () => {
      const address = await transport.fixedAddress()
      let server = router()
      await server.bind(address)
      const client = dealer({ routingId: "d1", helloMessage: "HELLO", hiccupMessage: "HICCUP", reconnectInterval: 20 })
      client.connect(address)
      expect(text(await server.receive())).toEqual(["d1", "HELLO"])
      server.close()
      expect(text(await client.receive())).toEqual(["HICCUP"])
      server = router()
      await server.bind(address)
      expect(text(await server.receive())).toEqual(["d1", "HELLO"])
    })

    it("no hiccupMessage for an accepted connection", async () => {
      const server = dealer({ hiccupMessage: "HICCUP" })
      await server.bind(transport.bindAddress())
      const client = dealer()
      const accepted = nextEvent(server, "handshake")
      client.connect(transport.connectAddress(server))
      await accepted
      const dropped = nextEvent(server, "disconnect")
      client.close()
      await dropped
      await expectNothingWaiting(server)
    })

    it("no hiccupMessage for a connection whose handshake never completed", async () => {
      const address = await transport.fixedAddress()
      const sockets: NetSocket[] = []
      const hangUp = createServer((socket) => {
        sockets.push(socket)
        socket.destroy()
      })
      await new Promise<void>((resolve) =>
        address.startsWith("ipc://") ? hangUp.listen(address.slice("ipc://".length), resolve) : hangUp.listen(Number(address.slice(address.lastIndexOf(":") + 1)), "127.0.0.1", resolve),
      )
      afterThisTest(() => {
        for (const socket of sockets) socket.destroy()
        hangUp.close()
      })
      const client = dealer({ hiccupMessage: "HICCUP", reconnectInterval: 20 })
      const dropped = nextEvent(client, "disconnect")
      client.connect(address)
      await dropped
      await expectNothingWaiting(client)
    })
  })
}

describe("with libzmq peers", () => {
  for (const transport of STREAM_TRANSPORTS) {
    it(`a libzmq DEALER receives our ROUTER's hello first, over ${transport.name}`, async () => {
      const server = router({ helloMessage: "H" })
      await server.bind(transport.bindAddress())
      const client = theirs("DEALER", { routingId: "libzmq-d" }) as zmq.Dealer
      client.connect(transport.connectAddress(server))
      expect(text(await client.receive())).toEqual(["H"])
      await client.send("reply")
      expect(text(await server.receive())).toEqual(["libzmq-d", "reply"])
    })

    it(`a libzmq ROUTER receives our DEALER's hello under its id, then our DEALER's hiccup when it closes, over ${transport.name}`, async () => {
      const server = theirs("ROUTER") as zmq.Router
      await server.bind(transport.bindAddress())
      const client = dealer({ routingId: "ours-d", helloMessage: "H", hiccupMessage: "C" })
      client.connect(server.lastEndpoint!)
      expect(text(await server.receive())).toEqual(["ours-d", "H"])
      server.close()
      expect(text(await client.receive())).toEqual(["C"])
    })

    it(`our ROUTER gets its disconnectMessage when a libzmq DEALER closes, over ${transport.name}`, async () => {
      const server = router({ disconnectMessage: "D" })
      await server.bind(transport.bindAddress())
      const client = theirs("DEALER", { routingId: "libzmq-d" }) as zmq.Dealer
      client.connect(transport.connectAddress(server))
      await client.send("here")
      expect(text(await server.receive())).toEqual(["libzmq-d", "here"])
      client.close()
      expect(text(await server.receive())).toEqual(["libzmq-d", "D"])
    })
  }
})
