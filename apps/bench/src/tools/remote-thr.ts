/**
 * remote_thr: the sending side of a throughput run. Connects a PUSH socket (or, for `net`, a socket) to the
 * endpoint read from stdin and sends `count` messages of `size` bytes, or as many as fit in `seconds`, in the
 * natural loop (`await send()` per message), then the empty end message. With the runner's CURVE keys in the
 * environment (lib/curve.ts) the PUSH is a CURVE client of the receiving side.
 *
 * usage: remote-thr <zmq-ts|zeromq.js|net> <size> <count> <seconds>
 */
import { once } from "node:events"
import { args, body, finish, now, readEndpoints, SendDeadline } from "../lib/child.js"
import { assertCurve, curveClientOptions } from "../lib/curve.js"
import { batch, connectTo, END_FRAME } from "../lib/net-frames.js"
import { loadZmq } from "../lib/zmq.js"

const [impl, sizeText, countText, secondsText] = args("remote-thr <impl> <size> <count> <seconds>", 4)
const size = Number(sizeText)
const count = Number(countText)
const seconds = Number(secondsText)
const [endpoint] = await readEndpoints()

if (impl === "net") {
  const socket = await connectTo(endpoint!)
  const { bytes, messages } = batch(size)
  const deadline = new SendDeadline(seconds)
  const start = now()
  let sent = 0
  while (sent < count && now() < deadline.at) {
    if (!socket.write(bytes)) await once(socket, "drain")
    sent += messages
  }
  socket.write(END_FRAME)
  await finish({ sent, seconds: now() - start }, () => socket.destroy())
} else {
  const zmq = await loadZmq(impl)
  const push = new zmq.Push(curveClientOptions())
  assertCurve(zmq, push)
  push.connect(endpoint!)
  const message = body(size)
  const deadline = new SendDeadline(seconds)
  const start = now()
  let sent = 0
  while (sent < count) {
    await push.send(message)
    sent++
    if ((sent & 1023) === 0 && now() > deadline.at) break
  }
  await push.send(Buffer.alloc(0))
  await finish({ sent, seconds: now() - start }, () => {
    push.linger = 0
    push.close()
  })
}
