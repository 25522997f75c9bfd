/**
 * A libzmq peer (zeromq.js v6): the Guide's chapter 1 hwclient. Connects REQ to tcp://localhost:5555 and
 * sends ten "Hello"s, printing "Sending Hello N..." and, for each "World" that comes back, "Received World N".
 */
import * as zmq from "zeromq"

console.log("Connecting to hello world server...")
const requester = new zmq.Request({ linger: 0 })
requester.connect("tcp://localhost:5555")

for (let requestNbr = 0; requestNbr !== 10; requestNbr++) {
  console.log(`Sending Hello ${requestNbr}...`)
  await requester.send("Hello")
  const [reply] = await requester.receive()
  if (reply?.toString("utf8") !== "World") throw new Error(`unexpected reply ${String(reply)}`)
  console.log(`Received World ${requestNbr}`)
}
requester.close()
