/**
 * local_thr: the receiving side of a throughput run. Binds a PULL socket (or, for `net`, a server) and
 * receives messages of `size` bytes until the empty end message. Reports the messages received after a
 * warm-up of `warmup` seconds and the time from the end of the warm-up to the end message. Gives up at the
 * deadline. With the runner's CURVE keys in the environment (lib/curve.ts) the PULL is a CURVE server.
 *
 * usage: local-thr <zmq-ts|zeromq.js|net> <bind-address> <size> <warmup-seconds> <deadline-ms>
 */
import { args, finish, Meter, ready } from "../lib/child.js"
import { assertCurve, curveServerOptions } from "../lib/curve.js"
import { FrameCounter, listen } from "../lib/net-frames.js"
import { loadZmq } from "../lib/zmq.js"

const [impl, address, sizeText, warmupText, deadlineText] = args("local-thr <impl> <bind-address> <size> <warmup-seconds> <deadline-ms>", 5)
const size = Number(sizeText)
const deadlineMs = Number(deadlineText)
const meter = new Meter(Number(warmupText))

if (impl === "net") {
  const counter = new FrameCounter()
  const { server, endpoint } = await listen(address, (socket) => {
    const deadline = setTimeout(() => done(), deadlineMs)
    let done = (): void => {
      done = () => {}
      clearTimeout(deadline)
      socket.pause()
      void finish({ ...meter.result(), badSize: counter.lastSize === size ? 0 : 1 }, () => socket.destroy())
    }
    let counted = 0
    socket.on("data", (chunk: Buffer) => {
      counter.feed(chunk)
      meter.add(counter.frames - counted)
      counted = counter.frames
      if (counter.ended) done()
    })
  })
  server.unref()
  ready([endpoint])
} else {
  const zmq = await loadZmq(impl)
  const pull = new zmq.Pull(curveServerOptions())
  assertCurve(zmq, pull)
  await pull.bind(address)
  ready([pull.lastEndpoint!])
  const deadline = setTimeout(() => pull.close(), deadlineMs)
  let badSize = 0
  try {
    for await (const [message] of pull) {
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
    pull.linger = 0
    pull.close()
  })
}
