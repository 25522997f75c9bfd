/**
 * The draft types against libzmq 4.3.5 (the draft-enabled build inside npm `zeromq`, `zeromq/draft`) over
 * tcp and ipc, each pair in both roles and with either side binding:
 *
 *   ours CLIENT  ⇄ libzmq SERVER    ours SERVER ⇄ libzmq CLIENT     request, reply by routing id
 *   ours RADIO   ⇄ libzmq DISH      ours DISH   ⇄ libzmq RADIO      JOIN/LEAVE commands, [group][body]
 *   ours SCATTER ⇄ libzmq GATHER    ours GATHER ⇄ libzmq SCATTER
 *   ours CHANNEL ⇄ libzmq CHANNEL   ours PEER   ⇄ libzmq PEER (zeromq.js has neither class: `new Socket(20)`,
 *                                    `new Socket(19)`; zeromq.js cannot give a PEER's routing id, so only
 *                                    what libzmq's PEER receives is checked)
 */
import { describe, expect, it } from "vitest"
import * as zmq from "zeromq"
import * as libzmq from "zeromq/draft.js"
import { Channel, Client, Dish, Gather, Peer, Radio, Scatter, Server } from "../../src/draft.js"
import { bindAddress, track, type PeerTransport } from "../helpers/libzmq-peers.js"
import { settlesWithin, until } from "../helpers/transports.js"

const TRANSPORTS: readonly PeerTransport[] = ["tcp", "ipc"]

/** A libzmq socket of a type zeromq.js has no class for (zeromq.js's `new Socket(type)`), as a PAIR-like duplex. */
function libzmqSocket(type: number): zmq.Pair {
  const Native = zmq.Socket as unknown as new (type: number) => zmq.Pair
  return new Native(type)
}
const ROLES = ["ours binds", "libzmq binds"] as const
type Role = (typeof ROLES)[number]

interface Endpoint {
  bind(address: string): Promise<void>
  connect(address: string): void
  readonly lastEndpoint: string | null
}

/** Binds one of the two (ours when `role` says so), connects the other to it. */
async function join(role: Role, ours: Endpoint, theirs: Endpoint, transport: PeerTransport): Promise<void> {
  const [binder, connecter] = role === "ours binds" ? [ours, theirs] : [theirs, ours]
  await binder.bind(bindAddress(transport))
  connecter.connect(binder.lastEndpoint!)
}

/**
 * Sends to `group` until the dish has something: the JOIN has to reach the radio first. The probes are
 * then drained, so the test sees only what it sends next.
 */
async function untilJoined(send: () => Promise<void>, readable: () => boolean, drain: () => Promise<unknown>): Promise<void> {
  while (!readable()) {
    await send()
    await settlesWithin(until(readable, 50), 100)
  }
  while (readable()) await drain()
}

for (const transport of TRANSPORTS) {
  for (const role of ROLES) {
    describe(`draft types with libzmq over ${transport} (${role})`, () => {
      it("ours CLIENT ⇄ libzmq SERVER", async () => {
        const client = track(new Client())
        const server = track(new libzmq.Server())
        await join(role, client, server, transport)
        await client.send("request")
        const [request, { routingId }] = await server.receive()
        expect(request.toString()).toBe("request")
        await server.send("reply", { routingId })
        expect((await client.receive())[0]!.toString()).toBe("reply")
      })

      it("ours SERVER ⇄ libzmq CLIENT", async () => {
        const server = track(new Server())
        const client = track(new libzmq.Client())
        await join(role, server, client, transport)
        const big = Buffer.alloc(300_000, 7)
        await client.send(big)
        const [request, { routingId }] = await server.receive()
        expect(request.equals(big)).toBe(true)
        await server.send("reply", { routingId })
        expect((await client.receive())[0]!.toString()).toBe("reply")
      })

      it("ours RADIO ⇄ libzmq DISH: only the joined group arrives, with its group; leave stops it", async () => {
        const radio = track(new Radio())
        const dish = track(new libzmq.Dish({ receiveTimeout: 5000 }))
        dish.join("tv", "movies")
        await join(role, radio, dish, transport)
        // zeromq.js's Dish has no `readable`: probes until one arrives show the JOIN has reached us.
        dish.receiveTimeout = 100
        for (;;) {
          await radio.send("probe", { group: "tv" })
          const probe = await dish.receive().catch(() => undefined)
          if (probe !== undefined) break
        }
        dish.receiveTimeout = 5000
        await radio.send("not joined", { group: "news" })
        await radio.send("star wars", { group: "movies" })
        let first = await dish.receive()
        while (first[0].toString() === "probe") first = await dish.receive()
        expect([first[1].group.toString(), first[0].toString()]).toEqual(["movies", "star wars"])
        dish.leave("movies")
        await radio.send("after leave", { group: "movies" })
        await radio.send("still tv", { group: "tv" })
        // Drain any extra probe, then the next message must be the tv one.
        let next = await dish.receive()
        while (next[0].toString() === "probe") next = await dish.receive()
        expect([next[1].group.toString(), next[0].toString()]).toEqual(["tv", "still tv"])
      })

      it("ours DISH ⇄ libzmq RADIO: JOIN reaches libzmq; only joined groups arrive, with their group", async () => {
        const dish = track(new Dish())
        const radio = track(new libzmq.Radio())
        dish.join("weather")
        await join(role, dish, radio, transport)
        await untilJoined(() => radio.send("probe", { group: "weather" }), () => dish.readable, () => dish.receive())
        await radio.send("sports", { group: "sports" })
        await radio.send("rain", { group: "weather" })
        const [body, { group }] = await dish.receive()
        expect([group.toString(), body.toString()]).toEqual(["weather", "rain"])
        // A join made while connected travels as a JOIN command too.
        dish.join("sports")
        await untilJoined(() => radio.send("probe", { group: "sports" }), () => dish.readable, () => dish.receive())
        await radio.send("goal", { group: "sports" })
        const [goal, { group: sports }] = await dish.receive()
        expect([sports.toString(), goal.toString()]).toEqual(["sports", "goal"])
      })

      it("ours SCATTER ⇄ libzmq GATHER and ours GATHER ⇄ libzmq SCATTER", async () => {
        const scatter = track(new Scatter())
        const gather = track(new libzmq.Gather())
        await join(role, scatter, gather, transport)
        await scatter.send("to libzmq")
        expect((await gather.receive())[0]!.toString()).toBe("to libzmq")
        const ourGather = track(new Gather())
        const theirScatter = track(new libzmq.Scatter())
        await join(role, ourGather, theirScatter, transport)
        await theirScatter.send("from libzmq")
        expect((await ourGather.receive())[0]!.toString()).toBe("from libzmq")
      })

      it("ours CHANNEL ⇄ libzmq CHANNEL", async () => {
        const channel = track(new Channel())
        const theirs = track(libzmqSocket(20))
        await join(role, channel, theirs, transport)
        await channel.send("hello")
        expect((await theirs.receive())[0]!.toString()).toBe("hello")
        await theirs.send("world")
        expect((await channel.receive())[0]!.toString()).toBe("world")
      })

      it("ours PEER ⇄ libzmq PEER: connectPeer's id reaches libzmq (libzmq binds) / libzmq's handshake is accepted", async () => {
        const peer = track(new Peer())
        const theirs = track(libzmqSocket(19))
        if (role === "libzmq binds") {
          await theirs.bind(bindAddress(transport))
          const id = peer.connectPeer(theirs.lastEndpoint!)
          await peer.send("to libzmq's peer", { routingId: id })
          expect((await theirs.receive())[0]!.toString()).toBe("to libzmq's peer")
        } else {
          await peer.bind(bindAddress(transport))
          theirs.connect(peer.lastEndpoint!)
          await until(() => peer.peerCount === 1, 5000, "libzmq's PEER to complete the handshake")
        }
      })
    })
  }
}

describe("draft pairs libzmq refuses", () => {
  it("a libzmq SERVER refuses our SCATTER: only the RFC pairs connect", async () => {
    const server = track(new libzmq.Server({ receiveTimeout: 300 }))
    await server.bind("tcp://127.0.0.1:*")
    const scatter = track(new Scatter({ linger: 0 }))
    scatter.connect(server.lastEndpoint!)
    void scatter.send("must not arrive").catch(() => undefined)
    await expect(server.receive()).rejects.toMatchObject({ code: "EAGAIN" })
  })
})
