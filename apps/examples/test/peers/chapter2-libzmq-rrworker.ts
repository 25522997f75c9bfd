/**
 * A libzmq peer (zeromq.js v6): the Guide's chapter 2 rrworker. Connects REP to tcp://localhost:5560 (a
 * broker's backend), prints "Received request: …" and replies "World" after the work, a second divided by
 * ZMQ_TS_EXAMPLE_SPEED.
 */
import * as zmq from "zeromq"

const SPEED = Number(process.env.ZMQ_TS_EXAMPLE_SPEED ?? 1) || 1

const responder = new zmq.Reply({ linger: 0 })
responder.connect("tcp://localhost:5560")

for await (const [request] of responder) {
  console.log(`Received request: ${request!.toString("utf8")}`)
  await new Promise((resolve) => setTimeout(resolve, 1000 / SPEED))
  await responder.send("World")
}
