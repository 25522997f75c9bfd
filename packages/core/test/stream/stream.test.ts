/**
 * STREAM (libzmq's stream.cpp, raw_engine.cpp) between our own sockets and raw node:net peers, over tcp and
 * ipc: libzmq's test_stream (to_dealer, to_stream), test_stream_disconnect, test_stream_empty,
 * test_stream_timeout, test_stream_exceeds_buffer and test_connect_rid's stream_2_stream, then routing,
 * notifications, monitor events, reconnects, high-water marks and options.
 *
 *   raw peer ──bytes──▶ Stream ──▶ [id, chunk]          [id, data] ──▶ Stream ──bytes──▶ raw peer
 *                                   [id, ""] on connect and on disconnect (notify)
 *                                   [id, ""] sent: that connection ends once what came before is written
 */
import { describe, expect, it } from "vitest"
import { Context, Dealer, messageProperty, Pair, Stream } from "../../src/index.js"
import { track } from "../helpers/cleanup.js"
import { nextEvent, recordEvents } from "../helpers/transports.js"
import {
  collect,
  notification,
  RAW_TRANSPORTS,
  rawConnect,
  rawServer,
  receiveBytes,
  streamBindAddress,
  streamSpeaksZmtpToDealer,
  streamToStream,
} from "./raw-peers.js"

const TIMEOUTS = { receiveTimeout: 5000, sendTimeout: 5000 }

for (const transport of RAW_TRANSPORTS) {
  describe(`STREAM over ${transport}`, () => {
    it("to_dealer: speaks ZMTP by hand to our DEALER, a 64000-byte frame included", async () => {
      const stream = track(new Stream({ ...TIMEOUTS, linger: 0, notify: true }))
      await stream.bind(streamBindAddress(transport))
      const dealer = track(new Dealer({ ...TIMEOUTS, linger: 0 }))
      dealer.connect(stream.lastEndpoint!)
      await streamSpeaksZmtpToDealer(stream, dealer)
    })

    it("to_stream: an HTTP request and response between two STREAMs, the server closing the connection", async () => {
      const server = track(new Stream({ ...TIMEOUTS, notify: true }))
      await server.bind(streamBindAddress(transport))
      const client = track(new Stream({ ...TIMEOUTS, notify: true }))
      client.connect(server.lastEndpoint!)
      await streamToStream(server, client, true)
    })

    it("stream_disconnect: a dialog, then the client closes and the server is told", async () => {
      const server = track(new Stream(TIMEOUTS))
      await server.bind(streamBindAddress(transport))
      const client = track(new Stream(TIMEOUTS))
      client.connect(server.lastEndpoint!)
      const atServer = await notification(server)
      const atClient = await notification(client)
      await client.send([atClient, "i can haz cheez burger?"])
      expect((await receiveBytes(server, atServer, 23)).toString()).toBe("i can haz cheez burger?")
      await server.send([atServer, "y u no disonnect?"])
      expect((await receiveBytes(client, atClient, 17)).toString()).toBe("y u no disonnect?")
      await client.send([atClient, ""])
      expect((await notification(server)).equals(atServer)).toBe(true)
      // The client closed it: the id is gone there, and no notification of its own comes.
      await expect(client.send([atClient, "more"])).rejects.toMatchObject({ code: "EHOSTUNREACH" })
      expect(client.readable).toBe(false)
    })

    it("stream_empty: a DEALER's empty message, then closing its connection with an empty frame", async () => {
      const stream = track(new Stream({ ...TIMEOUTS, linger: 0 }))
      await stream.bind(streamBindAddress(transport))
      const dealer = track(new Dealer({ ...TIMEOUTS, linger: 0 }))
      const disconnected = nextEvent(dealer, "disconnect")
      dealer.connect(stream.lastEndpoint!)
      await dealer.send("")
      const id = await notification(stream)
      await stream.send([id, ""])
      await disconnected
    })

    it("stream_timeout (accept): a DEALER connecting to a silent STREAM times out its handshake; the STREAM has none", async () => {
      const stream = track(new Stream({ ...TIMEOUTS, linger: 0, handshakeInterval: 100 }))
      await stream.bind(streamBindAddress(transport))
      const silent = await rawConnect(stream.lastEndpoint!)
      const silentId = await notification(stream)
      const dealer = track(new Dealer({ linger: 0, handshakeInterval: 100 }))
      const seen = recordEvents(dealer)
      const disconnected = nextEvent(dealer, "disconnect")
      dealer.connect(stream.lastEndpoint!)
      const failed = nextEvent(dealer, "handshake:error:other")
      await disconnected
      expect((await failed).error).toMatchObject({ code: "ETIMEDOUT" })
      expect(seen[0]).toBe("connect")
      // Past the STREAM's handshakeInterval too: its silent raw peer is still connected.
      const dealerId = await notification(stream)
      expect(dealerId.equals(silentId)).toBe(false)
      silent.write("still here")
      // The DEALER's greeting and its connection's end come first, from its own id.
      for (;;) {
        const [id, data] = await stream.receive()
        if (id!.equals(silentId)) {
          expect(data!.toString()).toBe("still here")
          break
        }
        expect(id!.equals(dealerId)).toBe(true)
      }
    })

    it("stream_timeout (connect): a STREAM connecting to a DEALER sends nothing, and the DEALER times out", async () => {
      const dealer = track(new Dealer({ linger: 0, handshakeInterval: 100 }))
      await dealer.bind(streamBindAddress(transport))
      const accepted = nextEvent(dealer, "accept")
      const disconnected = nextEvent(dealer, "disconnect")
      const stream = track(new Stream({ ...TIMEOUTS, linger: 0 }))
      stream.connect(dealer.lastEndpoint!)
      await accepted
      await disconnected
    })

    it("stream_exceeds_buffer: 8193 bytes from a raw server arrive whole and in order, in chunks of at most 8192", async () => {
      const server = await rawServer(transport)
      const stream = track(new Stream({ ...TIMEOUTS, linger: 0 }))
      stream.connect(server.address)
      const peer = await server.connection(0)
      const sent = Buffer.alloc(8193, 0x5a)
      sent.write("deadbeef", "hex")
      peer.write(sent)
      const id = await notification(stream)
      const chunks: Buffer[] = []
      let total = 0
      while (total < sent.length) {
        const [from, chunk] = await stream.receive()
        expect(from!.equals(id)).toBe(true)
        expect(chunk!.length).toBeLessThanOrEqual(8192)
        chunks.push(chunk!)
        total += chunk!.length
      }
      expect(chunks[0]!.length).toBeGreaterThanOrEqual(4)
      expect(chunks[0]!.subarray(0, 4).toString("hex")).toBe("deadbeef")
      expect(Buffer.concat(chunks).equals(sent)).toBe(true)
    })

    it("connect_rid stream_2_stream: a connect routingId names the connection at the connecter", async () => {
      const bound = track(new Stream({ ...TIMEOUTS, notify: false, linger: 0 }))
      await bound.bind(streamBindAddress(transport))
      const connecter = track(new Stream({ ...TIMEOUTS, linger: 0 }))
      connecter.connect(bound.lastEndpoint!, { routingId: "conn1" })
      // Queued on the connection's pipe before it is up, as libzmq does.
      await connecter.send(["conn1", "hi 1"])
      const [id, data] = await bound.receive()
      expect(id!.length).toBe(5)
      expect(id![0]).toBe(0) // a generated routing id
      expect(data!.toString()).toBe("hi 1")
      const [own, empty] = await connecter.receive()
      expect([own!.toString(), empty!.length]).toEqual(["conn1", 0])
    })

    it("gives each connection a 5-byte id (0x00 + counter) and routes replies to the right one", async () => {
      const stream = track(new Stream(TIMEOUTS))
      await stream.bind(streamBindAddress(transport))
      const peers = await Promise.all([0, 1, 2].map(() => rawConnect(stream.lastEndpoint!)))
      const ids = await Promise.all(peers.map(() => notification(stream)))
      for (const id of ids) expect([id.length, id[0]]).toEqual([5, 0])
      expect(new Set(ids.map((id) => id.toString("hex"))).size).toBe(3)
      const counters = ids.map((id) => id.readUInt32BE(1)).sort((a, b) => a - b)
      expect([counters[1]! - counters[0]!, counters[2]! - counters[1]!]).toEqual([1, 1])
      for (const [index, peer] of peers.entries()) peer.write(`from ${index}`)
      const idOf = new Map<string, Buffer>()
      for (let count = 0; count < 3; count++) {
        const [id, data] = await stream.receive()
        idOf.set(data!.toString(), id!)
      }
      const received = peers.map((peer) => collect(peer))
      // Two connections in one message: [id, data] pairs, as libzmq reads a STREAM send's frames.
      await stream.send([idOf.get("from 2")!, "to 2", idOf.get("from 0")!, "to 0"])
      await stream.send([idOf.get("from 1")!, "to", idOf.get("from 1")!, " 1"]) // one connection twice
      expect((await received[0]!.atLeast(4)).toString()).toBe("to 0")
      expect((await received[1]!.atLeast(4)).toString()).toBe("to 1")
      expect((await received[2]!.atLeast(4)).toString()).toBe("to 2")
    })

    it("fails with EHOSTUNREACH for an unknown id, whatever else the message holds, and sends none of it", async () => {
      const stream = track(new Stream(TIMEOUTS))
      await stream.bind(streamBindAddress(transport))
      const peer = await rawConnect(stream.lastEndpoint!)
      const id = await notification(stream)
      const received = collect(peer)
      await expect(stream.send([Buffer.from([0, 1, 2, 3, 4]), "lost"])).rejects.toMatchObject({ code: "EHOSTUNREACH" })
      await expect(stream.send([id, "not sent", Buffer.from("nobody"), "lost"])).rejects.toMatchObject({ code: "EHOSTUNREACH" })
      // An id alone is dropped, as libzmq drops it.
      await stream.send(id)
      await stream.send([id, "sent"])
      expect((await received.atLeast(4)).toString()).toBe("sent")
    })

    it("closing with an empty frame writes what was sent before it (1 MB), then ends the connection", async () => {
      const stream = track(new Stream({ ...TIMEOUTS, linger: 0 }))
      await stream.bind(streamBindAddress(transport))
      const peer = await rawConnect(stream.lastEndpoint!)
      const id = await notification(stream)
      const received = collect(peer)
      const body = Buffer.alloc(1024 * 1024)
      for (let index = 0; index < body.length; index++) body[index] = index % 251
      await stream.send([id, body])
      await stream.send([id, ""])
      await received.ended
      expect(received.bytes().equals(body)).toBe(true)
      await expect(stream.send([id, "after"])).rejects.toMatchObject({ code: "EHOSTUNREACH" })
    })

    it("without notify, connections and disconnections are not announced", async () => {
      const stream = track(new Stream({ ...TIMEOUTS, notify: false }))
      expect(stream.notify).toBe(false)
      await stream.bind(streamBindAddress(transport))
      const first = await rawConnect(stream.lastEndpoint!)
      first.end()
      const second = await rawConnect(stream.lastEndpoint!)
      second.write("data")
      const [, data] = await stream.receive()
      expect(data!.toString()).toBe("data")
    })

    it("raises accept, then handshake:error:other (EPIPE) and disconnect when the peer leaves, and no handshake event", async () => {
      const stream = track(new Stream(TIMEOUTS))
      await stream.bind(streamBindAddress(transport))
      const seen = recordEvents(stream)
      const failed = nextEvent(stream, "handshake:error:other")
      const disconnected = nextEvent(stream, "disconnect")
      const peer = await rawConnect(stream.lastEndpoint!)
      const id = await notification(stream)
      peer.end()
      expect((await notification(stream)).equals(id)).toBe(true)
      expect((await failed).error).toMatchObject({ code: "EPIPE" })
      await disconnected
      expect(seen).toEqual(["accept", "handshake:error:other", "disconnect"])
    })

    it("a connecting STREAM keeps its routing id across reconnects, and delivers what was sent meanwhile", async () => {
      const server = await rawServer(transport)
      const stream = track(new Stream({ ...TIMEOUTS, linger: 0, reconnectInterval: 20 }))
      const seen = recordEvents(stream)
      stream.connect(server.address)
      const first = await server.connection(0)
      const id = await notification(stream)
      const retried = nextEvent(stream, "connect:retry")
      first.destroy()
      expect((await notification(stream)).equals(id)).toBe(true)
      await stream.send([id, "queued while away"])
      await retried
      const second = await server.connection(1)
      expect((await notification(stream)).equals(id)).toBe(true)
      expect((await collect(second).atLeast(17)).toString()).toBe("queued while away")
      // As libzmq 4.3.5 reports it (probed with zeromq.js's Stream): no handshake event, ever.
      expect(seen).toEqual(["connect", "handshake:error:other", "disconnect", "connect"])
    })

    it("a full connection refuses sends with EAGAIN at sendTimeout 0, and a waiting send goes once the peer reads", async () => {
      const server = await rawServer(transport)
      const stream = track(new Stream({ ...TIMEOUTS, linger: 0, sendHighWaterMark: 2, sendTimeout: 0 }))
      stream.connect(server.address)
      const peer = await server.connection(0)
      peer.pause()
      const id = await notification(stream)
      const chunk = Buffer.alloc(64 * 1024, 1)
      let sent = 0
      // Full for good: refused even after the engine had turns of the event loop to write to the kernel.
      for (let refusedInARow = 0; refusedInARow < 20 && sent < 5000; ) {
        try {
          await stream.send([id, chunk])
          sent++
          refusedInARow = 0
        } catch (error) {
          expect(error).toMatchObject({ code: "EAGAIN" })
          refusedInARow++
          await new Promise((resolve) => setImmediate(resolve))
        }
      }
      expect(sent).toBeLessThan(5000) // the pipe and the socket's buffers are bounded
      stream.sendTimeout = -1
      const waiting = stream.send([id, chunk])
      const received = collect(peer)
      peer.resume()
      await waiting
      await received.atLeast((sent + 1) * chunk.length)
    })

    it("maxMessageSize does not apply to raw chunks, as in libzmq", async () => {
      const stream = track(new Stream({ ...TIMEOUTS, maxMessageSize: 10 }))
      await stream.bind(streamBindAddress(transport))
      const peer = await rawConnect(stream.lastEndpoint!)
      const id = await notification(stream)
      peer.write(Buffer.alloc(1000, 7))
      expect((await receiveBytes(stream, id, 1000)).equals(Buffer.alloc(1000, 7))).toBe(true)
    })

    it("gives its routing ids and data the connection's Peer-Address property, as libzmq's test_stream reads it", async () => {
      const stream = track(new Stream(TIMEOUTS))
      await stream.bind(streamBindAddress(transport))
      const peer = await rawConnect(stream.lastEndpoint!)
      const [id] = await stream.receive()
      peer.write("hello")
      const [sameId, data] = await stream.receive()
      const address = transport === "tcp" ? "127.0.0.1" : "localhost"
      expect(messageProperty(id!, "Peer-Address")).toBe(address)
      expect(messageProperty(sameId!, "peer-address")).toBe(address)
      expect(messageProperty(data!, "Peer-Address")).toBe(address)
      expect(messageProperty(data!, "User-Id")).toBeUndefined()
    })

    it("counts connected raw peers in peerCount, and forgets them when they leave", async () => {
      const stream = track(new Stream(TIMEOUTS))
      await stream.bind(streamBindAddress(transport))
      const peer = await rawConnect(stream.lastEndpoint!)
      await notification(stream)
      expect(stream.peerCount).toBe(1)
      peer.end()
      await notification(stream)
      expect(stream.peerCount).toBe(0)
    })
  })
}

describe("STREAM options and refusals", () => {
  it("is type 11 with notify on by default; notify is a STREAM option only", () => {
    const stream = track(new Stream())
    expect(stream.type).toBe(11)
    expect(stream.notify).toBe(true)
    expect(stream.sendHighWaterMark).toBe(1000)
    const pair = track(new Pair())
    expect("notify" in pair).toBe(false)
    expect(() => Object.assign(pair, { notify: false })).toThrow(TypeError)
    expect(() => new Stream({ notify: 1 as unknown as boolean })).toThrow("Option value must be a boolean")
  })

  it("refuses inproc with ENOCOMPATPROTO: inproc carries messages, not bytes", async () => {
    const context = new Context()
    const stream = track(new Stream({ context }))
    await expect(stream.bind("inproc://raw")).rejects.toMatchObject({ code: "ENOCOMPATPROTO" })
    expect(() => stream.connect("inproc://raw")).toThrow(expect.objectContaining({ code: "ENOCOMPATPROTO" }))
  })

  it("checks a connect routingId: at most 255 bytes, no leading zero byte, not in use", async () => {
    const stream = track(new Stream({ linger: 0 }))
    const address = "tcp://127.0.0.1:1"
    expect(() => stream.connect(address, { routingId: "x".repeat(256) })).toThrow(expect.objectContaining({ code: "EINVAL" }))
    expect(() => stream.connect(address, { routingId: Buffer.from([0, 1]) })).toThrow(expect.objectContaining({ code: "EINVAL" }))
    stream.connect(address, { routingId: "peer" })
    expect(() => stream.connect(address, { routingId: "peer" })).toThrow(expect.objectContaining({ code: "EINVAL" }))
    stream.connect(address, { routingId: "" }) // empty: a generated one, as zeromq.js takes it
  })
})
