/**
 * The echoing side of a DEALER↔ROUTER latency run: a ROUTER binds and sends every [routing id, body] it
 * receives straight back to the same peer, until the empty end message (echoed too). The `net` floor of
 * this case is local-lat's (a one-message ping-pong has the same floor whatever the pattern).
 *
 * usage: local-lat-router <zmq-ts|zeromq.js> <bind-address> <deadline-ms>
 */
import { args, finish, ready } from "../lib/child.js"
import { loadZmq } from "../lib/zmq.js"

const [impl, address, deadlineText] = args("local-lat-router <impl> <bind-address> <deadline-ms>", 3)

const zmq = await loadZmq(impl)
const router = new zmq.Router()
await router.bind(address)
ready([router.lastEndpoint!])
const deadline = setTimeout(() => router.close(), Number(deadlineText))
let echoed = 0
try {
  for await (const [routingId, message] of router) {
    await router.send([routingId!, message!])
    if (message!.length === 0) break
    echoed++
  }
} catch {
  // closed at the deadline
}
clearTimeout(deadline)
await finish({ echoed }, () => {
  router.linger = 0
  router.close()
})
