/**
 * DEALER ↔ ROUTER (RFC 28), ROUTER ↔ ROUTER and DEALER ↔ DEALER over tcp, ipc and inproc.
 *
 *   dealer "alice" ──┐
 *   dealer (no id) ──┼──▶ router            ROUTER prefixes each message with the sender's routing id
 *   dealer "carol" ──┘  ◀── [id, …]         and routes [id, …] replies to that peer only
 *
 *   router ──connect(addr, { routingId: "srv" })──▶ dealer     ROUTER names the peer it connects to
 *
 *   router "r1" ◀──▶ router "r2"            both sides address each other by explicit ids
 *   dealer ◀──▶ dealer                      asynchronous, no envelopes
 */
import { describe, expect, it } from "vitest"
import { Dealer, Router } from "../src/index.js"
import type { Message } from "../src/index.js"
import { handshakes, receiveMany, settlesWithin, text, TRANSPORTS } from "./helpers/transports.js"

function isGeneratedId(id: Buffer | undefined): boolean {
  return id !== undefined && id.length === 5 && id[0] === 0
}

for (const transport of TRANSPORTS) {
  describe(`DEALER ↔ ROUTER over ${transport.name}`, () => {
    it("ROUTER prefixes the peer's explicit routingId", async () => {
      await using router = new Router()
      await router.bind(transport.bindAddress())
      await using dealer = new Dealer({ routingId: "alice" })
      dealer.connect(transport.connectAddress(router))
      await dealer.send(["hello", "world"])
      const [id, ...body] = await router.receive()
      expect(id!.toString()).toBe("alice")
      expect(text(body)).toEqual(["hello", "world"])
    })

    it("ROUTER gives a peer without routingId a generated 5-byte id starting with 0x00, stable per peer", async () => {
      await using router = new Router()
      await router.bind(transport.bindAddress())
      await using dealerA = new Dealer()
      await using dealerB = new Dealer()
      dealerA.connect(transport.connectAddress(router))
      dealerB.connect(transport.connectAddress(router))
      await dealerA.send("a1")
      await dealerB.send("b1")
      await dealerA.send("a2")
      const received = await receiveMany(router, 3)
      const idOf = (body: string): Buffer => received.find((message) => text(message)[1] === body)![0]!
      for (const message of received) expect(isGeneratedId(message[0]), message[0]!.toString("hex")).toBe(true)
      expect(idOf("a1").equals(idOf("a2"))).toBe(true)
      expect(idOf("a1").equals(idOf("b1"))).toBe(false)
      // The generated id routes back too.
      await router.send([idOf("b1"), "to b"])
      expect(text(await dealerB.receive())).toEqual(["to b"])
    })

    it("ROUTER routes each reply to the right DEALER among several", async () => {
      await using router = new Router()
      await router.bind(transport.bindAddress())
      const names = ["alice", "bob", "carol", "dave"]
      const dealers = names.map((routingId) => new Dealer({ routingId }))
      try {
        for (const dealer of dealers) dealer.connect(transport.connectAddress(router))
        for (const [d, dealer] of dealers.entries()) await dealer.send(["ask", names[d]!])
        for (const [id, , name] of await receiveMany(router, dealers.length)) {
          expect(id!.toString()).toBe(name!.toString())
          await router.send([id!, "answer for", name!])
          await router.send([id!, "second for", name!])
        }
        for (const [d, dealer] of dealers.entries()) {
          expect((await receiveMany(dealer, 2)).map(text)).toEqual([
            ["answer for", names[d]],
            ["second for", names[d]],
          ])
        }
        for (const dealer of dealers) {
          dealer.receiveTimeout = 30
          await expect(dealer.receive()).rejects.toMatchObject({ code: "EAGAIN" }) // nobody got a third
        }
      } finally {
        for (const dealer of dealers) dealer.close()
      }
    })

    it("an unknown routing id is dropped silently; with mandatory it fails with EHOSTUNREACH", async () => {
      await using router = new Router()
      await router.bind(transport.bindAddress())
      await using dealer = new Dealer({ routingId: "known" })
      dealer.connect(transport.connectAddress(router))
      await dealer.send("hi")
      await router.receive()

      await router.send(["nobody", "lost"]) // resolves: ROUTER drops it
      await router.send(["known", "kept"])
      expect(text(await dealer.receive())).toEqual(["kept"])

      router.mandatory = true
      await expect(router.send(["nobody", "lost"])).rejects.toMatchObject({ code: "EHOSTUNREACH" })
      await router.send(["known", "still kept"])
      expect(text(await dealer.receive())).toEqual(["still kept"])

      // With no peer at all it would wait (zeromq.js waits for a peer with room); sendTimeout 0 fails at once.
      await using strict = new Router({ mandatory: true, sendTimeout: 0 })
      expect(strict.mandatory).toBe(true)
      await expect(strict.send(["nobody", "x"])).rejects.toMatchObject({ code: "EHOSTUNREACH" })
    })

    it("mandatory: send() to a peer at its high-water mark waits (EAGAIN only after sendTimeout) and resumes when it reads", async () => {
      await using router = new Router({ mandatory: true, sendHighWaterMark: 2 })
      await router.bind(transport.bindAddress())
      await using dealer = new Dealer({ routingId: "slow", receiveHighWaterMark: 2 })
      dealer.connect(transport.connectAddress(router))
      await dealer.send("hello")
      await router.receive()

      // Fill until a send stops resolving (inproc: 4 messages; tcp/ipc: also the socket buffers).
      const payload = Buffer.alloc(64 * 1024, 7)
      let sent = 0
      let waiting: Promise<void> | undefined
      while (sent < 5000) {
        const sending = router.send(["slow", String(sent), payload])
        if (!(await settlesWithin(sending, 250))) {
          waiting = sending
          break
        }
        await sending // a rejection (EAGAIN at once) fails the test here
        sent++
      }
      expect(waiting, "send() never stopped resolving").toBeDefined()
      router.sendTimeout = 0
      await expect(router.send(["slow", "late"])).rejects.toMatchObject({ code: "EAGAIN" })
      router.sendTimeout = -1

      const received = await receiveMany(dealer, sent + 1)
      await waiting
      expect(received.map((message) => text(message)[0])).toEqual(Array.from({ length: sent + 1 }, (_, i) => String(i)))
    })

    it("Router.connect(address, { routingId }) names the peer it connects to", async () => {
      await using dealer = new Dealer()
      await dealer.bind(transport.bindAddress())
      await using router = new Router({ mandatory: true })
      const connected = handshakes(transport, router)
      router.connect(transport.connectAddress(dealer), { routingId: "srv" })
      await connected
      await router.send(["srv", "hello", "dealer"])
      expect(text(await dealer.receive())).toEqual(["hello", "dealer"])
      await dealer.send("back")
      expect(text(await router.receive())).toEqual(["srv", "back"])
      // An empty connect routing id is none, as zeromq.js takes it: a plain connect.
      expect(() => router.connect(transport.bindAddress().replace("*", "1"), { routingId: "" })).not.toThrow()
    })

    for (const handover of [false, true]) {
      it(`a second peer with a routing id in use ${handover ? "takes it over (handover)" : "is refused (no handover)"}`, async () => {
        await using router = new Router({ handover, mandatory: true })
        await router.bind(transport.bindAddress())
        await using first = new Dealer({ routingId: "X" })
        const firstUp = handshakes(transport, router)
        first.connect(transport.connectAddress(router))
        await firstUp
        await first.send("from first")
        expect(text(await router.receive())).toEqual(["X", "from first"])

        await using second = new Dealer({ routingId: "X" })
        const secondUp = handshakes(transport, router)
        second.connect(transport.connectAddress(router))
        await secondUp // the ROUTER has attached (or refused) the newcomer by now
        await router.send(["X", "who gets this?"])
        const [winner, loser] = handover ? [second, first] : [first, second]
        expect(text(await winner.receive())).toEqual(["who gets this?"])
        expect(await settlesWithin(loser.receive(), 50)).toBe(false)
      })
    }

    it("probeRouter on a DEALER makes the ROUTER receive [id, \"\"] at connect", async () => {
      await using router = new Router()
      await router.bind(transport.bindAddress())
      await using named = new Dealer({ routingId: "probe", probeRouter: true })
      await using anonymous = new Dealer({ probeRouter: true })
      expect(named.probeRouter).toBe(true)
      named.connect(transport.connectAddress(router))
      const [id, empty, ...rest] = await router.receive()
      expect(id!.toString()).toBe("probe")
      expect(empty!.length).toBe(0)
      expect(rest).toEqual([])
      anonymous.connect(transport.connectAddress(router))
      const probe: Message[] = await router.receive()
      expect(probe).toHaveLength(2)
      expect(isGeneratedId(probe[0])).toBe(true)
      expect(probe[1]!.length).toBe(0)
      // Now the ROUTER can talk first.
      await router.send([probe[0]!, "welcome"])
      expect(text(await anonymous.receive())).toEqual(["welcome"])
    })

    it("ROUTER ↔ ROUTER with explicit ids: both sides address each other by name", async () => {
      await using r1 = new Router({ routingId: "r1", mandatory: true })
      await r1.bind(transport.bindAddress())
      await using r2 = new Router({ routingId: "r2", mandatory: true })
      const connected = handshakes(transport, r2)
      r2.connect(transport.connectAddress(r1))
      await connected // r2 knows r1's id only after the handshake
      await r2.send(["r1", "hello", "r1"])
      expect(text(await r1.receive())).toEqual(["r2", "hello", "r1"])
      await r1.send(["r2", "hello", "r2"])
      expect(text(await r2.receive())).toEqual(["r1", "hello", "r2"])
    })

    it("DEALER ↔ DEALER: asynchronous both ways, multipart, in order", async () => {
      await using left = new Dealer()
      await left.bind(transport.bindAddress())
      await using right = new Dealer()
      right.connect(transport.connectAddress(left))
      const count = 50
      const sends = [
        ...Array.from({ length: count }, (_, i) => left.send(["L", String(i), ""])),
        ...Array.from({ length: count }, (_, i) => right.send(["R", String(i)])),
      ]
      const [atRight, atLeft] = await Promise.all([receiveMany(right, count), receiveMany(left, count)])
      await Promise.all(sends)
      expect(atRight.map(text)).toEqual(Array.from({ length: count }, (_, i) => ["L", String(i), ""]))
      expect(atLeft.map(text)).toEqual(Array.from({ length: count }, (_, i) => ["R", String(i)]))
    })

    it("DEALER load-balances over ROUTER peers and fair-queues their replies", async () => {
      await using routerA = new Router()
      await using routerB = new Router()
      await routerA.bind(transport.bindAddress())
      await routerB.bind(transport.bindAddress())
      await using dealer = new Dealer()
      dealer.connect(transport.connectAddress(routerA))
      dealer.connect(transport.connectAddress(routerB))
      for (let i = 0; i < 6; i++) await dealer.send(String(i))
      const atA = (await receiveMany(routerA, 3)).map((message) => text(message)[1])
      const atB = (await receiveMany(routerB, 3)).map((message) => text(message)[1])
      expect([atA, atB]).toEqual([
        ["0", "2", "4"],
        ["1", "3", "5"],
      ])
    })
  })
}
