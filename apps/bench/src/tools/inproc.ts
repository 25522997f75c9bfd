/**
 * inproc PUSH→PULL in one thread: a sender loop (`await send()` per message) and a `for await` receive loop
 * run together in this process over `inproc://`. The sender sends until `seconds` after the receiving loop has
 * warmed up (lib/warm-up.ts; at most `count` messages), then the empty end message; reported are the messages
 * received after the warm-up and the time from then to the end message.
 *
 * usage: inproc <zmq-ts|zeromq.js|net> <size> <count> <warmup-seconds> <seconds>  (net: the plain-JS ceiling)
 */
import { args, body, finish, Meter, now } from "../lib/child.js"
import { MAX_WARMUP_SECONDS } from "../lib/warm-up.js"
import { CeilingPull, CeilingPush } from "../lib/await-ceiling.js"
import { loadZmq } from "../lib/zmq.js"

const [impl, sizeText, countText, warmupText, secondsText] = args("inproc <impl> <size> <count> <warmup-seconds> <seconds>", 5)
const size = Number(sizeText)
const count = Number(countText)
const warmup = Number(warmupText)
const seconds = Number(secondsText)
// The sender's bound: long enough for any warm-up, then `seconds` from the moment the receiving loop is warm.
let stop = now() + MAX_WARMUP_SECONDS + seconds
const meter = new Meter(warmup, () => {
  stop = Math.min(stop, now() + seconds)
})

interface Ends {
  push: { send(message: Buffer): Promise<void> }
  pull: AsyncIterable<Buffer[]>
  close(): void
}

/** "net" here is the plain-JavaScript ceiling: the same two loops over an array (lib/await-ceiling.ts). */
async function open(): Promise<Ends> {
  if (impl === "net") {
    const pull = new CeilingPull()
    return { push: new CeilingPush(pull), pull, close: () => pull.close() }
  }
  const zmq = await loadZmq(impl)
  const endpoint = `inproc://bench-${process.pid}`
  const push = new zmq.Push()
  const pull = new zmq.Pull()
  await pull.bind(endpoint)
  push.connect(endpoint)
  return {
    push,
    pull,
    close: () => {
      push.linger = 0
      pull.linger = 0
      push.close()
      pull.close()
    },
  }
}
const { push, pull, close } = await open()

let badSize = 0
const received = (async () => {
  for await (const [message] of pull) {
    if (message!.length !== size) {
      if (message!.length === 0) break
      badSize++
    }
    meter.add(1)
  }
  return meter.result()
})()

const message = body(size)
let sent = 0
while (sent < count) {
  await push.send(message)
  sent++
  if ((sent & 1023) === 0 && now() > stop) break
}
await push.send(Buffer.alloc(0))
const result = await received
await finish({ ...result, sent, badSize }, close)
