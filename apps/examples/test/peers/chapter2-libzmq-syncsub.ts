/**
 * A libzmq peer (zeromq.js v6): the Guide's chapter 2 syncsub. Subscribes to everything on
 * tcp://localhost:5561, waits a second, synchronizes with the publisher over REQ tcp://localhost:5562, then
 * counts updates until "END" and prints "Received N updates".
 */
import * as zmq from "zeromq"

const subscriber = new zmq.Subscriber({ linger: 0 })
subscriber.connect("tcp://localhost:5561")
subscriber.subscribe()

await new Promise((resolve) => setTimeout(resolve, 1000))

const syncclient = new zmq.Request({ linger: 0 })
syncclient.connect("tcp://localhost:5562")
await syncclient.send("")
await syncclient.receive()

let updateNbr = 0
for await (const [update] of subscriber) {
  if (update!.toString("utf8") === "END") break
  updateNbr++
}
console.log(`Received ${updateNbr} updates`)
subscriber.close()
syncclient.close()
