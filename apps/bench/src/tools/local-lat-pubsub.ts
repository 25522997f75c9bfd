/**
 * The echoing side of a PUB/SUB round-trip run: a SUB (subscribed to everything) binds the first address,
 * a PUB the second, and every message the SUB receives is republished on the PUB, until the empty end
 * message (republished too). The `net` floor of this case is local-lat's.
 *
 * usage: local-lat-pubsub <zmq-ts|zeromq.js> <sub-bind-address> <pub-bind-address> <deadline-ms>
 */
import { args, finish, ready } from "../lib/child.js"
import { loadZmq } from "../lib/zmq.js"

const [impl, subAddress, pubAddress, deadlineText] = args("local-lat-pubsub <impl> <sub-bind-address> <pub-bind-address> <deadline-ms>", 4)

const zmq = await loadZmq(impl)
const subscriber = new zmq.Subscriber()
subscriber.subscribe()
await subscriber.bind(subAddress)
const publisher = new zmq.Publisher()
await publisher.bind(pubAddress)
ready([subscriber.lastEndpoint!, publisher.lastEndpoint!])
const close = (): void => {
  for (const socket of [subscriber, publisher]) {
    socket.linger = 0
    socket.close()
  }
}
const deadline = setTimeout(close, Number(deadlineText))
let echoed = 0
try {
  for await (const [message] of subscriber) {
    await publisher.send(message!)
    if (message!.length === 0) break
    echoed++
  }
} catch {
  // closed at the deadline
}
clearTimeout(deadline)
await finish({ echoed }, close)
