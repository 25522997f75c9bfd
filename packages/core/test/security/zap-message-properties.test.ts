/**
 * `messageProperty(frame, name)`, libzmq's zmq_msg_gets: the User-Id and metadata a ZAP handler gave a
 * connection, with Peer-Address, Socket-Type and Identity/Routing-Id, on every frame of every message
 * received on it, over tcp and ipc; nothing at all on connections no handler vouched for.
 *
 *   DEALER(s) ──tcp/ipc──▶ PLAIN ROUTER ──▶ ZAP handler: user id = username, metadata { Department }
 */
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { Context, Dealer, Pull, Push, Router, messageProperty } from "../../src/index.js"
import { metadata, reply, startZapHandler, track, type ZapAnswer } from "./zap-handler.js"

const TRANSPORTS = ["tcp", "ipc"] as const
type TransportName = (typeof TRANSPORTS)[number]

let ipcCount = 0
function bindAddress(transport: TransportName): string {
  return transport === "tcp" ? "tcp://127.0.0.1:*" : `ipc://${join(tmpdir(), `zmq-ts-zap-props-${process.pid}-${++ipcCount}.sock`)}`
}

/** Everyone in; the user id is the username, the metadata names its department. */
const byUsername: ZapAnswer = (request) => {
  const username = String(request.credentials[0])
  return reply(request, "200", username, metadata({ Department: `${username}-dept`, "User-Id": "not this one" }))
}

async function plainServer(transport: TransportName, options: Record<string, unknown> = {}) {
  const context = new Context()
  await startZapHandler(context, byUsername)
  const server = track(new Router({ context, plainServer: true, linger: 0, ...options }))
  await server.bind(bindAddress(transport))
  return server
}

function plainClient(server: Router, username: string, options: Record<string, unknown> = {}): Dealer {
  const client = track(new Dealer({ plainUsername: username, plainPassword: "pw", routingId: `${username}-id`, linger: 0, ...options }))
  client.connect(server.lastEndpoint!)
  return client
}

describe.each(TRANSPORTS)("message properties over %s", (transport) => {
  it("every frame of a message, the ROUTER's routing id frame included, has the connection's properties", async () => {
    const server = await plainServer(transport)
    const client = plainClient(server, "alice")
    await client.send(["one", "", Buffer.alloc(300, 1)])
    const message = await server.receive()
    expect(message).toHaveLength(4)
    for (const frame of message) {
      expect(messageProperty(frame, "User-Id")).toBe("alice") // the reply's frame, not its metadata's "User-Id"
      expect(messageProperty(frame, "Department")).toBe("alice-dept")
      expect(messageProperty(frame, "Peer-Address")).toBe(transport === "tcp" ? "127.0.0.1" : "localhost")
      expect(messageProperty(frame, "Socket-Type")).toBe("DEALER")
      expect(messageProperty(frame, "Identity")).toBe("alice-id")
      expect(messageProperty(frame, "Routing-Id")).toBe("alice-id")
    }
    // Names are case-insensitive, as ZMTP property names are; an unknown one is undefined.
    expect(messageProperty(message[1]!, "user-id")).toBe("alice")
    expect(messageProperty(message[1]!, "X-Nothing")).toBeUndefined()
  })

  it("two connections, messages interleaved: each message tells its own connection's user", async () => {
    const server = await plainServer(transport)
    const alice = plainClient(server, "alice")
    const bob = plainClient(server, "bob")
    for (let i = 0; i < 50; i++) {
      await alice.send(`alice ${i}`)
      await bob.send(`bob ${i}`)
    }
    for (let i = 0; i < 100; i++) {
      const [routingId, body] = await server.receive()
      const owner = String(body).split(" ")[0]
      expect(messageProperty(body!, "User-Id")).toBe(owner)
      expect(messageProperty(routingId!, "User-Id")).toBe(owner)
    }
  })

  it("a frame split across reads (1 MiB) and thousands of small ones in one read", async () => {
    const server = await plainServer(transport)
    const client = plainClient(server, "carol")
    await client.send(Buffer.alloc(1024 * 1024, 7))
    for (let i = 0; i < 5000; i++) await client.send(`small ${i}`)
    const [, large] = await server.receive()
    expect(large!.length).toBe(1024 * 1024)
    expect(messageProperty(large!, "User-Id")).toBe("carol")
    for (let i = 0; i < 5000; i++) {
      const [, small] = await server.receive()
      expect(messageProperty(small!, "User-Id")).toBe("carol")
    }
  })

  it("messages queued past the compact threshold (40000 waiting) keep their properties", async () => {
    const context = new Context()
    await startZapHandler(context, byUsername)
    const pull = track(new Pull({ context, plainServer: true, receiveHighWaterMark: 0, linger: 0 }))
    await pull.bind(bindAddress(transport))
    const push = track(new Push({ plainUsername: "dave", plainPassword: "pw", sendHighWaterMark: 0, linger: 0 }))
    push.connect(pull.lastEndpoint!)
    const count = 40_000
    for (let i = 0; i < count; i++) void push.send("x")
    // Let them all arrive before reading, so the queue stores frames compactly and rebuilds them on read.
    await new Promise((resolve) => setTimeout(resolve, 300))
    for (let i = 0; i < count; i++) {
      const [frame] = await pull.receive()
      if (i % 997 === 0 || i === count - 1) expect(messageProperty(frame!, "User-Id")).toBe("dave")
    }
  })
})

describe("frames without properties", () => {
  it("a connection no ZAP handler vouched for, inproc, and the application's own Buffers have none", async () => {
    const context = new Context()
    await startZapHandler(context, byUsername)
    const server = track(new Router({ context, linger: 0 }))
    await server.bind("tcp://127.0.0.1:*")
    const tcpEndpoint = server.lastEndpoint!
    await server.bind("inproc://no-zap-props")
    const overTcp = track(new Dealer({ linger: 0 }))
    overTcp.connect(tcpEndpoint)
    const overInproc = track(new Dealer({ context, linger: 0 }))
    overInproc.connect("inproc://no-zap-props")
    await overTcp.send("tcp, NULL, no domain")
    await overInproc.send("inproc")
    for (let i = 0; i < 2; i++) {
      for (const frame of await server.receive()) {
        for (const name of ["User-Id", "Peer-Address", "Socket-Type", "Identity"]) expect(messageProperty(frame, name)).toBeUndefined()
      }
    }
    expect(messageProperty(Buffer.from("mine"), "User-Id")).toBeUndefined()
    expect(messageProperty("not a frame" as unknown as Buffer, "User-Id")).toBeUndefined()
  })

  it("the client side of a ZAP-authenticated connection has none (its server vouched, not a handler of its own)", async () => {
    const server = await plainServer("tcp")
    const client = plainClient(server, "erin")
    await client.send("hello")
    const [routingId] = await server.receive()
    await server.send([routingId!, "back"])
    const [back] = await client.receive()
    expect(String(back)).toBe("back")
    expect(messageProperty(back!, "User-Id")).toBeUndefined()
  })
})
