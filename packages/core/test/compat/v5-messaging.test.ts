/**
 * The v5 compatibility API's patterns over tcp, ipc and inproc, written from zeromq.js's documented v5
 * behaviour: `send(frames)`, `on("message", (...frames) => …)` with Buffers, in order.
 *
 *   push ──────▶ pull              strings, numbers, Buffers, multipart, ZMQ_SNDMORE, a late connect
 *   req ◀──────▶ rep               lockstep, a burst of requests queued at once
 *   pub ──────▶ sub                prefix filters, unsubscribe
 *   dealer ◀──▶ router             a burst of 4-frame messages echoed back
 *   pair ◀────▶ pair               both directions
 *   pub ──▶ xsub ~~ xpub ──▶ sub   subscriptions and messages forwarded by hand
 */
import { Buffer } from "node:buffer"
import { setTimeout as delay } from "node:timers/promises"
import { describe, expect, it } from "vitest"
import * as zmq from "../../src/v5-compat.js"
import { bound, collect, socketsClosedAfterEach } from "../helpers/v5-sockets.js"
import { TRANSPORTS } from "../helpers/transports.js"

const open = socketsClosedAfterEach()

/**
 * Publishes `probe` every few ms until `sub` has received it: a subscription reaches the publisher some
 * time after connecting, and PUB drops what nobody has subscribed to yet.
 */
async function untilSubscribed(pub: zmq.Socket, sub: zmq.Socket, probe: string): Promise<void> {
  let seen = false
  const onMessage = (frame: Buffer | undefined): void => {
    if (frame?.toString() === probe) seen = true
  }
  sub.on("message", onMessage)
  const deadline = Date.now() + 5000
  while (!seen) {
    if (Date.now() > deadline) throw new Error("the subscription never reached the publisher")
    pub.send(probe)
    await delay(10)
  }
  sub.off("message", onMessage)
}

for (const transport of TRANSPORTS) {
  describe(`v5-compat patterns over ${transport.name}`, () => {
    it("push → pull: delivers messages in order, as Buffers", async () => {
      const pull = open("pull")
      const push = open("push")
      push.connect(await bound(pull, transport.bindAddress()))
      const received = collect(pull, 3)
      push.send("foo").send("bar").send("baz")
      expect(await received).toEqual([["foo"], ["bar"], ["baz"]])
    })

    it("push → pull: sends strings, numbers and Buffers, one frame each", async () => {
      const pull = open("pull")
      const push = open("push")
      push.connect(await bound(pull, transport.bindAddress()))
      const received = collect(pull, 3)
      push.send("string")
      push.send(15.99)
      push.send(Buffer.from("buffer"))
      expect(await received).toEqual([["string"], ["15.99"], ["buffer"]])
    })

    it("push → pull: an array is one multipart message", async () => {
      const pull = open("pull")
      const push = open("push")
      push.connect(await bound(pull, transport.bindAddress()))
      const received = collect(pull, 1)
      push.send(["string", 15.99, Buffer.from("buffer"), ""])
      expect(await received).toEqual([["string", "15.99", "buffer", ""]])
    })

    it("push → pull: ZMQ_SNDMORE parts join the next send into one message", async () => {
      const pull = open("pull")
      const push = open("push")
      push.connect(await bound(pull, transport.bindAddress()))
      const received = collect(pull, 2)
      push.send(["tobi", "loki"], zmq.ZMQ_SNDMORE)
      push.send(["jane", "luna"], zmq.ZMQ_SNDMORE)
      push.send("manny")
      push.send("alone")
      expect(await received).toEqual([["tobi", "loki", "jane", "luna", "manny"], ["alone"]])
    })

    it("push → pull: messages sent before any peer connects wait for it (HWM 1 both sides)", async () => {
      const push = open("push")
      push.setsockopt(zmq.ZMQ_SNDHWM, 1)
      const address = await bound(push, transport.bindAddress())
      push.send("string")
      push.send(15.99)
      push.send(Buffer.from("buffer"))
      const pull = open("pull")
      pull.setsockopt(zmq.ZMQ_RCVHWM, 1)
      const received = collect(pull, 3)
      pull.connect(address)
      expect(await received).toEqual([["string"], ["15.99"], ["buffer"]])
    })

    it("req ⇄ rep: request and reply", async () => {
      const rep = open("rep")
      const req = open("req")
      rep.on("message", (request: Buffer) => rep.send(`${request.toString()} world`))
      req.connect(await bound(rep, transport.bindAddress()))
      const replies = collect(req, 1)
      req.send("hello")
      expect(await replies).toEqual([["hello world"]])
    })

    it("req ⇄ rep: a burst of requests goes out one per reply, in order", async () => {
      const rep = open("rep")
      const req = open("req")
      let served = 0
      rep.on("message", (request: Buffer) => rep.send(`reply to ${request.toString()} #${++served}`))
      req.connect(await bound(rep, transport.bindAddress()))
      const replies = collect(req, 10)
      for (let i = 0; i < 10; i++) req.send(`r${i}`)
      expect(await replies).toEqual(Array.from({ length: 10 }, (_, i) => [`reply to r${i} #${i + 1}`]))
    })

    it("req ⇄ rep: a REP that replies later still gets its next request after replying", async () => {
      const rep = open("rep")
      const req = open("req")
      rep.on("message", (request: Buffer) => {
        setTimeout(() => rep.send(request.toString().toUpperCase()), 5)
      })
      req.connect(await bound(rep, transport.bindAddress()))
      const replies = collect(req, 3)
      req.send("a").send("b").send("c")
      expect(await replies).toEqual([["A"], ["B"], ["C"]])
    })

    it("pub → sub: delivers what matches a subscription prefix, in order", async () => {
      const sub = open("sub")
      const pub = open("pub")
      sub.subscribe("js")
      sub.subscribe("luna")
      pub.connect(await bound(sub, transport.bindAddress()))
      await untilSubscribed(pub, sub, "js probe")
      const received = collect(sub, 2)
      pub.send("js is cool")
      pub.send("ruby is meh")
      pub.send("py is pretty cool")
      pub.send("luna is cool too")
      expect(await received).toEqual([["js is cool"], ["luna is cool too"]])
    })

    it("pub → sub: subscribes through setsockopt and the _subscribe property; unsubscribes", async () => {
      const sub = open("sub")
      const pub = open("pub")
      sub.setsockopt(zmq.ZMQ_SUBSCRIBE, "a")
      sub._subscribe = Buffer.from("b")
      pub.connect(await bound(sub, transport.bindAddress()))
      await untilSubscribed(pub, sub, "a probe")
      await untilSubscribed(pub, sub, "b probe")
      sub.unsubscribe("a")
      // The cancel travels like the subscription did: wait until "a" no longer arrives while "b" does.
      const received: string[] = []
      sub.on("message", (frame: Buffer) => received.push(frame.toString()))
      const deadline = Date.now() + 5000
      for (;;) {
        received.length = 0
        pub.send("a1")
        pub.send("b1")
        await delay(20)
        if (received.includes("b1") && !received.includes("a1")) break
        if (Date.now() > deadline) throw new Error(`unsubscribe never took effect: ${JSON.stringify(received)}`)
      }
      expect(received).toEqual(["b1"])
    })

    it("dealer ⇄ router: a burst of 1000 four-frame messages echoed back whole", async () => {
      const router = open("router")
      const dealer = open("dealer")
      router.on("message", (...frames: Buffer[]) => router.send(frames))
      dealer.connect(await bound(router, transport.bindAddress()))
      const echoed = collect(dealer, 1000, 15_000)
      for (let i = 0; i < 1000; i++) dealer.send(["Hello", "world", "part3", `${i}`])
      const messages = await echoed
      expect(messages).toHaveLength(1000)
      expect(messages.every((frames, i) => frames.join("|") === `Hello|world|part3|${i}`)).toBe(true)
    })

    it("dealer → router: the router sees the dealer's identity", async () => {
      const router = open("router")
      const dealer = open("dealer", { identity: "dealer-1" })
      dealer.connect(await bound(router, transport.bindAddress()))
      const received = collect(router, 1)
      dealer.send("hi")
      expect(await received).toEqual([["dealer-1", "hi"]])
    })

    it("pair ⇄ pair: both directions", async () => {
      const a = open("pair")
      const b = open("pair")
      b.connect(await bound(a, transport.bindAddress()))
      const atA = collect(a, 3)
      const atB = collect(b, 1)
      a.send("barnacle")
      b.send("foo").send("bar").send("baz")
      expect(await atA).toEqual([["foo"], ["bar"], ["baz"]])
      expect(await atB).toEqual([["barnacle"]])
    })

    it("pub → xsub ~~ xpub → sub: subscriptions and messages forwarded by the application", async () => {
      const pub = open("pub")
      const xsub = open("xsub")
      const xpub = open("xpub")
      const sub = open("sub")
      xsub.connect(await bound(pub, transport.bindAddress()))
      sub.connect(await bound(xpub, transport.bindAddress()))
      const subscriptions: string[] = []
      xsub.on("message", (...frames: Buffer[]) => xpub.send(frames))
      xpub.on("message", (frame: Buffer) => {
        subscriptions.push(`${frame[0] === 1 ? "+" : "-"}${frame.subarray(1).toString()}`)
        xsub.send(frame)
      })
      sub.subscribe("js")
      sub.subscribe("luna")
      await untilSubscribed(pub, sub, "js probe")
      await untilSubscribed(pub, sub, "luna probe")
      const received = collect(sub, 2)
      pub.send("js is cool")
      pub.send("ruby is meh")
      pub.send("luna is cool too")
      expect(await received).toEqual([["js is cool"], ["luna is cool too"]])
      sub.unsubscribe("luna")
      const deadline = Date.now() + 5000
      while (!subscriptions.includes("-luna")) {
        if (Date.now() > deadline) throw new Error(`no cancel reached the XPUB: ${subscriptions.join(" ")}`)
        await delay(5)
      }
      expect(subscriptions.slice(0, 2)).toEqual(["+js", "+luna"])
    })
  })
}
