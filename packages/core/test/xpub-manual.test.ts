import { describe, expect, it } from "vitest"
import { Subscriber, XPublisher, ZmqError } from "../src/index.js"

// ZMQ_XPUB_MANUAL: the application decides which subscriptions take effect.
//
//   SUB ──"+A"──▶ XPUB(manual) ──▶ application: receive [0x01 "A"], then xpub.subscribe("B") for that peer

async function nextDelivered(sub: Subscriber, timeout: number): Promise<string | undefined> {
  const timer = new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), timeout))
  const message = sub.receive().then((parts) => parts.map(String).join("|"))
  return Promise.race([message, timer])
}

describe("XPublisher manual mode", () => {
  it("passes subscriptions to the application and applies only what it subscribes on the peer's behalf", async () => {
    await using xpub = new XPublisher({ manual: true })
    await xpub.bind("tcp://127.0.0.1:*")
    await using sub = new Subscriber({ receiveTimeout: -1 })
    sub.connect(xpub.lastEndpoint!)
    sub.subscribe("A")
    const [request] = await xpub.receive()
    expect(request![0]).toBe(1)
    expect(String(request!.subarray(1))).toBe("A")

    // Nothing applied yet: a message on "A" is not sent.
    await xpub.send(["A", "not yet"])
    // The application maps the request to another topic for that subscriber.
    xpub.subscribe("B")
    await xpub.send(["A", "still not"])
    await xpub.send(["B", "mapped"])
    // The SUB filters locally on "A" too, so subscribe it to B for the delivery check.
    sub.subscribe("B")
    const [again] = await xpub.receive() // the manual XPUB passes every request, duplicates included
    expect(String(again!.subarray(1))).toBe("B")
    await xpub.send(["B", "delivered"])
    const first = await nextDelivered(sub, 1000)
    expect(["B|mapped", "B|delivered"]).toContain(first)
  })

  it("refuses subscribe() on an XPublisher that is not manual", async () => {
    await using xpub = new XPublisher()
    expect(() => xpub.subscribe("A")).toThrow(expect.objectContaining({ code: "EINVAL" }))
    expect(ZmqError.isInstance(new ZmqError("EINVAL", "x"))).toBe(true)
  })
})
