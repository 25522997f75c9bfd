/**
 * libzmq 4.3.5's ZMQ_HELLO_MSG, ZMQ_DISCONNECT_MSG and ZMQ_HICCUP_MSG on the draft types that take them
 * (socket_base.cpp: hello on CLIENT, SERVER, PEER; disconnect on SERVER, PEER; hiccup on CLIENT, PEER). The
 * stable types' cases are in test/options/peer-messages.test.ts; here the message arrives as a draft
 * socket receives anything: a SERVER gets it with the peer's routing id.
 *
 *   client(hello "H") ──connect──▶ server(hello "W", disconnect "D")
 *      ◀── "W"                       ──▶ ["H", { routingId }]
 *   client closes                    ──▶ ["D", { routingId }]   (the same id)
 *   server closes  ──▶ client(hiccup "C") gets "C"               (tcp, ipc)
 */
import { describe, expect, it } from "vitest"
import { Client, Peer, Server } from "../../src/draft.js"
import { track } from "../helpers/cleanup.js"
import { TRANSPORTS } from "../helpers/transports.js"

const TIMEOUTS = { receiveTimeout: 5000, sendTimeout: 5000 }
const STREAM_TRANSPORTS = TRANSPORTS.filter((transport) => transport.name !== "inproc")

describe("the options on the draft types", () => {
  it("are on the types libzmq lets act on them, default null", () => {
    const have = (socket: object, option: string): boolean => option in socket
    const server = track(new Server())
    const client = track(new Client())
    const peer = track(new Peer())
    expect([have(server, "helloMessage"), have(server, "disconnectMessage"), have(server, "hiccupMessage")]).toEqual([true, true, false])
    expect([have(client, "helloMessage"), have(client, "disconnectMessage"), have(client, "hiccupMessage")]).toEqual([true, false, true])
    expect([have(peer, "helloMessage"), have(peer, "disconnectMessage"), have(peer, "hiccupMessage")]).toEqual([true, true, true])
    expect([server.helloMessage, client.hiccupMessage, peer.disconnectMessage]).toEqual([null, null, null])
  })
})

for (const transport of TRANSPORTS) {
  describe(`hello and disconnect messages, CLIENT ↔ SERVER over ${transport.name}`, () => {
    it("each side's hello arrives first; the server hears the client leave with the same routing id", async () => {
      const server = track(new Server({ ...TIMEOUTS, helloMessage: "W", disconnectMessage: "D" }))
      await server.bind(transport.bindAddress())
      const client = new Client({ ...TIMEOUTS, helloMessage: "H" })
      client.connect(transport.connectAddress(server))
      const [hello, { routingId }] = await server.receive()
      expect(hello.toString()).toBe("H")
      const [welcome] = await client.receive()
      expect(welcome!.toString()).toBe("W")
      await client.send("request")
      const [request, from] = await server.receive()
      expect([request.toString(), from.routingId]).toEqual(["request", routingId])
      client.close()
      const [farewell, gone] = await server.receive()
      expect([farewell.toString(), gone.routingId]).toEqual(["D", routingId])
    })
  })
}

for (const transport of STREAM_TRANSPORTS) {
  describe(`hiccup messages over ${transport.name}`, () => {
    it("a CLIENT receives its hiccupMessage when the connection it made drops, and says hello again", async () => {
      const address = await transport.fixedAddress()
      let server = new Server(TIMEOUTS)
      await server.bind(address)
      const client = track(new Client({ ...TIMEOUTS, helloMessage: "HELLO", hiccupMessage: "HICCUP", reconnectInterval: 20 }))
      client.connect(address)
      expect((await server.receive())[0].toString()).toBe("HELLO")
      server.close()
      const [hiccup] = await client.receive()
      expect(hiccup!.toString()).toBe("HICCUP")
      server = track(new Server(TIMEOUTS))
      await server.bind(address)
      expect((await server.receive())[0].toString()).toBe("HELLO")
    })

    it("a PEER hears a PEER that connected to it say hello, then leave (its disconnectMessage, same routing id)", async () => {
      const bound = track(new Peer({ ...TIMEOUTS, disconnectMessage: "GONE" }))
      await bound.bind(transport.bindAddress())
      const connecting = new Peer({ ...TIMEOUTS, helloMessage: "HI", hiccupMessage: "HICCUP", reconnectInterval: 20 })
      const id = connecting.connectPeer(transport.connectAddress(bound))
      expect(id).toBeGreaterThan(0)
      const [hello, { routingId }] = await bound.receive()
      expect(hello.toString()).toBe("HI")
      connecting.close()
      const [farewell, from] = await bound.receive()
      expect([farewell.toString(), from.routingId]).toEqual(["GONE", routingId])
    })
  })
}
