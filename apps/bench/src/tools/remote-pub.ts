/**
 * The sending side of a pub-sub fan-out run: one PUB socket (or, for `net`, one socket per subscriber)
 * connects to every endpoint of the comma-separated list read from stdin, waits `settle-ms` for the
 * subscriptions to arrive, then publishes `count` messages of `size` bytes, or as many as fit in `seconds`
 * (PUB never blocks: at a subscriber's high-water mark messages are dropped). Then it repeats the empty end
 * message every 20 ms until the runner closes stdin.
 *
 * With `rate` (messages per second, zmq-ts and zeromq.js), it publishes at that pace instead: bursts each
 * millisecond, so the publisher's CPU per message can be compared where every subscriber keeps up (fanout.ts).
 *
 * usage: remote-pub <zmq-ts|zeromq.js|net> <size> <count> <seconds> <settle-ms> [rate]
 */
import { args, body, finish, now, optionalArg, readEndpoints, SendDeadline, sleep } from "../lib/child.js"
import { batch, connectTo, floodAll } from "../lib/net-frames.js"
import { loadZmq } from "../lib/zmq.js"

const [impl, sizeText, countText, secondsText, settleText] = args("remote-pub <impl> <size> <count> <seconds> <settle-ms> [rate]", 5, 1)
const rate = Number(optionalArg(5) ?? 0)
const size = Number(sizeText)
const count = Number(countText)
const seconds = Number(secondsText)
const endpoints = await readEndpoints()

if (impl === "net") {
  // Lossless, unlike PUB: each subscriber's stream is written in turn, waiting for the slow ones to drain.
  const sockets = await Promise.all(endpoints.map((endpoint) => connectTo(endpoint)))
  const { bytes, messages } = batch(size)
  const result = await floodAll(sockets, bytes, messages, count, new SendDeadline(seconds))
  await finish(result, () => {
    for (const socket of sockets) socket.destroy()
  })
} else {
  const zmq = await loadZmq(impl)
  const publisher = new zmq.Publisher()
  for (const endpoint of endpoints) publisher.connect(endpoint)
  await sleep(Number(settleText))
  const message = body(size)
  const deadline = new SendDeadline(seconds)
  const start = now()
  const cpuAtStart = process.cpuUsage()
  let sent = 0
  if (rate > 0) {
    while (sent < count && now() <= deadline.at) {
      const due = Math.min(count, Math.floor((now() - start) * rate))
      while (sent < due) {
        await publisher.send(message)
        sent++
      }
      await sleep(1)
    }
  } else {
    while (sent < count) {
      await publisher.send(message)
      sent++
      if ((sent & 1023) === 0 && now() > deadline.at) break
    }
  }
  const elapsed = now() - start
  const cpu = process.cpuUsage(cpuAtStart)
  const empty = Buffer.alloc(0)
  const ends = setInterval(() => void publisher.send(empty).catch(() => {}), 20)
  void publisher.send(empty).catch(() => {})
  // sendCpuMs: the process's CPU while it published (every thread), the publisher's cost per message.
  await finish({ sent, seconds: elapsed, sendCpuMs: (cpu.user + cpu.system) / 1000 }, () => {
    clearInterval(ends)
    publisher.linger = 0
    publisher.close()
  })
}
