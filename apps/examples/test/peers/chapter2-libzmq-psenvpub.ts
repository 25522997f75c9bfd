/**
 * A libzmq peer (zeromq.js v6): the Guide's chapter 2 psenvpub. Binds PUB tcp://*:5563 and publishes the two
 * enveloped messages ("A" and "B", each key in a frame of its own) every second divided by
 * ZMQ_TS_EXAMPLE_SPEED.
 */
import * as zmq from "zeromq"

const SPEED = Number(process.env.ZMQ_TS_EXAMPLE_SPEED ?? 1) || 1

const publisher = new zmq.Publisher({ linger: 0 })
await publisher.bind("tcp://*:5563")

while (true) {
  await publisher.send(["A", "We don't want to see this"])
  await publisher.send(["B", "We would like to see this"])
  await new Promise((resolve) => setTimeout(resolve, 1000 / SPEED))
}
