// The minimal REQ client whose bundle size the README reports: connect, one request, one reply.
import { Request } from "@zmq-ts/core"

const request = new Request()
request.connect("ws://127.0.0.1:5555")
await request.send("hello")
const [reply] = await request.receive()
console.log(new TextDecoder().decode(reply))
