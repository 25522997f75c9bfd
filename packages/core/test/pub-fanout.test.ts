/**
 * A PUB's fan-out frames each message once for every subscriber connection that sends frames as they are
 * (NULL or PLAIN over tcp and ipc) and hands the same bytes to all of them (decision 0022). What a user relies
 * on: every subscriber, whatever its transport or security, gets every message whole and in order, the same
 * as if each connection had framed its own copy; a CURVE, ws or inproc subscriber next to them too.
 */
import { describe, expect, it } from "vitest"
import { curveKeyPair, Publisher, Subscriber } from "../src/index.js"
import { probe } from "./helpers/subscriptions.js"
import { ipcPath, receiveMany } from "./helpers/transports.js"

describe("PUB fan-out to subscribers of every kind at once", () => {
  it("delivers every message, small to 20 KiB and multipart, whole and in order to each of them", async () => {
    const server = curveKeyPair()
    const client = curveKeyPair()
    await using pub = new Publisher({ sendHighWaterMark: 0 })
    await using curvePub = new Publisher({ sendHighWaterMark: 0, curveServer: true, curveSecretKey: server.secretKey })
    await pub.bind("tcp://127.0.0.1:*")
    const tcp = pub.lastEndpoint!
    const ipc = `ipc://${ipcPath()}`
    await pub.bind(ipc)
    await pub.bind("ws://127.0.0.1:*/")
    const ws = pub.lastEndpoint!
    await pub.bind("inproc://fanout")
    await curvePub.bind("tcp://127.0.0.1:*")

    const subscribers: Subscriber[] = []
    const make = (endpoint: string, options: ConstructorParameters<typeof Subscriber>[0] = {}): Subscriber => {
      const sub = new Subscriber({ receiveHighWaterMark: 0, ...options })
      sub.connect(endpoint)
      sub.subscribe("")
      subscribers.push(sub)
      return sub
    }
    for (let i = 0; i < 4; i++) make(tcp)
    make(ipc)
    make(ws)
    make("inproc://fanout")
    const curveSub = make(curvePub.lastEndpoint!, { curveServerKey: server.publicKey, curvePublicKey: client.publicKey, curveSecretKey: client.secretKey })
    const plainSubs = subscribers.filter((sub) => sub !== curveSub)
    try {
      await probe(pub, plainSubs, "\x02sync")
      await probe(curvePub, [curveSub], "\x02sync")

      const count = 600
      const message = (i: number): Buffer[] => {
        const size = [0, 1, 64, 255, 256, 3000, 20_000][i % 7]!
        const body = Buffer.alloc(size, i & 0xff)
        return i % 3 === 0 ? [Buffer.from(`m${i}`), body, Buffer.from("tail")] : [Buffer.from(`m${i}`), body]
      }
      const receiving = subscribers.map((sub) => receiveMany(sub, count, 20_000))
      for (let i = 0; i < count; i++) {
        // Batches of sends in one turn: the engines frame them once and write them as runs.
        void pub.send(message(i))
        void curvePub.send(message(i))
        if (i % 50 === 49) await new Promise((resolve) => setImmediate(resolve))
      }
      const expected = Array.from({ length: count }, (_, i) => message(i).map((frame) => frame.toString("hex")))
      for (const got of await Promise.all(receiving)) {
        expect(got.map((frames) => frames.map((frame) => Buffer.from(frame).toString("hex")))).toEqual(expected)
      }
    } finally {
      for (const sub of subscribers) sub.close()
    }
  })
})
