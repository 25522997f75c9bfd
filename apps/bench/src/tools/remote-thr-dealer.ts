/**
 * The sending side of a DEALER→ROUTER throughput run: a DEALER connects to the endpoint read from stdin and
 * sends `count` messages of `size` bytes, or as many as fit in `seconds`, in remote-thr's natural loop
 * (`await send()` per message), then the empty end message.
 *
 * usage: remote-thr-dealer <zmq-ts|zeromq.js> <size> <count> <seconds>
 */
import { args, body, finish, now, readEndpoints, SendDeadline } from "../lib/child.js"
import { loadZmq } from "../lib/zmq.js"

const [impl, sizeText, countText, secondsText] = args("remote-thr-dealer <impl> <size> <count> <seconds>", 4)
const size = Number(sizeText)
const count = Number(countText)
const [endpoint] = await readEndpoints()

const zmq = await loadZmq(impl)
const dealer = new zmq.Dealer()
dealer.connect(endpoint!)
const message = body(size)
const deadline = new SendDeadline(Number(secondsText))
const start = now()
let sent = 0
while (sent < count) {
  await dealer.send(message)
  sent++
  if ((sent & 1023) === 0 && now() > deadline.at) break
}
await dealer.send(Buffer.alloc(0))
await finish({ sent, seconds: now() - start }, () => {
  dealer.linger = 0
  dealer.close()
})
