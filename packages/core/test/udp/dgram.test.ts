/**
 * Datagram (DGRAM) over udp, after libzmq's tests/test_dgram.cpp: it binds and never connects
 * (ENOCOMPATPROTO); every message is [address, body], the address "ip:port" (received ones NUL-terminated, as
 * libzmq writes them); a reply to a received address reaches its sender. Plus what a user relies on beyond
 * that test: malformed sends, datagrams too large, IPv6, and libzmq's DGRAM (zeromq.js's `zeromq/draft`) in
 * both directions.
 */
import { Buffer } from "node:buffer"
import { describe, expect, it } from "vitest"
import * as draft from "zeromq/draft.js"
import { Dealer, Pair, Publisher, Pull, Push, Router, ZmqError } from "../../src/index.js"
import { Datagram } from "../../src/draft.js"
import { freeUdpPort, rawSocket, sendDatagram, sendUntilReceived, track } from "./udp-helpers.js"

/** "127.0.0.1:5555" of a bound endpoint, as a DGRAM address frame names it. */
function hostPort(endpoint: string | null): string {
  return endpoint!.slice("udp://".length)
}

async function boundDatagram(host = "127.0.0.1", options: { ipv6?: boolean } = {}): Promise<Datagram> {
  const socket = track(new Datagram(options))
  await socket.bind(`udp://${host.includes(":") ? `[${host}]` : host}:*`)
  return socket
}

describe("Datagram (libzmq's test_dgram)", () => {
  it("cannot connect: ENOCOMPATPROTO", () => {
    const socket = track(new Datagram())
    expect(() => socket.connect("udp://127.0.0.1:5559")).toThrow(expect.objectContaining({ code: "ENOCOMPATPROTO" }))
  })

  it("round trip: the listener sees the sender's bound address and its reply reaches the sender", async () => {
    const listener = await boundDatagram()
    const sender = await boundDatagram()
    await sender.send([hostPort(listener.lastEndpoint), "Is someone there ?"])
    const [address, question] = await listener.receive()
    expect(question!.toString()).toBe("Is someone there ?")
    expect(address!.toString("latin1")).toBe(`${hostPort(sender.lastEndpoint)}\0`)
    await listener.send([address!, "Yes, there is !"])
    const [from, answer] = await sender.receive()
    expect(answer!.toString()).toBe("Yes, there is !")
    expect(from!.toString("latin1")).toBe(`${hostPort(listener.lastEndpoint)}\0`)
  })

  it("binds a port given explicitly, and reports the `*` port it was given in lastEndpoint", async () => {
    const port = await freeUdpPort()
    const socket = track(new Datagram())
    await socket.bind(`udp://127.0.0.1:${port}`)
    expect(socket.lastEndpoint).toBe(`udp://127.0.0.1:${port}`)
    const wildcard = await boundDatagram()
    expect(wildcard.lastEndpoint).toMatch(/^udp:\/\/127\.0\.0\.1:[1-9]\d*$/)
  })

  it("a second bind to a port in use fails with EADDRINUSE", async () => {
    const first = await boundDatagram()
    const second = track(new Datagram())
    await expect(second.bind(first.lastEndpoint!)).rejects.toMatchObject({ code: "EADDRINUSE" })
  })

  it("unbind frees the port", async () => {
    const socket = await boundDatagram()
    const endpoint = socket.lastEndpoint!
    await socket.unbind(endpoint)
    const again = track(new Datagram())
    await again.bind(endpoint)
    expect(again.lastEndpoint).toBe(endpoint)
  })

  it("a message is exactly [address, body]: one frame or three is EINVAL", async () => {
    const socket = await boundDatagram()
    await expect(socket.send("alone")).rejects.toMatchObject({ code: "EINVAL" })
    await expect(socket.send(["127.0.0.1:1", "a", "b"])).rejects.toMatchObject({ code: "EINVAL" })
  })

  it("a message to an address that is not ip:port is dropped, and the socket keeps sending", async () => {
    const socket = await boundDatagram()
    const peer = await rawSocket()
    for (const bad of ["nowhere", "localhost:1234", `127.0.0.1:0`, "127.0.0.1:99999", "[::1]:5555", ""]) await socket.send([bad, "lost"])
    await socket.send([`127.0.0.1:${peer.port}`, "kept"])
    expect((await peer.received()).data.toString()).toBe("kept")
  })

  it("sends the body alone, up to 8192 bytes; a larger one is dropped", async () => {
    const socket = await boundDatagram()
    const peer = await rawSocket()
    const largest = Buffer.alloc(8192, 7)
    await socket.send([`127.0.0.1:${peer.port}`, Buffer.alloc(8193, 1)])
    await socket.send([`127.0.0.1:${peer.port}`, largest])
    const { data } = await peer.received()
    expect(data.equals(largest)).toBe(true)
  })

  it("receives any datagram up to 8192 bytes (empty too) and drops a larger one", async () => {
    const socket = await boundDatagram()
    const peer = await rawSocket()
    const port = Number(hostPort(socket.lastEndpoint).split(":")[1])
    await sendDatagram(peer.socket, Buffer.alloc(9000, 2), port)
    await sendDatagram(peer.socket, Buffer.alloc(0), port)
    await sendDatagram(peer.socket, Buffer.alloc(8192, 3), port)
    const [address, empty] = await socket.receive()
    expect(address!.toString("latin1")).toBe(`127.0.0.1:${peer.port}\0`)
    expect(empty!.length).toBe(0)
    const [, full] = await socket.receive()
    expect(full!.equals(Buffer.alloc(8192, 3))).toBe(true)
  })

  it("IPv6 with the ipv6 option: addresses are [ip]:port", async () => {
    const listener = await boundDatagram("::1", { ipv6: true })
    const sender = await boundDatagram("::1", { ipv6: true })
    await sender.send([hostPort(listener.lastEndpoint), "v6"])
    const [address, body] = await listener.receive()
    expect(body!.toString()).toBe("v6")
    expect(address!.toString("latin1")).toBe(`${hostPort(sender.lastEndpoint)}\0`)
    await listener.send([address!, "back"])
    expect((await sender.receive())[1]!.toString()).toBe("back")
  })

  it("an IPv6 address without the ipv6 option is EINVAL", async () => {
    const socket = track(new Datagram())
    await expect(socket.bind("udp://[::1]:*")).rejects.toMatchObject({ code: "EINVAL" })
  })

  it("a dual-stack socket (ipv6, bound to *) names IPv4 peers by their IPv4 address", async () => {
    const socket = track(new Datagram({ ipv6: true }))
    await socket.bind("udp://*:*")
    const port = Number(socket.lastEndpoint!.split(":").at(-1))
    const peer = await rawSocket()
    await sendDatagram(peer.socket, "four", port)
    const [address] = await socket.receive()
    expect(address!.toString("latin1")).toBe(`127.0.0.1:${peer.port}\0`)
    await socket.send([address!, "reply"])
    expect((await peer.received()).data.toString()).toBe("reply")
  })
})

describe("only RADIO, DISH and DGRAM use udp (libzmq's check_protocol)", () => {
  it.each([
    ["Pair", () => new Pair()],
    ["Push", () => new Push()],
    ["Pull", () => new Pull()],
    ["Dealer", () => new Dealer()],
    ["Router", () => new Router()],
    ["Publisher", () => new Publisher()],
  ])("%s: bind and connect are ENOCOMPATPROTO", async (_name, make) => {
    const socket = track(make())
    await expect(socket.bind("udp://127.0.0.1:*")).rejects.toSatisfy((error: unknown) => ZmqError.isInstance(error) && error.code === "ENOCOMPATPROTO")
    expect(() => socket.connect("udp://127.0.0.1:5555")).toThrow(expect.objectContaining({ code: "ENOCOMPATPROTO", errno: 156384712 + 52 }))
  })

  it("malformed udp endpoints are EINVAL", async () => {
    const socket = track(new Datagram())
    for (const endpoint of ["udp://", "udp://127.0.0.1", "udp://127.0.0.1:port", "udp://:5555", "udp://127.0.0.1:70000", "udp://127.0.0.1;127.0.0.2:5555"]) {
      await expect(socket.bind(endpoint), endpoint).rejects.toMatchObject({ code: "EINVAL" })
    }
  })
})

describe("Datagram with libzmq's DGRAM (zeromq.js zeromq/draft)", () => {
  it("ours → theirs, and their reply to the address they saw reaches us", async () => {
    const ours = await boundDatagram()
    const theirs = track(new draft.Datagram())
    const port = await freeUdpPort()
    await theirs.bind(`udp://127.0.0.1:${port}`)
    const [address, body] = await sendUntilReceived(() => ours.send([`127.0.0.1:${port}`, "to libzmq"]), theirs.receive())
    expect(body!.toString()).toBe("to libzmq")
    expect(address!.toString("latin1")).toBe(`${hostPort(ours.lastEndpoint)}\0`)
    await theirs.send([address!, "from libzmq"])
    const [from, reply] = await ours.receive()
    expect(reply!.toString()).toBe("from libzmq")
    expect(from!.toString("latin1")).toBe(`127.0.0.1:${port}\0`)
  })

  it("theirs → ours, with bodies of 0 to 8192 bytes", async () => {
    const ours = await boundDatagram()
    const theirs = track(new draft.Datagram())
    const port = await freeUdpPort()
    await theirs.bind(`udp://127.0.0.1:${port}`)
    // Their socket sends once their I/O thread has bound it: wait for a first datagram to come through.
    await sendUntilReceived(() => theirs.send([hostPort(ours.lastEndpoint), "ready"]), ours.receive())
    const sizes = [0, 1, 255, 256, 4096, 8192]
    for (const size of sizes) await theirs.send([hostPort(ours.lastEndpoint), Buffer.alloc(size, size & 0xff)])
    for (const size of sizes) {
      let [address, body] = await ours.receive()
      // A "ready" resent before the first one was seen may still come first.
      while (body!.toString() === "ready") [address, body] = await ours.receive()
      expect(address!.toString("latin1")).toBe(`127.0.0.1:${port}\0`)
      expect(body!.equals(Buffer.alloc(size, size & 0xff)), `size ${size}`).toBe(true)
    }
  })
})

describe("Datagram is udp only", () => {
  it.each(["tcp://127.0.0.1:*", "ipc:///tmp/zmqts-dgram-never.sock", "inproc://dgram-never"])("bind %s is ENOCOMPATPROTO", async (endpoint) => {
    const socket = track(new Datagram())
    await expect(socket.bind(endpoint)).rejects.toMatchObject({ code: "ENOCOMPATPROTO" })
  })

  it.each(["tcp://127.0.0.1:5555", "inproc://dgram-never"])("connect %s is ENOCOMPATPROTO", (endpoint) => {
    const socket = track(new Datagram())
    expect(() => socket.connect(endpoint)).toThrow(expect.objectContaining({ code: "ENOCOMPATPROTO" }))
  })

  it("reads type 18 (ZMQ_DGRAM) and has the send and receive options, as zeromq.js's Datagram", () => {
    const socket = track(new Datagram({ sendHighWaterMark: 5, receiveHighWaterMark: 6 }))
    expect(socket.type).toBe(18)
    expect([socket.sendHighWaterMark, socket.receiveHighWaterMark, socket.multicastHops]).toEqual([5, 6, 1])
    expect("multicastLoop" in socket).toBe(false)
  })
})
