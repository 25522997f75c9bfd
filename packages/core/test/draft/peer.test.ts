/**
 * PEER ↔ PEER (RFC 51, draft) over tcp, ipc and inproc: libzmq's test_peer. `connectPeer()` gives the
 * routing id to reach the peer connected to at once, before it has sent anything.
 *
 *   peer2 ──connectPeer(peer1)──▶ id₁     peer2 ──[1] to id₁──▶ peer1 (learns id₂)
 *   peer1 ──[2] to id₂──▶ peer2           peer2 receives it from id₁
 */
import { describe, expect, it } from "vitest"
import { Peer, Server } from "../../src/draft.js"
import { track } from "../helpers/cleanup.js"
import { TRANSPORTS } from "../helpers/transports.js"

for (const transport of TRANSPORTS) {
  describe(`PEER ↔ PEER over ${transport.name}`, () => {
    it("connectPeer gives the routing id; both sides answer by routing id (test_peer)", async () => {
      const peer1 = track(new Peer())
      await peer1.bind(transport.bindAddress())
      const peer2 = track(new Peer())
      const peer1Id = peer2.connectPeer(transport.connectAddress(peer1))
      expect(peer1Id).not.toBe(0)
      await peer2.send(Buffer.from([1]), { routingId: peer1Id })
      const [first, { routingId: peer2Id }] = await peer1.receive()
      expect([...first]).toEqual([1])
      expect(peer2Id).not.toBe(0)
      await peer1.send(Buffer.from([2]), { routingId: peer2Id })
      const [second, { routingId }] = await peer2.receive()
      expect([...second]).toEqual([2])
      expect(routingId).toBe(peer1Id)
    })

    it("one PEER connected to several: each connectPeer id reaches its own peer", async () => {
      const hub = track(new Peer())
      const spokes = [track(new Peer()), track(new Peer()), track(new Peer())]
      for (const spoke of spokes) await spoke.bind(transport.bindAddress())
      const ids = spokes.map((spoke) => hub.connectPeer(transport.connectAddress(spoke)))
      expect(new Set(ids).size).toBe(3)
      for (const [i, id] of ids.entries()) await hub.send(`to spoke ${i}`, { routingId: id })
      for (const [i, spoke] of spokes.entries()) expect((await spoke.receive())[0].toString()).toBe(`to spoke ${i}`)
    })
  })
}

describe("PEER rules", () => {
  it("connectPeer with immediate is EFAULT, as zmq_connect_peer", () => {
    const peer = track(new Peer({ immediate: true }))
    expect(() => peer.connectPeer("tcp://127.0.0.1:5555")).toThrow(expect.objectContaining({ code: "EFAULT" }))
  })

  it("refuses a multipart send (EINVAL) and an unknown routing id (EHOSTUNREACH)", async () => {
    const peer = track(new Peer())
    const other = track(new Peer())
    await other.bind("inproc://peer-rules")
    const id = peer.connectPeer("inproc://peer-rules")
    await expect(peer.send(["a", "b"], { routingId: id })).rejects.toMatchObject({ code: "EINVAL" })
    await expect(peer.send("a", { routingId: id + 1 })).rejects.toMatchObject({ code: "EHOSTUNREACH" })
  })

  it("a PEER does not pair with a SERVER (RFC 51: PEER ↔ PEER only)", async () => {
    const server = track(new Server({ receiveTimeout: 100 }))
    await server.bind("inproc://peer-with-server")
    const peer = track(new Peer({ linger: 0 }))
    peer.connect("inproc://peer-with-server")
    await peer.send("x", { routingId: 1 }).catch(() => undefined)
    await expect(server.receive()).rejects.toMatchObject({ code: "EAGAIN" })
    expect(server.peerCount).toBe(0)
  })

  it("reads libzmq's type number (PEER 19) and threadSafe true", () => {
    const peer = track(new Peer())
    expect([peer.type, peer.threadSafe]).toEqual([19, true])
  })
})
