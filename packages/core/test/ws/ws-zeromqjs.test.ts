/**
 * ws:// against npm `zeromq` 6.8.0 (libzmq 4.3.5, in process), NULL, both directions: REQ/REP, PUB/SUB,
 * DEALER/ROUTER, PUSH/PULL.
 */
import { afterEach, describe, expect, it } from "vitest"
import * as zmq from "zeromq"
import { Dealer, Publisher, Pull, Reply, Request, Subscriber } from "../../src/index.js"

const closers: Array<() => void> = []
afterEach(() => {
  for (const close of closers.splice(0).reverse()) close()
})
const track = <S extends { close(): void }>(socket: S): S => (closers.push(() => socket.close()), socket)
const text = (frames: Buffer[]): string[] => frames.map(String)

describe("ws:// against zeromq 6.8.0 (libzmq 4.3.5)", () => {
  it("our REQ → their bound REP, their REQ → our bound REP", async () => {
    const theirRep = track(new zmq.Reply())
    await theirRep.bind("ws://127.0.0.1:*/a")
    const req = track(new Request({ receiveTimeout: 5000 }))
    req.connect(theirRep.lastEndpoint!)
    await req.send(["q", Buffer.alloc(80_000, 9)])
    const [q, body] = await theirRep.receive()
    expect(String(q)).toBe("q")
    expect(body!.length).toBe(80_000)
    await theirRep.send("r")
    expect(text(await req.receive())).toEqual(["r"])

    const rep = track(new Reply({ receiveTimeout: 5000 }))
    await rep.bind("ws://127.0.0.1:*/b")
    const theirReq = track(new zmq.Request())
    theirReq.connect(rep.lastEndpoint!)
    await theirReq.send(["x", Buffer.alloc(70_000, 1)])
    const request = await rep.receive()
    expect(request.map((f) => f.length)).toEqual([1, 70_000])
    await rep.send("y")
    expect((await theirReq.receive()).map(String)).toEqual(["y"])
  })

  it("our SUB → their bound PUB (subscription as data frame), their SUB → our bound PUB", async () => {
    const theirPub = track(new zmq.Publisher())
    await theirPub.bind("ws://127.0.0.1:*/")
    const sub = track(new Subscriber({ receiveTimeout: 5000 }))
    sub.subscribe("t")
    sub.connect(theirPub.lastEndpoint!)
    const got = sub.receive()
    let done = false
    void got.then(() => (done = true), () => (done = true))
    while (!done) {
      await theirPub.send(["u", "no"])
      await theirPub.send(["t", "yes"])
      await new Promise((r) => setTimeout(r, 10))
    }
    expect(text(await got)).toEqual(["t", "yes"])

    const pub = track(new Publisher())
    await pub.bind("ws://127.0.0.1:*/")
    const theirSub = track(new zmq.Subscriber())
    theirSub.subscribe("t")
    theirSub.connect(pub.lastEndpoint!)
    const theirs = theirSub.receive()
    let theirsDone = false
    void theirs.then(() => (theirsDone = true))
    while (!theirsDone) {
      await pub.send(["u", "no"])
      await pub.send(["t", "yes"])
      await new Promise((r) => setTimeout(r, 10))
    }
    expect((await theirs).map(String)).toEqual(["t", "yes"])
  })

  it("our DEALER → their ROUTER, their PUSH → our PULL", async () => {
    const router = track(new zmq.Router())
    await router.bind("ws://127.0.0.1:*/")
    const dealer = track(new Dealer({ routingId: "d1", receiveTimeout: 5000 }))
    dealer.connect(router.lastEndpoint!)
    await dealer.send(["m"])
    const [id, m] = await router.receive()
    expect(String(id)).toBe("d1")
    await router.send([id!, "back", m!])
    expect(text(await dealer.receive())).toEqual(["back", "m"])

    const pull = track(new Pull({ receiveTimeout: 5000 }))
    await pull.bind("ws://127.0.0.1:*/")
    const push = track(new zmq.Push())
    push.connect(pull.lastEndpoint!)
    await push.send(["a", "b"])
    expect(text(await pull.receive())).toEqual(["a", "b"])
  })
})
