/**
 * libzmq 4.3.5's newer publish-subscribe options: ZMQ_XPUB_MANUAL_LAST_VALUE (`xpubManualLastValue`,
 * tests/test_xpub_manual_last_value.cpp), ZMQ_ONLY_FIRST_SUBSCRIBE (`onlyFirstSubscribe`, xpub.cpp and
 * xsub.cpp) and ZMQ_TOPICS_COUNT (`topicsCount`, tests/test_pubsub_topics_count.cpp), over tcp, ipc and
 * inproc, and with libzmq's XPUB, XSUB and SUB.
 *
 *   sub1 ─"+1"─▶ XPUB(lastValue) ─▶ app: receive [0x01 "1"], subscribe("1")   (for sub1)
 *   sub2 ─"+1"─▶                 ─▶ app: receive [0x01 "1"], subscribe("1")   (for sub2)
 *   app: send "first"  ──▶ sub2 only (the subscriber just served: no duplicate for sub1's cached value)
 *   app: send "second" ──▶ sub1 and sub2
 */
import { describe, expect, it } from "vitest"
import * as zmq from "zeromq"
import { Dealer, Publisher, Pull, Subscriber, XPublisher, XSubscriber } from "../../src/index.js"
import { track } from "../helpers/cleanup.js"
import { handshakes, text, TRANSPORTS, until } from "../helpers/transports.js"

const T = { receiveTimeout: 5000 }
const sub = (byte: 0 | 1, topic: string): Buffer => Buffer.concat([Buffer.of(byte), Buffer.from(topic)])

async function expectNothingWaiting(socket: XPublisher | XSubscriber | Subscriber): Promise<void> {
  socket.receiveTimeout = 0
  await expect(socket.receive()).rejects.toMatchObject({ code: "EAGAIN" })
}

describe("the options", () => {
  it("xpubManualLastValue: XPUB's, default false; setting it sets manual too, as libzmq's xpub.cpp", () => {
    const xpub = track(new XPublisher())
    expect(xpub.xpubManualLastValue).toBe(false)
    xpub.xpubManualLastValue = true
    expect(xpub.manual).toBe(true)
    xpub.xpubManualLastValue = false
    expect(xpub.manual).toBe(false)
    expect(track(new XPublisher({ xpubManualLastValue: true })).manual).toBe(true)
    expect("xpubManualLastValue" in track(new Publisher())).toBe(false)
  })

  it("onlyFirstSubscribe: XPUB's and XSUB's, default false, a boolean", () => {
    for (const socket of [track(new XPublisher()), track(new XSubscriber())]) {
      expect(socket.onlyFirstSubscribe).toBe(false)
      socket.onlyFirstSubscribe = true
      expect(socket.onlyFirstSubscribe).toBe(true)
      expect(() => {
        socket.onlyFirstSubscribe = 1 as unknown as boolean
      }).toThrow(new TypeError("Option value must be a boolean"))
    }
    expect("onlyFirstSubscribe" in track(new Subscriber())).toBe(false)
    expect("onlyFirstSubscribe" in track(new Publisher())).toBe(false)
  })

  it("topicsCount: read-only on PUB, SUB, XPUB, XSUB (0 at first), absent elsewhere", () => {
    for (const socket of [track(new Publisher()), track(new Subscriber()), track(new XPublisher()), track(new XSubscriber())]) {
      expect(socket.topicsCount).toBe(0)
      expect(() => ((socket as unknown as Record<string, unknown>).topicsCount = 1)).toThrow(TypeError)
    }
    expect("topicsCount" in track(new Dealer())).toBe(false)
    expect("topicsCount" in track(new Pull())).toBe(false)
    expect(() => new Subscriber({ topicsCount: 1 } as never)).toThrow(TypeError)
  })
})

for (const transport of TRANSPORTS) {
  describe(`over ${transport.name}`, () => {
    it("topicsCount counts distinct prefixes on both sides, independent and nested (test_pubsub_topics_count)", async () => {
      const pub = track(new Publisher())
      await pub.bind(transport.bindAddress())
      const subscriber = track(new Subscriber())
      const joined = handshakes(transport, pub)
      subscriber.connect(transport.connectAddress(pub))
      await joined
      subscriber.subscribe("topicprefix1", "topicprefix2", "topicprefix3")
      expect(subscriber.topicsCount).toBe(3)
      await until(() => pub.topicsCount === 3, 5000, "3 topics at the publisher")
      subscriber.unsubscribe("topicprefix3")
      expect(subscriber.topicsCount).toBe(2)
      await until(() => pub.topicsCount === 2, 5000, "2 topics at the publisher")
      subscriber.unsubscribe("topicprefix1", "topicprefix2")
      expect(subscriber.topicsCount).toBe(0)
      await until(() => pub.topicsCount === 0, 5000, "no topic at the publisher")
      subscriber.subscribe("a", "ab", "abc", "xyz", "xy", "x")
      subscriber.subscribe("a") // the same topic again: still one prefix
      expect(subscriber.topicsCount).toBe(6)
      await until(() => pub.topicsCount === 6, 5000, "6 topics at the publisher")
    })

    it("xpubManualLastValue: the first message after a subscription goes to that subscriber alone (test_xpub_proxy_unsubscribe_on_disconnect)", async () => {
      const xpub = track(new XPublisher({ xpubManualLastValue: true, ...T }))
      await xpub.bind(transport.bindAddress())
      const sub1 = track(new Subscriber(T))
      sub1.connect(transport.connectAddress(xpub))
      sub1.subscribe("1")
      expect(await xpub.receive()).toEqual([sub(1, "1")])
      xpub.subscribe("1")
      const sub2 = track(new Subscriber(T))
      sub2.connect(transport.connectAddress(xpub))
      sub2.subscribe("1")
      expect(await xpub.receive()).toEqual([sub(1, "1")])
      xpub.subscribe("1")
      await xpub.send(["1", "first"])
      await xpub.send(["1", "second"])
      expect(text(await sub2.receive())).toEqual(["1", "first"])
      expect(text(await sub2.receive())).toEqual(["1", "second"])
      expect(text(await sub1.receive())).toEqual(["1", "second"])
      // Each subscriber that leaves cancels what it asked for: the application hears both.
      sub1.close()
      sub2.close()
      expect(await xpub.receive()).toEqual([sub(0, "1")])
      expect(await xpub.receive()).toEqual([sub(0, "1")])
    })

    it("plain manual (the control): both messages reach both subscribers", async () => {
      const xpub = track(new XPublisher({ manual: true, ...T }))
      await xpub.bind(transport.bindAddress())
      const subs = [track(new Subscriber(T)), track(new Subscriber(T))]
      for (const subscriber of subs) {
        subscriber.connect(transport.connectAddress(xpub))
        subscriber.subscribe("1")
        expect(await xpub.receive()).toEqual([sub(1, "1")])
        xpub.subscribe("1")
      }
      await xpub.send(["1", "first"])
      await xpub.send(["1", "second"])
      for (const subscriber of subs) {
        expect(text(await subscriber.receive())).toEqual(["1", "first"])
        expect(text(await subscriber.receive())).toEqual(["1", "second"])
      }
    })

    it("xpubManualLastValue: subscriptions mapped by the application, cancels too (test_basic, test_unsubscribe_manual)", async () => {
      const xpub = track(new XPublisher({ xpubManualLastValue: true, ...T }))
      await xpub.bind(transport.bindAddress())
      const xsub = track(new XSubscriber(T))
      xsub.connect(transport.connectAddress(xpub))
      await xsub.send(sub(1, "A"))
      await xsub.send(sub(1, "B"))
      expect(await xpub.receive()).toEqual([sub(1, "A")])
      xpub.subscribe("XA")
      expect(await xpub.receive()).toEqual([sub(1, "B")])
      xpub.subscribe("XB")
      await xsub.send(sub(0, "A"))
      expect(await xpub.receive()).toEqual([sub(0, "A")])
      xpub.unsubscribe("XA")
      await xpub.send("XA")
      await xpub.send("XB")
      expect(text(await xsub.receive())).toEqual(["XB"])
      xsub.close()
      // Only what is still asked for is cancelled when the subscriber leaves: B, not A.
      expect(await xpub.receive()).toEqual([sub(0, "B")])
      await expectNothingWaiting(xpub)
    })

    it("by default every frame of a multipart message that starts with 0x01/0x00 is a subscription, each delivered alone", async () => {
      const xpub = track(new XPublisher(T))
      await xpub.bind(transport.bindAddress())
      const xsub = track(new XSubscriber(T))
      xsub.connect(transport.connectAddress(xpub))
      await xsub.send([sub(1, "A"), sub(1, "B")])
      expect(xsub.topicsCount).toBe(2)
      expect(await xpub.receive()).toEqual([sub(1, "A")])
      expect(await xpub.receive()).toEqual([sub(1, "B")])
      await xsub.send(["data", sub(1, "C")])
      expect(text(await xpub.receive())).toEqual(["data"])
      expect(await xpub.receive()).toEqual([sub(1, "C")])
      expect(xpub.topicsCount).toBe(3)
    })

    it("onlyFirstSubscribe: a message whose first frame is data is data, whole, on both sides", async () => {
      const xpub = track(new XPublisher({ onlyFirstSubscribe: true, ...T }))
      await xpub.bind(transport.bindAddress())
      const xsub = track(new XSubscriber({ onlyFirstSubscribe: true, ...T }))
      xsub.connect(transport.connectAddress(xpub))
      await xsub.send(["data", sub(1, "C"), sub(0, "D")])
      expect(xsub.topicsCount).toBe(0)
      expect(await xpub.receive()).toEqual([Buffer.from("data"), sub(1, "C"), sub(0, "D")])
      expect(xpub.topicsCount).toBe(0)
      // A first frame that is a subscription makes the rest subscriptions too (xsub.cpp's _process_subscribe).
      await xsub.send([sub(1, "A"), sub(1, "B")])
      expect(xsub.topicsCount).toBe(2)
      expect(await xpub.receive()).toEqual([sub(1, "A")])
      expect(await xpub.receive()).toEqual([sub(1, "B")])
      expect(xpub.topicsCount).toBe(2)
    })
  })
}

describe("with libzmq peers (zeromq.js 6.8's libzmq 4.3.5, its defaults)", () => {
  it("our XSUB's multipart subscriptions reach a libzmq XPUB as two subscriptions", async () => {
    const xpub = track(new zmq.XPublisher({ linger: 0, receiveTimeout: 5000 }))
    await xpub.bind("tcp://127.0.0.1:*")
    const xsub = track(new XSubscriber(T))
    xsub.connect(xpub.lastEndpoint!)
    await xsub.send([sub(1, "A"), sub(1, "B")])
    expect(await xpub.receive()).toEqual([sub(1, "A")])
    expect(await xpub.receive()).toEqual([sub(1, "B")])
  })

  it("a libzmq XSUB's multipart subscriptions reach our XPUB as two; with onlyFirstSubscribe, data first means data", async () => {
    const xpub = track(new XPublisher(T))
    await xpub.bind("tcp://127.0.0.1:*")
    const xsub = track(new zmq.XSubscriber({ linger: 0 }))
    xsub.connect(xpub.lastEndpoint!)
    await xsub.send([sub(1, "A"), sub(1, "B")])
    expect(await xpub.receive()).toEqual([sub(1, "A")])
    expect(await xpub.receive()).toEqual([sub(1, "B")])
    expect(xpub.topicsCount).toBe(2)

    const strict = track(new XPublisher({ onlyFirstSubscribe: true, ...T }))
    await strict.bind("tcp://127.0.0.1:*")
    const other = track(new zmq.XSubscriber({ linger: 0 }))
    other.connect(strict.lastEndpoint!)
    await other.send(["data", sub(1, "C")])
    expect(await strict.receive()).toEqual([Buffer.from("data"), sub(1, "C")])
    expect(strict.topicsCount).toBe(0)
  })

  it("xpubManualLastValue with two libzmq SUBs: the newest subscriber alone gets the first message", async () => {
    const xpub = track(new XPublisher({ xpubManualLastValue: true, ...T }))
    await xpub.bind("tcp://127.0.0.1:*")
    const subs = [track(new zmq.Subscriber({ linger: 0, receiveTimeout: 5000 })), track(new zmq.Subscriber({ linger: 0, receiveTimeout: 5000 }))]
    for (const subscriber of subs) {
      subscriber.connect(xpub.lastEndpoint!)
      subscriber.subscribe("1")
      expect(await xpub.receive()).toEqual([sub(1, "1")])
      xpub.subscribe("1")
    }
    await xpub.send(["1", "first"])
    await xpub.send(["1", "second"])
    expect(text(await subs[1]!.receive())).toEqual(["1", "first"])
    expect(text(await subs[1]!.receive())).toEqual(["1", "second"])
    expect(text(await subs[0]!.receive())).toEqual(["1", "second"])
  })

  it("topicsCount at our PUB follows a libzmq SUB's subscriptions", async () => {
    const pub = track(new Publisher())
    await pub.bind("tcp://127.0.0.1:*")
    const subscriber = track(new zmq.Subscriber({ linger: 0 }))
    subscriber.connect(pub.lastEndpoint!)
    subscriber.subscribe("a", "ab", "b")
    await until(() => pub.topicsCount === 3, 5000, "3 topics")
    subscriber.unsubscribe("ab")
    await until(() => pub.topicsCount === 2, 5000, "2 topics")
  })
})
