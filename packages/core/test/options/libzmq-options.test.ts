/**
 * The other direction: libzmq's own sockets (zeromq.js 6.8's draft-enabled libzmq 4.3.5) with the newer
 * options set, against our sockets. zeromq.js defines none of these options as properties, so they are set
 * by number through its native setters (`setInt32Option(97, …)`, as its defineOpt does). Each case is the
 * scenario of our own tests with libzmq as the socket under test: the same messages and the same monitor
 * events show that ours and libzmq's agree, and that our peers give libzmq what it needs to act.
 */
import { createServer, type Socket as NetSocket } from "node:net"
import { setTimeout as sleep } from "node:timers/promises"
import { describe, expect, it } from "vitest"
import * as zmq from "zeromq"
import { Dealer, Publisher, Router, Subscriber, XPublisher, XSubscriber } from "../../src/index.js"
import { afterThisTest, track } from "../helpers/cleanup.js"
import { bindAddress } from "../helpers/libzmq-peers.js"
import { freePort, until } from "../helpers/transports.js"

/** zeromq.js's native option accessors, which its defineOpt properties call. */
interface NativeOptions {
  setInt32Option(id: number, value: number): void
  getInt32Option(id: number): number
  setStringOption(id: number, value: string | Buffer | null): void
}
const native = (socket: zmq.Socket): NativeOptions => socket as unknown as NativeOptions

// zmq_draft.h
const ZMQ_SUBSCRIBE = 6
const ZMQ_EVENTS = 15
const ZMQ_ROUTER_NOTIFY = 97
const ZMQ_XPUB_MANUAL_LAST_VALUE = 98
const ZMQ_ONLY_FIRST_SUBSCRIBE = 108
const ZMQ_RECONNECT_STOP = 109
const ZMQ_HELLO_MSG = 110
const ZMQ_DISCONNECT_MSG = 111
const ZMQ_HICCUP_MSG = 114
const ZMQ_TOPICS_COUNT = 116

const QUIET = 300
const T = { receiveTimeout: 5000 }
const sub = (byte: 0 | 1, topic: string): Buffer => Buffer.concat([Buffer.of(byte), Buffer.from(topic)])
const theirs = <S extends zmq.Socket>(socket: S): S => track(socket)
const strings = (message: Buffer[]): string[] => message.map((frame) => frame.toString("utf8"))

/** The connection events a zeromq.js socket raises from now on, by name. */
function recordTheirs(socket: zmq.Socket): string[] {
  const seen: string[] = []
  for (const type of ["connect:delay", "connect", "handshake", "handshake:error:other", "disconnect", "connect:retry", "close"] as const) {
    socket.events.on(type, () => seen.push(type))
  }
  return seen
}

for (const transport of ["tcp", "ipc"] as const) {
  describe(`libzmq's socket with the option, ours as the peer, over ${transport}`, () => {
    it("ROUTER_NOTIFY: a libzmq ROUTER sees our DEALER connect and disconnect as we would", async () => {
      const router = theirs(new zmq.Router({ linger: 0, ...T }))
      native(router).setInt32Option(ZMQ_ROUTER_NOTIFY, 3)
      await router.bind(bindAddress(transport))
      const dealer = track(new Dealer({ routingId: "X" }))
      dealer.connect(router.lastEndpoint!)
      expect(strings(await router.receive())).toEqual(["X", ""])
      await dealer.send("Hello")
      expect(strings(await router.receive())).toEqual(["X", "Hello"])
      dealer.disconnect(router.lastEndpoint!)
      expect(strings(await router.receive())).toEqual(["X", ""])
    })

    it("HELLO_MSG: libzmq's hellos reach our ROUTER and our DEALER first", async () => {
      const router = track(new Router(T))
      await router.bind(bindAddress(transport))
      const dealer = theirs(new zmq.Dealer({ linger: 0, routingId: "libzmq-d", ...T }))
      native(dealer).setStringOption(ZMQ_HELLO_MSG, "H")
      dealer.connect(router.lastEndpoint!)
      expect(strings(await router.receive())).toEqual(["libzmq-d", "H"])

      const server = theirs(new zmq.Router({ linger: 0 }))
      native(server).setStringOption(ZMQ_HELLO_MSG, "W")
      await server.bind(bindAddress(transport))
      const client = track(new Dealer(T))
      client.connect(server.lastEndpoint!)
      expect(strings(await client.receive())).toEqual(["W"])
    })

    it("DISCONNECT_MSG: a libzmq ROUTER gets it when our DEALER closes", async () => {
      const router = theirs(new zmq.Router({ linger: 0, ...T }))
      native(router).setStringOption(ZMQ_DISCONNECT_MSG, "D")
      await router.bind(bindAddress(transport))
      const dealer = track(new Dealer({ routingId: "d1", helloMessage: "H" }))
      dealer.connect(router.lastEndpoint!)
      expect(strings(await router.receive())).toEqual(["d1", "H"])
      dealer.close()
      expect(strings(await router.receive())).toEqual(["d1", "D"])
    })

    it("HICCUP_MSG: a libzmq DEALER gets it when our ROUTER goes away", async () => {
      const router = track(new Router(T))
      await router.bind(bindAddress(transport))
      const dealer = theirs(new zmq.Dealer({ linger: 0, routingId: "libzmq-d", ...T }))
      native(dealer).setStringOption(ZMQ_HELLO_MSG, "HELLO")
      native(dealer).setStringOption(ZMQ_HICCUP_MSG, "HICCUP")
      dealer.connect(router.lastEndpoint!)
      expect(strings(await router.receive())).toEqual(["libzmq-d", "HELLO"])
      router.close()
      expect(strings(await dealer.receive())).toEqual(["HICCUP"])
    })
  })
}

describe("RECONNECT_STOP on libzmq's SUB: the same events as ours (test/options/reconnect-stop.test.ts)", () => {
  it("CONN_REFUSED: after our PUB went away, disconnect, connect:retry, connect:delay, close, and no more", async () => {
    const address = `tcp://127.0.0.1:${await freePort()}`
    const pub = track(new Publisher({ linger: 0 }))
    await pub.bind(address)
    const subscriber = theirs(new zmq.Subscriber({ linger: 0, reconnectInterval: 10 }))
    native(subscriber).setInt32Option(ZMQ_RECONNECT_STOP, 1)
    const seen = recordTheirs(subscriber)
    const connected = new Promise((resolve) => subscriber.events.on("handshake", resolve))
    subscriber.connect(address)
    await connected
    const closed = new Promise((resolve) => subscriber.events.on("close", resolve))
    pub.close()
    await closed
    await sleep(QUIET)
    expect(seen).toEqual(["connect:delay", "connect", "handshake", "disconnect", "connect:retry", "connect:delay", "close"])
  })

  it("HANDSHAKE_FAILED: a peer that hangs up is connected to once", async () => {
    let accepted = 0
    const sockets: NetSocket[] = []
    const server = createServer((socket) => {
      accepted++
      sockets.push(socket)
      socket.destroy()
    })
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
    afterThisTest(() => {
      for (const socket of sockets) socket.destroy()
      server.close()
    })
    const port = (server.address() as { port: number }).port
    const subscriber = theirs(new zmq.Subscriber({ linger: 0, reconnectInterval: 10, handshakeInterval: 1000 }))
    native(subscriber).setInt32Option(ZMQ_RECONNECT_STOP, 2)
    const seen = recordTheirs(subscriber)
    const dropped = new Promise((resolve) => subscriber.events.on("disconnect", resolve))
    subscriber.connect(`tcp://127.0.0.1:${port}`)
    await dropped
    await sleep(QUIET)
    expect(seen).toEqual(["connect:delay", "connect", "handshake:error:other", "disconnect"])
    expect(accepted).toBe(1)
  })
})

describe("the publish-subscribe options on libzmq's sockets, ours as peers", () => {
  it("XPUB_MANUAL_LAST_VALUE: a libzmq XPUB serves the newest of our SUBs alone first, as ours does", async () => {
    const xpub = theirs(new zmq.XPublisher({ linger: 0, ...T }))
    native(xpub).setInt32Option(ZMQ_XPUB_MANUAL_LAST_VALUE, 1)
    await xpub.bind("tcp://127.0.0.1:*")
    const subs = [track(new Subscriber(T)), track(new Subscriber(T))]
    for (const subscriber of subs) {
      subscriber.connect(xpub.lastEndpoint!)
      subscriber.subscribe("1")
      expect(await xpub.receive()).toEqual([sub(1, "1")])
      native(xpub).setStringOption(ZMQ_SUBSCRIBE, "1")
    }
    await xpub.send(["1", "first"])
    await xpub.send(["1", "second"])
    expect(strings(await subs[1]!.receive())).toEqual(["1", "first"])
    expect(strings(await subs[1]!.receive())).toEqual(["1", "second"])
    expect(strings(await subs[0]!.receive())).toEqual(["1", "second"])
  })

  it("ONLY_FIRST_SUBSCRIBE: libzmq's XSUB and XPUB pass data-first messages whole, as ours", async () => {
    const ours = track(new XPublisher({ onlyFirstSubscribe: true, ...T }))
    await ours.bind("tcp://127.0.0.1:*")
    const xsub = theirs(new zmq.XSubscriber({ linger: 0 }))
    native(xsub).setInt32Option(ZMQ_ONLY_FIRST_SUBSCRIBE, 1)
    xsub.connect(ours.lastEndpoint!)
    await xsub.send(["data", sub(1, "C")])
    expect(await ours.receive()).toEqual([Buffer.from("data"), sub(1, "C")])
    expect(native(xsub).getInt32Option(ZMQ_TOPICS_COUNT)).toBe(0)

    const xpub = theirs(new zmq.XPublisher({ linger: 0, ...T }))
    native(xpub).setInt32Option(ZMQ_ONLY_FIRST_SUBSCRIBE, 1)
    await xpub.bind("tcp://127.0.0.1:*")
    const ourSub = track(new XSubscriber({ onlyFirstSubscribe: true }))
    ourSub.connect(xpub.lastEndpoint!)
    await ourSub.send(["data", sub(1, "C")])
    expect(await xpub.receive()).toEqual([Buffer.from("data"), sub(1, "C")])
    expect(native(xpub).getInt32Option(ZMQ_TOPICS_COUNT)).toBe(0)
    await ourSub.send([sub(1, "A"), sub(1, "B")])
    expect(await xpub.receive()).toEqual([sub(1, "A")])
    expect(await xpub.receive()).toEqual([sub(1, "B")])
    expect(native(xpub).getInt32Option(ZMQ_TOPICS_COUNT)).toBe(2)
    expect(ourSub.topicsCount).toBe(2)
  })

  it("TOPICS_COUNT: a libzmq PUB counts our SUB's prefixes as our PUB counts a libzmq SUB's", async () => {
    const pub = theirs(new zmq.Publisher({ linger: 0 }))
    await pub.bind("tcp://127.0.0.1:*")
    const subscriber = track(new Subscriber())
    subscriber.connect(pub.lastEndpoint!)
    subscriber.subscribe("a", "ab", "abc", "x")
    expect(subscriber.topicsCount).toBe(4)
    // libzmq applies subscriptions when the socket processes its commands: ZMQ_EVENTS makes it (as libzmq's
    // test_pubsub_topics_count does before each count).
    const topics = (): number => {
      native(pub).getInt32Option(ZMQ_EVENTS)
      return native(pub).getInt32Option(ZMQ_TOPICS_COUNT)
    }
    await until(() => topics() === 4, 5000, "4 topics at libzmq's PUB")
    subscriber.unsubscribe("ab")
    await until(() => topics() === 3, 5000, "3 topics at libzmq's PUB")
  })
})
