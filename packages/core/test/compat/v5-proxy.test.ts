/**
 * `zmq.proxy(frontend, backend, capture?)` of the v5 compatibility API, over tcp and inproc:
 *
 *   push ──▶ [pull frontend │ push backend] ──▶ pull
 *   pull ◀── [push frontend │ pull backend] ◀── push        + capture pub ──▶ sub
 *   req  ──▶ [router frontend │ dealer backend] ──▶ rep     + capture of the replies, envelope removed
 *   sub  ──▶ [xpub frontend │ xsub backend] ◀── pub        + capture
 */
import type { Buffer } from "node:buffer"
import { setTimeout as delay } from "node:timers/promises"
import { describe, expect, it } from "vitest"
import * as zmq from "../../src/v5-compat.js"
import { socketsClosedAfterEach, bound } from "../helpers/v5-sockets.js"

const open = socketsClosedAfterEach()

function first(sock: zmq.Socket, timeoutMs = 5000): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${sock.type}: no message within ${timeoutMs} ms`)), timeoutMs)
    sock.once("message", (...frames: Buffer[]) => {
      clearTimeout(timer)
      resolve(frames.map((frame) => frame.toString()))
    })
  })
}

/** Sends `message` from `pub` every few ms until `sub` has one: subscriptions take a moment to arrive. */
async function publishUntilHeard(pub: zmq.Socket, subs: zmq.Socket[], message: string): Promise<string[][]> {
  const heard = subs.map((sub) => first(sub))
  let done = false
  void Promise.all(heard).finally(() => {
    done = true
  })
  const deadline = Date.now() + 5000
  while (!done && Date.now() < deadline) {
    pub.send(message)
    await delay(10)
  }
  return Promise.all(heard)
}

let names = 0
const addresses = {
  tcp: () => "tcp://127.0.0.1:*",
  inproc: () => `inproc://v5-proxy-${process.pid}-${++names}`,
}

for (const [transport, address] of Object.entries(addresses)) {
  describe(`v5-compat proxy over ${transport}`, () => {
    it("pull/push: forwards a pipeline", async () => {
      const frontend = open("pull")
      const backend = open("push")
      const push = open("push")
      const pull = open("pull")
      push.connect(await bound(frontend, address()))
      pull.connect(await bound(backend, address()))
      zmq.proxy(frontend, backend)
      const received = first(pull)
      push.send(["foo", "bar"])
      expect(await received).toEqual(["foo", "bar"])
    })

    it("push/pull with capture: forwards the other way and copies to the capture socket", async () => {
      const frontend = open("push")
      const backend = open("pull")
      const capture = open("pub")
      const capSub = open("sub")
      const pull = open("pull")
      const push = open("push")
      pull.connect(await bound(frontend, address()))
      push.connect(await bound(backend, address()))
      capSub.subscribe("")
      capSub.connect(await bound(capture, address()))
      zmq.proxy(frontend, backend, capture)
      // Until the capture subscription is in, PUB drops the copies: keep pushing until both have one.
      const [atPull, atCapture] = await Promise.all([first(pull), publishUntilHeard(push, [capSub], "foo")])
      expect(atPull).toEqual(["foo"])
      expect(atCapture).toEqual([["foo"]])
    })

    it("router/dealer: carries requests and replies between REQ and REP", async () => {
      const frontend = open("router")
      const backend = open("dealer")
      const req = open("req")
      const rep = open("rep")
      req.connect(await bound(frontend, address()))
      rep.connect(await bound(backend, address()))
      rep.on("message", (request: Buffer) => rep.send(`${request.toString()} bar`))
      zmq.proxy(frontend, backend)
      const reply = first(req)
      req.send("foo")
      expect(await reply).toEqual(["foo bar"])
    })

    it("router/dealer with capture: the capture socket gets each reply without its envelope", async () => {
      const frontend = open("router")
      const backend = open("dealer")
      const capture = open("pub")
      const capSub = open("sub")
      const rep = open("rep")
      rep.connect(await bound(backend, address()))
      rep.on("message", (request: Buffer) => rep.send(`${request.toString()} bar`))
      const frontAddress = await bound(frontend, address())
      capSub.subscribe("")
      capSub.connect(await bound(capture, address()))
      zmq.proxy(frontend, backend, capture)
      // A fresh REQ per try: each waits for its reply, and the copy is dropped until capSub is subscribed.
      const captured = first(capSub)
      let caught: string[] | undefined
      void captured.then((frames) => {
        caught = frames
      })
      const deadline = Date.now() + 5000
      while (caught === undefined && Date.now() < deadline) {
        const req = open("req")
        req.connect(frontAddress)
        const reply = first(req)
        req.send("foo")
        expect(await reply).toEqual(["foo bar"])
        await delay(5)
      }
      expect(await captured).toEqual(["foo bar"])
    })

    it("xpub/xsub with capture: forwards subscriptions up and messages down, copying them", async () => {
      const frontend = open("xpub")
      const backend = open("xsub")
      const capture = open("pub")
      const capSub = open("sub")
      const sub = open("sub")
      const pub = open("pub")
      sub.subscribe("")
      capSub.subscribe("")
      sub.connect(await bound(frontend, address()))
      pub.connect(await bound(backend, address()))
      capSub.connect(await bound(capture, address()))
      zmq.proxy(frontend, backend, capture)
      const [atSub, atCapture] = await publishUntilHeard(pub, [sub, capSub], "foo")
      expect(atSub).toEqual(["foo"])
      expect(atCapture).toEqual(["foo"])
    })
  })
}

describe("v5-compat proxy arguments", () => {
  it("refuses other socket pairs, and a wrong order, with zeromq.js's message", () => {
    const message = "This socket type order is not supported in compatibility mode"
    expect(() => zmq.proxy(open("xsub"), open("xpub"))).toThrow(new Error(message))
    expect(() => zmq.proxy(open("dealer"), open("router"))).toThrow(new Error(message))
    expect(() => zmq.proxy(open("pub"), open("sub"))).toThrow(new Error(message))
  })

  it("accepts the pre-3.0 names xrep/xreq", async () => {
    const frontend = open("xrep")
    const backend = open("xreq")
    const req = open("req")
    const rep = open("rep")
    req.connect(await bound(frontend, addresses.inproc()))
    rep.connect(await bound(backend, addresses.inproc()))
    rep.on("message", () => rep.send("pong"))
    zmq.proxy(frontend, backend)
    const reply = first(req)
    req.send("ping")
    expect(await reply).toEqual(["pong"])
  })
})
