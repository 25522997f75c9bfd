/**
 * ws:// (ZWS 2.0, RFC 45) between zmq-ts sockets and against Debian's libzmq 4.3.4 (pyzmq) in both
 * directions, NULL mechanism: REQ/REP, PUB/SUB (subscriptions as data frames), DEALER/ROUTER, PUSH/PULL.
 * The peer is test/fixtures/pyzmq-ws-peer.py; every child is killed after each test.
 */
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"
import { Dealer, Publisher, Pull, Push, Reply, Request, Subscriber } from "../../src/index.js"
import { track } from "../helpers/cleanup.js"
import { pythonPasses, pythonPeer, type PythonPeer } from "../helpers/python-peer.js"

const PEER = fileURLToPath(new URL("../fixtures/pyzmq-ws-peer.py", import.meta.url))
const HAS_WS = pythonPasses("import zmq, sys; sys.exit(0 if zmq.has('WS') else 1)")

const pyzmq = (role: string, endpoint: string): PythonPeer => pythonPeer([PEER, role, endpoint], {}, role)

const text = (frames: Buffer[]): string[] => frames.map((frame) => frame.toString())

describe("ws:// between zmq-ts sockets", () => {
  it("REQ/REP, with a 100 kB frame, and PUB/SUB", async () => {
    const rep = track(new Reply())
    await rep.bind("ws://127.0.0.1:*/zmq")
    expect(rep.lastEndpoint).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/zmq$/)
    const req = track(new Request())
    req.connect(rep.lastEndpoint!)
    const big = Buffer.alloc(100_000, 7)
    await req.send(["hello", big])
    const request = await rep.receive()
    expect(request[0]!.toString()).toBe("hello")
    expect(request[1]!.equals(big)).toBe(true)
    await rep.send("world")
    expect(text(await req.receive())).toEqual(["world"])

    const pub = track(new Publisher())
    await pub.bind("ws://127.0.0.1:*")
    const sub = track(new Subscriber())
    sub.connect(pub.lastEndpoint!)
    sub.subscribe("top")
    const received = (async () => text(await sub.receive()))()
    for (let i = 0; i < 100; i++) {
      await pub.send(["other", "x"])
      await pub.send(["topic", String(i)])
      const done = await Promise.race([received.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 20))])
      if (done) break
    }
    expect((await received)[0]).toBe("topic")
  })
})

describe.runIf(HAS_WS || process.env["CI"] === "true")("ws:// against libzmq 4.3.4 (pyzmq), NULL", () => {
  it("our REQ → libzmq's bound REP", async () => {
    const peer = pyzmq("bind-rep", "ws://127.0.0.1:*/zmq")
    const endpoint = await peer.line("endpoint")
    const req = track(new Request())
    req.connect(endpoint)
    await req.send(["a", Buffer.alloc(70_000, 1)])
    const reply = await req.receive()
    expect(reply[0]!.toString()).toBe("py:a")
    expect(reply[1]!.length).toBe(70_003)
  })

  it("libzmq's REQ… (its REP connects) → our bound REP: libzmq's client frames, masked, reach us", async () => {
    // pyzmq connects its REP to our bound... a REP does not start; use its PULL with our PUSH instead.
    const push = track(new Push())
    await push.bind("ws://127.0.0.1:*/zmq")
    const peer = pyzmq("connect-pull", push.lastEndpoint!)
    await peer.line("endpoint")
    await push.send(["one", "two"])
    expect(await peer.line("got")).toBe("one|two")
  })

  it("our SUB → libzmq's bound PUB: the subscription travels as a data frame", async () => {
    const peer = pyzmq("bind-pub", "ws://127.0.0.1:*/")
    const endpoint = await peer.line("endpoint")
    const sub = track(new Subscriber())
    sub.connect(endpoint)
    sub.subscribe("top")
    for (let i = 0; i < 5; i++) expect(text(await sub.receive())[0]).toBe("topic")
  })

  it("libzmq's PUB connects to our bound SUB", async () => {
    const sub = track(new Subscriber())
    sub.subscribe("top")
    await sub.bind("ws://127.0.0.1:*/")
    pyzmq("connect-pub", sub.lastEndpoint!)
    expect(text(await sub.receive())[0]).toBe("topic")
  })

  it("our DEALER → libzmq's bound ROUTER, and our PUSH → libzmq's bound PULL", async () => {
    const router = pyzmq("bind-router", "ws://127.0.0.1:*/")
    const dealer = track(new Dealer({ routingId: "me" }))
    dealer.connect(await router.line("endpoint"))
    await dealer.send(["x", "y"])
    expect(text(await dealer.receive())).toEqual(["py", "x", "y"])

    const pull = pyzmq("bind-pull", "ws://127.0.0.1:*/")
    const push = track(new Push())
    push.connect(await pull.line("endpoint"))
    await push.send(["p", "q"])
    expect(await pull.line("got")).toBe("p|q")
  })

  it("libzmq's REP connects to our bound… REQ", async () => {
    const req = track(new Request())
    await req.bind("ws://127.0.0.1:*/")
    pyzmq("connect-rep", req.lastEndpoint!)
    await req.send("ping")
    expect(text(await req.receive())).toEqual(["py:ping"])
  })
})
