/**
 * Proxy with the draft types, where libzmq's zmq_proxy carries their messages whole:
 *
 *   SCATTER ──▶ [GATHER │ proxy │ SCATTER] ──▶ GATHER          a streamer
 *   RADIO ──▶ [DISH │ proxy │ RADIO] ──▶ DISH                   each message keeps its group
 *   SERVER/PEER, or RADIO/DISH with another type: ENOTSUP (routing ids and groups would not survive)
 */
import { describe, expect, it } from "vitest"
import { Proxy, Pull, Push } from "../../src/index.js"
import { Client, Dish, Gather, Peer, Radio, Scatter, Server } from "../../src/draft.js"
import { track } from "../helpers/cleanup.js"
import { settlesWithin, until } from "../helpers/transports.js"

let counter = 0
const name = (what: string): string => `inproc://draft-proxy-${what}-${++counter}`

describe("Proxy with the draft types", () => {
  it("GATHER → SCATTER: a streamer of single-part messages", async () => {
    const frontEnd = new Gather()
    const backEnd = new Scatter()
    const inAddress = name("in")
    const outAddress = name("out")
    await frontEnd.bind(inAddress)
    await backEnd.bind(outAddress)
    const proxy = new Proxy(frontEnd, backEnd)
    const running = proxy.run()
    const producer = track(new Scatter())
    const consumer = track(new Gather())
    producer.connect(inAddress)
    consumer.connect(outAddress)
    for (let i = 0; i < 5; i++) await producer.send(`work ${i}`)
    for (let i = 0; i < 5; i++) expect((await consumer.receive())[0]!.toString()).toBe(`work ${i}`)
    proxy.terminate()
    await running
  })

  it("DISH → RADIO: messages keep their group through the proxy", async () => {
    const frontEnd = new Dish()
    frontEnd.join("news", "sports")
    const backEnd = new Radio()
    const inAddress = name("dish")
    const outAddress = name("radio")
    await frontEnd.bind(inAddress)
    await backEnd.bind(outAddress)
    const proxy = new Proxy(frontEnd, backEnd)
    const running = proxy.run()
    const source = track(new Radio())
    const listener = track(new Dish())
    listener.join("sports")
    source.connect(inAddress)
    listener.connect(outAddress)
    while (!listener.readable) {
      await source.send("probe", { group: "sports" })
      await settlesWithin(until(() => listener.readable, 50), 100)
    }
    while (listener.readable) await listener.receive()
    await source.send("headline", { group: "news" })
    await source.send("score", { group: "sports" })
    const [body, { group }] = await listener.receive()
    expect([group.toString(), body.toString()]).toEqual(["sports", "score"])
    proxy.terminate()
    await running
  })

  it("refuses SERVER and PEER, and RADIO/DISH with another type: ENOTSUP", () => {
    const cases: Array<[object, object]> = [
      [track(new Server()), track(new Client())],
      [track(new Client()), track(new Server())],
      [track(new Peer()), track(new Peer())],
      [track(new Dish()), track(new Push())],
      [track(new Pull()), track(new Radio())],
      [track(new Dish()), track(new Scatter())],
    ]
    for (const [frontEnd, backEnd] of cases) {
      expect(() => new Proxy(frontEnd as Dish, backEnd as Radio)).toThrow(expect.objectContaining({ code: "ENOTSUP" }))
    }
  })
})
