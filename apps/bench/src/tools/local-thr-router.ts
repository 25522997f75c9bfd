/**
 * The receiving side of a DEALER→ROUTER throughput run: a ROUTER binds and receives [routing id, body]
 * messages of `size` bytes until the empty end message, measured as local-thr measures PULL (same warm-up,
 * same deadline). The `net` floor of this case is local-thr's.
 *
 * usage: local-thr-router <zmq-ts|zeromq.js> <bind-address> <size> <warmup-seconds> <deadline-ms>
 */
import { args, finish, Meter, ready } from "../lib/child.js"
import { loadZmq } from "../lib/zmq.js"

const [impl, address, sizeText, warmupText, deadlineText] = args("local-thr-router <impl> <bind-address> <size> <warmup-seconds> <deadline-ms>", 5)
const size = Number(sizeText)
const meter = new Meter(Number(warmupText))

const zmq = await loadZmq(impl)
const router = new zmq.Router()
await router.bind(address)
ready([router.lastEndpoint!])
const deadline = setTimeout(() => router.close(), Number(deadlineText))
let badSize = 0
try {
  for await (const [, message] of router) {
    if (message!.length !== size) {
      if (message!.length === 0) break
      badSize++
    }
    meter.add(1)
  }
} catch {
  // closed at the deadline
}
const result = meter.result()
clearTimeout(deadline)
await finish({ ...result, badSize }, () => {
  router.linger = 0
  router.close()
})
