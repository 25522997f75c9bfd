/**
 * hwclient — Guide chapter 1, "Hello World": the request-reply client. Connects a REQ socket to
 * tcp://localhost:5555, sends "Hello" ten times and waits for "World" each time. Start it before the server
 * and it still works: the connect completes whenever the server binds.
 */
import { Request } from "@zmq-ts/core"

console.log("Connecting to hello world server...")
const requester = new Request()
requester.connect("tcp://localhost:5555")

for (let requestNbr = 0; requestNbr !== 10; requestNbr++) {
  console.log(`Sending Hello ${requestNbr}...`)
  await requester.send("Hello")
  await requester.receive()
  console.log(`Received World ${requestNbr}`)
}
requester.close()
