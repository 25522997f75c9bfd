/**
 * Memory of a queue: a zmq-ts PULL socket with no receive high-water mark binds; a sender (remote-thr) sends
 * `count` messages of `size` bytes which queue up unread. Once the runner says the sender is done (`sent` on
 * stdin) and this process has gone quiet (all bytes arrived and were decoded), it measures the memory the
 * queued messages take — V8 heap plus ArrayBuffers/external memory, after full GCs, against the same before
 * the run — then receives them all, checking the count. Needs `--expose-gc`.
 *
 * usage: memory <bind-address> <size> <deadline-ms>
 */
import { args, fail, finish, nextLine, now, ready, sleep } from "../lib/child.js"
import { loadZmq } from "../lib/zmq.js"

const [address, sizeText, deadlineText] = args("memory <bind-address> <size> <deadline-ms>", 3)
const size = Number(sizeText)
const deadline = now() + Number(deadlineText) / 1000
const gc = (globalThis as { gc?: () => void }).gc ?? fail("run with --expose-gc")

function settledMemory(): NodeJS.MemoryUsage {
  for (let i = 0; i < 3; i++) gc()
  return process.memoryUsage()
}

const zmq = await loadZmq("zmq-ts")
const pull = new zmq.Pull({ receiveHighWaterMark: 0 })
await pull.bind(address)
const before = settledMemory()
ready([pull.lastEndpoint!])

if ((await nextLine()) !== "sent") fail("expected `sent` from the runner")
// Quiet = this process used under 2 ms of CPU in 100 ms, three times in a row: everything has been read.
let quiet = 0
for (let cpu = process.cpuUsage(); quiet < 3 && now() < deadline; ) {
  await sleep(100)
  const used = process.cpuUsage(cpu)
  cpu = process.cpuUsage()
  quiet = used.user + used.system < 2000 ? quiet + 1 : 0
}
const loaded = settledMemory()

let messages = 0
let badSize = 0
pull.receiveTimeout = Math.max(1, Math.round((deadline - now()) * 1000))
try {
  for (;;) {
    const [message] = await pull.receive()
    if (message!.length === 0) break
    if (message!.length !== size) badSize++
    messages++
  }
} catch {
  // deadline
}
const heapBytes = loaded.heapUsed - before.heapUsed
const externalBytes = loaded.external - before.external
await finish(
  {
    messages,
    badSize,
    payloadBytes: messages * size,
    heapBytes,
    externalBytes,
    arrayBufferBytes: loaded.arrayBuffers - before.arrayBuffers,
    rssBytes: loaded.rss - before.rss,
    totalBytes: heapBytes + externalBytes,
  },
  () => {
    pull.linger = 0
    pull.close()
  },
)
