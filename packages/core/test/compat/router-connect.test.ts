/**
 * `Router.connect(address, { routingId })` (ZMQ_CONNECT_ROUTING_ID) makes that peer addressable at once:
 * messages sent to it queue until the peer is there, as libzmq does, instead of failing EHOSTUNREACH.
 */
import { describe, expect, it } from "vitest"
import * as zmq from "zeromq"
import { Dealer, Router } from "../../src/index.js"
import { TRANSPORTS } from "../helpers/transports.js"

describe("Router.connect with a routingId", () => {
  for (const transport of TRANSPORTS) {
    it(`over ${transport.name}: a message sent right after connect, before the peer binds, reaches it`, async () => {
      const address = await transport.fixedAddress()
      await using router = new Router({ mandatory: true })
      router.connect(address, { routingId: "server" })
      await router.send(["server", "hello before the bind"])
      await using dealer = new Dealer()
      await dealer.bind(address)
      dealer.receiveTimeout = 3000
      expect(String((await dealer.receive())[0])).toBe("hello before the bind")
      // The peer answers; the ROUTER sees it under the routing id it chose.
      await dealer.send("answer")
      router.receiveTimeout = 3000
      expect((await router.receive()).map(String)).toEqual(["server", "answer"])
    })
  }

  it("over tcp to a libzmq DEALER that binds later", async () => {
    const address = await TRANSPORTS.find((t) => t.name === "tcp")!.fixedAddress()
    await using router = new Router({ mandatory: true })
    router.connect(address, { routingId: "libzmq" })
    await router.send(["libzmq", "queued"])
    const dealer = new zmq.Dealer({ receiveTimeout: 3000 })
    try {
      await dealer.bind(address)
      expect(String((await dealer.receive())[0])).toBe("queued")
    } finally {
      dealer.close()
    }
  })

  it("without a routingId, a mandatory ROUTER still refuses an unknown peer (EHOSTUNREACH, with sendTimeout 0)", async () => {
    const address = await TRANSPORTS.find((t) => t.name === "tcp")!.fixedAddress()
    await using router = new Router({ mandatory: true, sendTimeout: 0 })
    router.connect(address)
    await expect(router.send(["nobody", "x"])).rejects.toMatchObject({ code: "EHOSTUNREACH" })
  })
})
