/**
 * A libzmq peer (zeromq.js v6): the Guide's chapter 2 msgqueue, libzmq's own zmq_proxy between ROUTER
 * tcp://*:5559 (clients) and DEALER tcp://*:5560 (workers). Prints "msgqueue ready" once both are bound.
 */
import * as zmq from "zeromq"

const frontend = new zmq.Router({ linger: 0 })
await frontend.bind("tcp://*:5559")
const backend = new zmq.Dealer({ linger: 0 })
await backend.bind("tcp://*:5560")

console.log("msgqueue ready")
await new zmq.Proxy(frontend, backend).run()
