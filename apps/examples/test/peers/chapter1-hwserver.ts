/**
 * A libzmq peer (zeromq.js v6): the Guide's chapter 1 hwserver. Binds REP to tcp://*:5555, prints
 * "Received Hello" for each request and replies "World" after the work, a second divided by
 * ZMQ_TS_EXAMPLE_SPEED. Ctrl-C closes the socket and exits 0.
 */
import * as zmq from "zeromq"

const SPEED = Number(process.env.ZMQ_TS_EXAMPLE_SPEED ?? 1) || 1

const responder = new zmq.Reply({ linger: 0 })
await responder.bind("tcp://*:5555")
process.once("SIGINT", () => {
  responder.close()
  process.exit(0)
})

for await (const [request] of responder) {
  if (request?.toString("utf8") !== "Hello") throw new Error(`unexpected request ${String(request)}`)
  console.log("Received Hello")
  await new Promise((resolve) => setTimeout(resolve, 1000 / SPEED))
  await responder.send("World")
}
