/**
 * envelopes — @zmq-ts/patterns' pub-sub envelopes: the Guide's psenvpub/psenvsub (chapter 2, "Pub-Sub
 * Message Envelopes") in one process, over inproc, with prefix and exact topic matching.
 *
 *   publisher ──[topic, address, body]──▶ SUB subscribed to "A" as a prefix   sees A and AB
 *                                     ──▶ SUB subscribed to "A" exactly      sees A only
 *
 * ZeroMQ matches a subscription against the start of the first frame only, so with the key in a frame of its
 * own a subscription never matches the body ("A… in the body" below reaches nobody subscribed to "A"); but
 * "A" still matches the topic "AB". The publisher encodes topics with `exactTopic` (a 0x00 terminator), and
 * each subscriber chooses: subscribe with `exactTopic` for that topic only, without it for every topic that
 * starts with it.
 */
import { Subscriber, XPublisher } from "@zmq-ts/core"
import { receiveAddressedEnvelope, sendAddressedEnvelope, subscribeTopic } from "@zmq-ts/patterns"

const options = { exactTopic: true }
const publisher = new XPublisher()
await publisher.bind("inproc://envelopes")

const prefix = new Subscriber()
prefix.connect("inproc://envelopes")
subscribeTopic(prefix, "A") //  every topic that starts with "A"
const exact = new Subscriber()
exact.connect("inproc://envelopes")
subscribeTopic(exact, "A", options) //  the topic "A" only

//  No slow joiner: the XPUB shows both subscriptions before anything is published
await publisher.receive()
await publisher.receive()

await sendAddressedEnvelope(publisher, { topic: "A", address: "sensor-1", body: "We would like to see this" }, options)
await sendAddressedEnvelope(publisher, { topic: "AB", address: "sensor-2", body: "A longer topic" }, options)
await sendAddressedEnvelope(publisher, { topic: "B", address: "sensor-3", body: "A… in the body never matches" }, options)
await sendAddressedEnvelope(publisher, { topic: "A", address: "publisher", body: "END" }, options)

for (const [name, subscriber] of [["prefix 'A'", prefix], ["exact  'A'", exact]] as const) {
  for (;;) {
    //  Read envelope with address, and message contents
    const { topic, address, body } = await receiveAddressedEnvelope(subscriber, options)
    if (body.toString() === "END") break
    console.log(`${name}: [${topic.toString()}] from ${address.toString()}: ${body.toString()}`)
  }
}

prefix.close()
exact.close()
publisher.close()
