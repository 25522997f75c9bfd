/**
 * PUSH → PULL (RFC 30, the Guide's pipeline) over tcp, ipc and inproc.
 *
 *   push ────────▶ pull                     one stage: order, multipart, HWM, timeouts, linger, close
 *
 *          ┌─────▶ pull A
 *   push ──┼─────▶ pull B                   PUSH load-balances round-robin over connected peers
 *          └─────▶ pull C
 *
 *   push A ──┐
 *   push B ──┼───▶ pull                     PULL fair-queues: no sender starves the others
 *   push C ──┘
 */
import { createHash } from "node:crypto"
import { setTimeout as delay } from "node:timers/promises"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { Pull, Push } from "../src/index.js"
import { handshakes, receiveMany, settlesWithin, text, TRANSPORTS, until } from "./helpers/transports.js"

/** A frame of `size` bytes whose content depends on `seed`, so swapped or truncated frames show. */
function frame(size: number, seed: number): Buffer {
  const buffer = Buffer.allocUnsafe(size)
  for (let i = 0; i < size; i++) buffer[i] = (i * 31 + seed * 7) & 0xff
  return buffer
}

/** Frame lengths and digests: cheap to compare for 100 KiB frames, and a readable diff when they differ. */
function digest(message: readonly Uint8Array[]): string[] {
  return message.map((part) => `${part.length}:${createHash("sha1").update(part).digest("hex").slice(0, 12)}`)
}

const SIZES = [0, 1, 2, 254, 255, 256, 1000, 8191, 8192, 65535, 65536, 100 * 1024]

for (const transport of TRANSPORTS) {
  describe(`PUSH → PULL over ${transport.name}`, () => {
    it("delivers multipart messages whole and in order, frames from 0 B to 100 KiB", async () => {
      await using pull = new Pull()
      await pull.bind(transport.bindAddress())
      await using push = new Push()
      push.connect(transport.connectAddress(pull))

      const messages: Buffer[][] = SIZES.map((size, i) => [frame(size, i)])
      messages.push(SIZES.map((size, i) => frame(size, 100 + i)))
      messages.push([...SIZES].reverse().map((size, i) => frame(size, 200 + i)))
      messages.push([frame(0, 0), frame(0, 0), frame(3, 1), frame(0, 0)])
      // Sent without awaiting: one batch, so large and small messages share writes.
      const sends = messages.map((message) => push.send(message))
      const received = await receiveMany(pull, messages.length)
      await Promise.all(sends)
      expect(received.map(digest)).toEqual(messages.map(digest))
    })

    it("delivers any sequence of multipart messages unchanged (property)", async () => {
      await using pull = new Pull()
      await pull.bind(transport.bindAddress())
      await using push = new Push()
      push.connect(transport.connectAddress(pull))
      const arbitraryMessage = fc.array(fc.uint8Array({ maxLength: 3000 }), { minLength: 1, maxLength: 6 })
      await fc.assert(
        fc.asyncProperty(fc.array(arbitraryMessage, { minLength: 1, maxLength: 25 }), async (messages) => {
          for (const message of messages) await push.send(message)
          const received = await receiveMany(pull, messages.length)
          expect(received.map(digest)).toEqual(messages.map(digest))
        }),
        { numRuns: 15 },
      )
    })

    for (const binder of ["pull", "push"] as const) {
      for (const order of ["bind first", "connect first"] as const) {
        it(`works whatever starts first: ${binder} binds, ${order}`, async () => {
          const address = await transport.fixedAddress()
          await using pull = new Pull()
          await using push = new Push()
          const [bound, connecting] = binder === "pull" ? [pull, push] : [push, pull]
          if (order === "bind first") {
            await bound.bind(address)
            connecting.connect(address)
          } else {
            connecting.connect(address)
            await delay(5) // let a tcp/ipc connect attempt fail first, so the retry is what succeeds
            await bound.bind(address)
          }
          const sends = [push.send(["hello", "1"]), push.send(["hello", "2"])]
          expect((await receiveMany(pull, 2)).map(text)).toEqual([
            ["hello", "1"],
            ["hello", "2"],
          ])
          await Promise.all(sends)
        })
      }
    }

    it("load-balances round-robin over three connected PULL peers", async () => {
      await using push = new Push()
      await push.bind(transport.bindAddress())
      const connected = handshakes(transport, push, 3)
      await using pullA = new Pull()
      await using pullB = new Pull()
      await using pullC = new Pull()
      const pulls = [pullA, pullB, pullC]
      for (const pull of pulls) pull.connect(transport.connectAddress(push))
      await connected

      const total = 31
      for (let i = 0; i < total; i++) await push.send(String(i))
      const received: number[][] = [[], [], []]
      await Promise.all(
        pulls.map(async (pull, p) => {
          // Read until all 31 are in, whoever got them; a receive still pending at the end is rejected at close.
          let receiving = pull.receive()
          receiving.catch(() => {})
          while (received.reduce((sum, list) => sum + list.length, 0) < total) {
            if (!(await settlesWithin(receiving, 20))) continue
            received[p]!.push(Number(text(await receiving)[0]))
            receiving = pull.receive()
            receiving.catch(() => {})
          }
        }),
      )
      const counts = received.map((list) => list.length)
      expect(counts.reduce((a, b) => a + b)).toBe(total)
      expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1)
      for (const list of received) {
        // Strict rotation: each peer gets every third message, in order.
        expect(list).toEqual([...list].sort((a, b) => a - b))
        expect(new Set(list.map((index) => index % 3)).size).toBe(1)
      }
    })

    it("fair-queues from three PUSH peers: their messages interleave", async () => {
      await using pull = new Pull()
      await pull.bind(transport.bindAddress())
      const connected = handshakes(transport, pull, 3)
      await using pushA = new Push()
      await using pushB = new Push()
      await using pushC = new Push()
      const pushes = [pushA, pushB, pushC]
      for (const push of pushes) push.connect(transport.connectAddress(pull))
      await connected

      const perSender = 20
      for (const [p, push] of pushes.entries()) {
        for (let i = 0; i < perSender; i++) await push.send([String(p), String(i)])
      }
      // Sender A's messages were all written first; let B's and C's reach the PULL too before reading.
      await until(() => pull.readable)
      await delay(transport.name === "inproc" ? 0 : 50)
      const received = (await receiveMany(pull, 3 * perSender)).map(text)

      const senders = received.map(([sender]) => Number(sender))
      for (let p = 0; p < 3; p++) {
        const indices = received.filter(([sender]) => Number(sender) === p).map(([, i]) => Number(i))
        expect(indices).toEqual(Array.from({ length: perSender }, (_, i) => i))
      }
      // No starvation: every sender's first message comes before any sender's last one.
      for (let p = 0; p < 3; p++) {
        for (let q = 0; q < 3; q++) expect(senders.indexOf(p)).toBeLessThan(senders.lastIndexOf(q))
      }
      // With everything queued, the turn passes after each message.
      expect(new Set(senders.slice(0, 3)).size).toBe(3)
    })

    for (const order of ["bind first", "connect first"] as const) {
      it(`HWM (${order}): a PULL that does not read stops send(); sendTimeout gives EAGAIN; reading resumes, nothing lost`, async () => {
        const address = await transport.fixedAddress()
        await using pull = new Pull({ receiveHighWaterMark: 10 })
        await using push = new Push({ sendHighWaterMark: 10 })
        const connected = handshakes(transport, push)
        if (order === "bind first") await pull.bind(address)
        push.connect(address)
        if (order === "connect first") await pull.bind(address)
        await connected

        // Large messages so tcp/ipc socket buffers fill after a few MB rather than a few hundred thousand messages.
        const payload = Buffer.alloc(64 * 1024, 0x5a)
        let sent = 0
        let blocked: Promise<void> | undefined
        while (sent < 5000) {
          const sending = push.send([String(sent), payload])
          if (!(await settlesWithin(sending, 150))) {
            blocked = sending
            break
          }
          await sending
          sent++
        }
        expect(blocked, "send() never stopped resolving").toBeDefined()
        if (transport.name === "inproc") expect(sent).toBe(20) // inproc: the writer's SNDHWM plus the reader's RCVHWM
        else expect(sent).toBeGreaterThanOrEqual(10)

        push.sendTimeout = 50
        const started = performance.now()
        await expect(push.send(["late", payload])).rejects.toMatchObject({ code: "EAGAIN" })
        expect(performance.now() - started).toBeGreaterThanOrEqual(45)
        push.sendTimeout = -1

        // The reader reads: the blocked send goes through, more sends follow, all in order, none lost.
        const more = 20
        const total = sent + 1 + more
        const reading = receiveMany(pull, total)
        await blocked
        for (let i = sent + 1; i < total; i++) await push.send([String(i), payload])
        const received = await reading
        expect(received.map((message) => text(message)[0])).toEqual(Array.from({ length: total }, (_, i) => String(i)))
        expect(received.every((message) => message[1]!.equals(payload))).toBe(true)
        pull.receiveTimeout = 100
        await expect(pull.receive()).rejects.toMatchObject({ code: "EAGAIN" }) // "late" was never sent
      })
    }

    it("a send waiting at the HWM before the PULL exists goes through once it binds, before anything is read", async () => {
      const address = await transport.fixedAddress()
      await using push = new Push({ sendHighWaterMark: 10 })
      push.connect(address)
      for (let i = 0; i < 10; i++) await push.send(String(i))
      const eleventh = push.send("10")
      expect(await settlesWithin(eleventh, 20)).toBe(false)
      await using pull = new Pull({ receiveHighWaterMark: 10 })
      await pull.bind(address)
      // inproc: the bind raises the limit to SNDHWM + RCVHWM = 20; tcp/ipc: the connection drains the pipe.
      expect(await settlesWithin(eleventh, 2000)).toBe(true)
      await eleventh
      const received = await receiveMany(pull, 11)
      expect(received.map((message) => text(message)[0])).toEqual(Array.from({ length: 11 }, (_, i) => String(i)))
    })

    it("sendTimeout 0: EAGAIN at once when there is no peer", async () => {
      await using push = new Push({ sendTimeout: 0 })
      await push.bind(transport.bindAddress())
      expect(push.writable).toBe(false)
      const sending = push.send("nobody")
      expect(await settlesWithin(sending, 10)).toBe(true)
      await expect(sending).rejects.toMatchObject({ code: "EAGAIN" })
    })

    it("timeout 0 fails at once even while earlier send()/receive() calls are still waiting", async () => {
      await using push = new Push()
      await push.bind(transport.bindAddress())
      const waitingSend = push.send("first") // no peer yet: waits
      push.sendTimeout = 0
      const secondSend = push.send("second")
      expect(await settlesWithin(secondSend, 10)).toBe(true)
      await expect(secondSend).rejects.toMatchObject({ code: "EAGAIN" })

      await using pull = new Pull()
      const waitingReceive = pull.receive()
      pull.receiveTimeout = 0
      const secondReceive = pull.receive()
      expect(await settlesWithin(secondReceive, 10)).toBe(true)
      await expect(secondReceive).rejects.toMatchObject({ code: "EAGAIN" })

      // The calls that were waiting are unaffected: "first" arrives, "second" never left.
      pull.connect(transport.connectAddress(push))
      await waitingSend
      expect(text(await waitingReceive)).toEqual(["first"])
      await expect(pull.receive()).rejects.toMatchObject({ code: "EAGAIN" })
    })

    it("receiveTimeout 50: EAGAIN after about 50 ms, and the socket still works", async () => {
      await using pull = new Pull({ receiveTimeout: 50 })
      await pull.bind(transport.bindAddress())
      await using push = new Push()
      push.connect(transport.connectAddress(pull))
      const started = performance.now()
      await expect(pull.receive()).rejects.toMatchObject({ code: "EAGAIN" })
      const elapsed = performance.now() - started
      expect(elapsed).toBeGreaterThanOrEqual(45)
      expect(elapsed).toBeLessThan(2000)
      await push.send("after")
      pull.receiveTimeout = 5000
      expect(text(await pull.receive())).toEqual(["after"])
    })

    it("concurrent send() calls queue and are delivered, and resolve, in call order", async () => {
      await using pull = new Pull({ receiveHighWaterMark: 2 })
      await pull.bind(transport.bindAddress())
      await using push = new Push({ sendHighWaterMark: 2 })
      push.connect(transport.connectAddress(pull))
      const count = 200
      const resolved: number[] = []
      const sends = Array.from({ length: count }, (_, i) => push.send(["n", String(i)]).then(() => void resolved.push(i)))
      expect(push.writable).toBe(false) // most of them are waiting in the socket's send queue
      const received = await receiveMany(pull, count)
      await Promise.all(sends)
      expect(received.map((message) => Number(text(message)[1]))).toEqual(Array.from({ length: count }, (_, i) => i))
      expect(resolved).toEqual(Array.from({ length: count }, (_, i) => i))
    })

    it("for await receives messages, and the loop ends when the socket closes", async () => {
      await using pull = new Pull()
      await pull.bind(transport.bindAddress())
      await using push = new Push()
      push.connect(transport.connectAddress(pull))
      for (let i = 0; i < 5; i++) await push.send(["m", String(i)])

      const seen: string[] = []
      for await (const message of pull) {
        seen.push(text(message)[1]!)
        if (seen.length === 5) break
      }
      expect(seen).toEqual(["0", "1", "2", "3", "4"])
      expect(pull.closed).toBe(false) // leaving the loop does not close the socket

      const rest: string[] = []
      const loop = (async () => {
        for await (const message of pull) rest.push(text(message)[1]!)
        return "ended"
      })()
      await push.send(["m", "5"])
      await until(() => rest.length === 1)
      pull.close()
      expect(await loop).toBe("ended")
      expect(rest).toEqual(["5"])
    })

    // zeromq.js's contract: a call waiting at close() fails EAGAIN; a call on a closed socket throws EBADF.
    it("close() rejects a pending receive() with EAGAIN, and later calls throw EBADF \"Socket is closed\"", async () => {
      await using pull = new Pull()
      await pull.bind(transport.bindAddress())
      await using push = new Push()
      push.connect(transport.connectAddress(pull))
      const receiving = pull.receive()
      pull.close()
      await expect(receiving).rejects.toMatchObject({ code: "EAGAIN", message: "Operation was not possible or timed out" })
      expect(() => pull.receive()).toThrow(expect.objectContaining({ code: "EBADF", message: "Socket is closed" }))
    })

    it("close() rejects a pending send() with EAGAIN", async () => {
      await using push = new Push()
      await push.bind(transport.bindAddress())
      const sending = push.send("nobody listens")
      push.close()
      await expect(sending).rejects.toMatchObject({ code: "EAGAIN" })
      expect(() => push.send("x")).toThrow(expect.objectContaining({ code: "EBADF" }))
    })

    for (const binder of ["pull", "push"] as const) {
      it(`default linger: messages sent just before close() are still delivered (${binder} binds)`, async () => {
        await using pull = new Pull()
        const push = new Push()
        try {
          const connected = handshakes(transport, push)
          if (binder === "pull") {
            await pull.bind(transport.bindAddress())
            push.connect(transport.connectAddress(pull))
          } else {
            await push.bind(transport.bindAddress())
            pull.connect(transport.connectAddress(push))
          }
          await connected
          const count = 500
          const payload = Buffer.alloc(1024, 0x33)
          for (let i = 0; i < count - 1; i++) void push.send([String(i), payload])
          await push.send([String(count - 1), payload])
          push.close() // right after the last send resolved
          const received = await receiveMany(pull, count)
          expect(received.map((message) => text(message)[0])).toEqual(Array.from({ length: count }, (_, i) => String(i)))
          expect(received.every((message) => message[1]!.equals(payload))).toBe(true)
        } finally {
          push.close()
        }
      })
    }

    // libzmq (checked with zeromq.js 6.8.0) keeps a closed socket's connecter alive within linger and
    // delivers these 10 messages once the PULL binds; so do we (without holding the process open for it).
    it("default linger: messages sent before the connection is up are delivered after close()", async () => {
      const address = await transport.fixedAddress()
      await using pull = new Pull()
      const push = new Push()
      try {
        push.connect(address)
        for (let i = 0; i < 10; i++) await push.send(String(i))
        push.close()
        await pull.bind(address)
        const received = await receiveMany(pull, 10, 300)
        expect(received.map((message) => text(message)[0])).toEqual(Array.from({ length: 10 }, (_, i) => String(i)))
      } finally {
        push.close()
      }
    })

    for (const linger of [-1, 0]) {
      it(`linger ${linger}: a PUSH closed with a full queue ${linger === 0 ? "drops" : "still delivers"} what was queued`, async () => {
        await using pull = new Pull({ receiveHighWaterMark: 10 })
        await pull.bind(transport.bindAddress())
        const push = new Push({ sendHighWaterMark: 10, sendTimeout: 0, linger })
        try {
          const connected = handshakes(transport, push)
          push.connect(transport.connectAddress(pull))
          await connected
          const payload = Buffer.alloc(64 * 1024, 0x21)
          let sent = 0
          // Fill until the queue refuses a message; on tcp/ipc give the engine a moment to drain into the OS.
          for (let refusals = 0; refusals < 3 && sent < 5000; ) {
            try {
              await push.send([String(sent), payload])
              sent++
              refusals = 0
            } catch (error) {
              expect(error).toMatchObject({ code: "EAGAIN" })
              refusals++
              await delay(20)
            }
          }
          expect(sent).toBeGreaterThanOrEqual(10)
          push.close()

          pull.receiveTimeout = 150
          const indices: number[] = []
          for (;;) {
            try {
              indices.push(Number(text(await pull.receive())[0]))
            } catch (error) {
              expect(error).toMatchObject({ code: "EAGAIN" })
              break
            }
          }
          // Whatever arrived came in order and without gaps.
          expect(indices).toEqual(Array.from({ length: indices.length }, (_, i) => i))
          if (linger === 0) expect(indices.length).toBeLessThanOrEqual(sent - 10) // at least the 10 queued are gone
          else expect(indices.length).toBe(sent)
        } finally {
          push.close()
        }
      })
    }

    it("Symbol.asyncDispose closes the socket and releases its endpoint", async () => {
      let disposed: Push | undefined
      let address: string
      {
        await using push = new Push()
        disposed = push
        await push.bind(transport.bindAddress())
        address = transport.connectAddress(push)
      }
      expect(disposed.closed).toBe(true)
      expect(() => disposed.send("x")).toThrow(expect.objectContaining({ code: "EBADF" }))
      // The same endpoint can be bound again at once.
      await using again = new Push()
      await again.bind(address)
      expect(again.lastEndpoint).toBe(address)
    })
  })
}
