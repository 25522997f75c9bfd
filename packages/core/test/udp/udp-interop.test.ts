/**
 * RADIO/DISH over udp with libzmq 4.3.5's (zeromq.js's `zeromq/draft` build), both directions:
 *
 *   our Radio   ──udp──▶ their Dish        their Radio ──udp──▶ our Dish
 *
 * unicast over IPv4 and IPv6, and multicast on the loopback interface. libzmq binds and plugs a udp socket
 * in its I/O thread after zmq_bind/zmq_connect return, so the first datagram of a conversation is resent
 * until one arrives (udp drops what comes before a socket listens); after that, every message counts.
 */
import { Buffer } from "node:buffer"
import { describe, expect, it } from "vitest"
import * as draft from "zeromq/draft.js"
import { Dish, Radio } from "../../src/draft.js"
import { freeUdpPort, sendUntilReceived, track } from "./udp-helpers.js"

interface Case {
  readonly name: string
  readonly ipv6: boolean
  /** The DISH's bind address and the RADIO's connect address for `port`. */
  readonly bind: (port: number) => string
  readonly connect: (port: number) => string
}

const CASES: readonly Case[] = [
  { name: "unicast IPv4", ipv6: false, bind: (port) => `udp://*:${port}`, connect: (port) => `udp://127.0.0.1:${port}` },
  { name: "unicast IPv6", ipv6: true, bind: (port) => `udp://*:${port}`, connect: (port) => `udp://[::1]:${port}` },
  {
    name: "multicast on loopback",
    ipv6: false,
    bind: (port) => `udp://127.0.0.1;239.193.9.1:${port}`,
    connect: (port) => `udp://127.0.0.1;239.193.9.1:${port}`,
  },
]

/** Bodies that fill the datagram from nothing to libzmq's 8192 bytes, with a 2-byte group. */
const BODIES = [0, 1, 100, 1024, 8189].map((size, i) => Buffer.alloc(size, i + 1))

for (const testCase of CASES) {
  describe(`udp ${testCase.name} with libzmq`, () => {
    it("our RADIO → their DISH: only the groups it joined, each body whole", async () => {
      const port = await freeUdpPort()
      const theirs = track(new draft.Dish({ ipv6: testCase.ipv6 }))
      await theirs.bind(testCase.bind(port))
      theirs.join("TV", "")
      const radio = track(new Radio({ ipv6: testCase.ipv6 }))
      radio.connect(testCase.connect(port))
      await sendUntilReceived(() => radio.send("hello", { group: "TV" }), theirs.receive())
      await radio.send("not joined", { group: "radio" })
      for (const body of BODIES) await radio.send(body, { group: "TV" })
      await radio.send("empty group", { group: "" })
      const received: Array<[string, Buffer]> = []
      while (received.length < BODIES.length + 1) {
        const [body, { group }] = await theirs.receive()
        if (body.toString() === "hello") continue // a resend still in flight
        received.push([group.toString(), body])
      }
      expect(received.map(([group]) => group)).toEqual([...BODIES.map(() => "TV"), ""])
      BODIES.forEach((body, i) => expect(received[i]![1].equals(body), `body ${i}`).toBe(true))
      expect(received.at(-1)![1].toString()).toBe("empty group")
    })

    it("their RADIO → our DISH: only the groups we joined, each body whole", async () => {
      const port = await freeUdpPort()
      const dish = track(new Dish({ ipv6: testCase.ipv6 }))
      await dish.bind(testCase.bind(port))
      dish.join("TV", "x".repeat(255))
      const theirs = track(new draft.Radio({ ipv6: testCase.ipv6 }))
      theirs.connect(testCase.connect(port))
      await sendUntilReceived(() => theirs.send("hello", { group: "TV" }), dish.receive())
      await theirs.send("not joined", { group: "radio" })
      for (const body of BODIES) await theirs.send(body, { group: "TV" })
      await theirs.send("long group", { group: "x".repeat(255) })
      const received: Array<[string, Buffer]> = []
      while (received.length < BODIES.length + 1) {
        const [body, { group }] = await dish.receive()
        if (body.toString() === "hello") continue
        received.push([group.toString(), body])
      }
      expect(received.map(([group]) => group)).toEqual([...BODIES.map(() => "TV"), "x".repeat(255)])
      BODIES.forEach((body, i) => expect(received[i]![1].equals(body), `body ${i}`).toBe(true))
    })
  })
}
