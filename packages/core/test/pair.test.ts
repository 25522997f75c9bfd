/**
 * PAIR ↔ PAIR (RFC 31, the Guide's exclusive pair) over tcp, ipc and inproc.
 *
 *   pair A ◀════▶ pair B        one peer, both directions, either side binds
 *   pair A ◀══X══ pair C        a second peer is refused; A and B carry on
 *
 * And the Guide's mtrelay (Signaling Between Threads), over inproc in one thread:
 *
 *   step 1 ──"READY"──▶ step 2 ──"READY"──▶ step 3 (main)
 *   connects            binds inproc://step2, then connects inproc://step3, which main bound first
 */
import { describe, expect, it } from "vitest"
import { Context, Pair } from "../src/index.js"
import { handshakes, receiveMany, settlesWithin, text, TRANSPORTS } from "./helpers/transports.js"

for (const transport of TRANSPORTS) {
  describe(`PAIR ↔ PAIR over ${transport.name}`, () => {
    for (const binder of ["first", "second"] as const) {
      it(`carries messages both ways (the ${binder} socket binds)`, async () => {
        await using a = new Pair()
        await using b = new Pair()
        const [bound, connecting] = binder === "first" ? [a, b] : [b, a]
        await bound.bind(transport.bindAddress())
        connecting.connect(transport.connectAddress(bound))
        for (let i = 0; i < 5; i++) {
          await a.send(["a→b", String(i)])
          await b.send(["b→a", String(i)])
        }
        const [atB, atA] = await Promise.all([receiveMany(b, 5), receiveMany(a, 5)])
        expect(atB.map(text)).toEqual(Array.from({ length: 5 }, (_, i) => ["a→b", String(i)]))
        expect(atA.map(text)).toEqual(Array.from({ length: 5 }, (_, i) => ["b→a", String(i)]))
      })
    }

    it("refuses a second peer; the first keeps working", async () => {
      await using a = new Pair()
      await a.bind(transport.bindAddress())
      await using b = new Pair()
      const firstUp = handshakes(transport, a)
      b.connect(transport.connectAddress(a))
      await firstUp
      await b.send("b1")
      expect(text(await a.receive())).toEqual(["b1"])

      await using c = new Pair()
      const secondUp = handshakes(transport, a)
      c.connect(transport.connectAddress(a))
      await secondUp // A has seen (and refused) C
      void c.send("intruder").catch(() => {}) // may wait forever for a peer; ETERM at close
      await b.send("b2")
      await a.send("to b")
      expect(text(await a.receive())).toEqual(["b2"])
      expect(text(await b.receive())).toEqual(["to b"])
      expect(await settlesWithin(a.receive(), 100)).toBe(false) // never "intruder"
      expect(await settlesWithin(c.receive(), 20)).toBe(false) // and C got nothing
    })
  })
}

describe("the Guide's mtrelay: three-step signaling with PAIR over inproc", () => {
  it("relays READY from step 1 through step 2 to step 3", async () => {
    const context = new Context()
    const order: string[] = []

    const step1 = async (): Promise<void> => {
      await using sender = new Pair({ context })
      sender.connect("inproc://step2")
      order.push("step 1 ready")
      await sender.send("READY")
    }

    const step2 = async (): Promise<void> => {
      await using receiver = new Pair({ context })
      await receiver.bind("inproc://step2")
      const upstream = step1()
      const [signal] = text(await receiver.receive())
      expect(signal).toBe("READY")
      await upstream
      await using sender = new Pair({ context })
      sender.connect("inproc://step3")
      order.push("step 2 ready")
      await sender.send("READY")
    }

    try {
      await using receiver = new Pair({ context })
      await receiver.bind("inproc://step3")
      const upstream = step2()
      const [signal] = text(await receiver.receive())
      await upstream
      order.push("step 3 got the signal")
      expect(signal).toBe("READY")
      expect(order).toEqual(["step 1 ready", "step 2 ready", "step 3 got the signal"])
    } finally {
      context.terminate()
    }
  })

  it("inproc names belong to their Context: another context's socket does not reach them", async () => {
    const context = new Context()
    try {
      await using receiver = new Pair({ context })
      await receiver.bind("inproc://step2")
      await using stranger = new Pair() // the default context
      stranger.connect("inproc://step2")
      void stranger.send("wrong context").catch(() => {})
      expect(await settlesWithin(receiver.receive(), 50)).toBe(false)
    } finally {
      context.terminate()
    }
  })
})
