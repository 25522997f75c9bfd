/**
 * The transport bridge (the Guide's "Transport Bridging", wuproxy), XSUB ⇄ XPUB:
 *
 *   XPUB publisher (tcp) ──▶ bridge upstream XSUB ══ Proxy ══ downstream XPUB (inproc | tcp) ──▶ SUB ×2
 *                       ◀── subscriptions travel back up ◀──────────────────────────────────────┘
 *
 * Multipart messages cross whole; a subscription made behind the bridge reaches the publisher (which then
 * filters at the source), and a cancel follows it; `subscribeAll` subscribes upstream to everything at once.
 */
import { Context, Subscriber, XPublisher, type Message } from "@zmq-ts/core"
import { describe, expect, it } from "vitest"
import { TransportBridge } from "../src/index.js"
import { bindAddress, within, type TransportName } from "./helpers/endpoints.js"

const text = (message: Message[]): string[] => message.map((frame) => frame.toString())

async function nextSubscription(publisher: XPublisher): Promise<string> {
  const [frame] = await within(publisher.receive(), 3000, "a subscription at the publisher")
  return `${frame![0] === 1 ? "+" : "-"}${frame!.subarray(1).toString()}`
}

for (const downstream of ["inproc", "tcp"] as TransportName[]) {
  describe(`TransportBridge tcp → ${downstream}`, () => {
    it("forwards subscriptions upstream and whole multipart messages downstream", async () => {
      const context = new Context()
      const publisher = new XPublisher({ context })
      try {
        await publisher.bind("tcp://127.0.0.1:*")
        const real = new TransportBridge({
          upstream: { connect: publisher.lastEndpoint! },
          downstream: bindAddress(downstream, "bridge"),
          context,
        })
        await real.start()
        const weather = new Subscriber({ context })
        weather.connect(real.downstreamEndpoints[0]!)
        weather.subscribe("10001 ")
        expect(await nextSubscription(publisher)).toBe("+10001 ")
        const news = new Subscriber({ context })
        news.connect(real.downstreamEndpoints[0]!)
        news.subscribe("news")
        expect(await nextSubscription(publisher)).toBe("+news")

        await publisher.send(["10001 ", "temperature", "humidity"])
        await publisher.send(["news", "headline"])
        await publisher.send(["sports", "nobody asked"])
        await publisher.send(["10001 ", "last"])
        expect(text(await within(weather.receive(), 3000, "weather 1"))).toEqual(["10001 ", "temperature", "humidity"])
        expect(text(await within(weather.receive(), 3000, "weather 2"))).toEqual(["10001 ", "last"])
        expect(text(await within(news.receive(), 3000, "news"))).toEqual(["news", "headline"])

        news.unsubscribe("news")
        expect(await nextSubscription(publisher)).toBe("-news")
        weather.close()
        news.close()
        await real.stop()
        expect([real.upstream.closed, real.downstream.closed]).toEqual([true, true])
      } finally {
        publisher.close()
        context.terminate()
      }
    })
  })
}

describe("TransportBridge options", () => {
  it("subscribeAll subscribes upstream to everything, as the Guide's wuproxy", async () => {
    const context = new Context()
    try {
      const publisher = new XPublisher({ context })
      await publisher.bind(bindAddress("inproc", "all-pub"))
      const bridge = new TransportBridge({
        upstream: { connect: publisher.lastEndpoint! },
        downstream: bindAddress("inproc", "all-bridge"),
        subscribeAll: true,
        context,
      })
      await bridge.start()
      expect(await nextSubscription(publisher)).toBe("+")
      await bridge.stop()
    } finally {
      context.terminate()
    }
  })

  it("an empty endpoint list is refused with ERR_PATTERN_INVALID_OPTION", async () => {
    const context = new Context()
    try {
      const bridge = new TransportBridge({ upstream: [], downstream: bindAddress("inproc", "x"), context })
      await expect(bridge.start()).rejects.toMatchObject({ code: "ERR_PATTERN_INVALID_OPTION" })
    } finally {
      context.terminate()
    }
  })
})
