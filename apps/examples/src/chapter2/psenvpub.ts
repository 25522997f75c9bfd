/**
 * psenvpub — the Guide, chapter 2, "Pub-Sub Message Envelopes": pubsub envelope publisher.
 *
 * Binds PUB tcp://*:5563 and, every second, writes two messages, each with an envelope (the key, "A" or
 * "B") and content, as two frames of one message. ZMQ_TS_EXAMPLE_SPEED=n sends n times as often (tests).
 */
import { Publisher } from "@zmq-ts/core"
import { s_catch_signals, s_interrupted, s_send, s_sendmore, s_sleep } from "@zmq-ts/zhelpers"

const SPEED = Number(process.env.ZMQ_TS_EXAMPLE_SPEED ?? 1) || 1

//  Prepare our publisher
const publisher = new Publisher()
await publisher.bind("tcp://*:5563")

s_catch_signals()
while (!s_interrupted) {
  //  Write two messages, each with an envelope and content
  await s_sendmore(publisher, "A")
  await s_send(publisher, "We don't want to see this")
  await s_sendmore(publisher, "B")
  await s_send(publisher, "We would like to see this")
  await s_sleep(1000 / SPEED)
}
publisher.close()
