/**
 * message-queue — @zmq-ts/patterns' MessageQueue: the Guide's msgqueue (chapter 2, "ZeroMQ's Built-In
 * Proxy Function"), rrbroker with zmq_proxy (our Proxy) in the middle, in one process over inproc.
 *
 *   rrclient (REQ) ×3 ──▶ ROUTER ══ Proxy ══ DEALER ◀── rrworker (REP) ×2
 *
 * A capture socket sees a copy of every message that crosses, both ways; the queue is paused for a moment
 * and the requests wait in the sockets' queues until it resumes.
 */
import { Pull, Push, Reply, Request } from "@zmq-ts/core"
import { s_sleep } from "@zmq-ts/zhelpers"
import { MessageQueue } from "@zmq-ts/patterns"

//  A capture socket: a PUSH whose copies a PULL counts
const captured = new Pull()
await captured.bind("inproc://capture")
const capture = new Push()
capture.connect("inproc://capture")

const queue = new MessageQueue({ frontend: "inproc://frontend", backend: "inproc://backend", capture })
await queue.start()

const workers = ["worker-1", "worker-2"].map((name) => {
  const responder = new Reply()
  responder.connect("inproc://backend")
  void (async () => {
    for await (const [request] of responder) await responder.send(`World from ${name} (${request!.toString()})`)
  })()
  return responder
})

queue.pause()
const clients = ["A", "B", "C"].map(async (name) => {
  const requester = new Request()
  requester.connect("inproc://frontend")
  for (let request = 0; request < 3; request++) {
    await requester.send(`Hello ${name}-${request}`)
    const [reply] = await requester.receive()
    console.log(`client-${name}: received reply ${request} [${reply!.toString()}]`)
  }
  requester.close()
})
console.log("Queue paused: requests wait…")
await s_sleep(100)
console.log("…and flow once it resumes")
queue.resume()
await Promise.all(clients)

let copies = 0
while (captured.readable) {
  await captured.receive()
  copies++
}
console.log(`The capture socket saw ${copies} messages (9 requests and 9 replies)`)

for (const responder of workers) responder.close()
await queue.stop()
capture.close()
captured.close()
