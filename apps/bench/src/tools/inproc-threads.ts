/**
 * inproc PUSH→PULL across two worker threads of one process: the PULL binds in the main thread and runs the
 * `for await` receive loop; the PUSH runs in a worker thread with the same context (./inproc-threads-sender.ts,
 * one `await send()` per message). The sender sends until `seconds` after the receiving loop has warmed up
 * (lib/warm-up.ts; at most `count` messages), then the empty end message; reported are the messages received
 * after the warm-up and the time from then to the end message, as ./inproc.ts does in one thread.
 *
 * zmq-ts shares its context with `context.share()` / `Context.attach()`; zeromq.js's default context is one
 * libzmq context for the whole process, so its sockets in either thread reach the same inproc names.
 *
 * usage: inproc-threads <zmq-ts|zeromq.js> <size> <count> <warmup-seconds> <seconds>
 */
import { Worker } from "node:worker_threads"
import { args, fail, finish, Meter } from "../lib/child.js"
import { MAX_WARMUP_SECONDS } from "../lib/warm-up.js"
import { loadZmq } from "../lib/zmq.js"
import type { SenderData, SenderReport } from "./inproc-threads-sender.js"

const [impl, sizeText, countText, warmupText, secondsText] = args("inproc-threads <impl> <size> <count> <warmup-seconds> <seconds>", 5)
const size = Number(sizeText)
const warmup = Number(warmupText)
// Set to 1 once the receiving loop is warm; the sending thread then sends for `seconds` more.
const warm = new Int32Array(new SharedArrayBuffer(4))
const meter = new Meter(warmup, () => Atomics.store(warm, 0, 1))

const zmq = await loadZmq(impl)
const endpoint = `inproc://bench-threads-${process.pid}`
const context = impl === "zmq-ts" ? new zmq.Context() : undefined
const pull = context === undefined ? new zmq.Pull() : new zmq.Pull({ context })
await pull.bind(endpoint)

const handle = context?.share()
const senderData: SenderData = {
  entry: new URL("./inproc-threads-sender.ts", import.meta.url).href,
  impl,
  context: handle,
  endpoint,
  size,
  count: Number(countText),
  seconds: Number(secondsText),
  boundSeconds: MAX_WARMUP_SECONDS + Number(secondsText),
  warm,
}
const worker = new Worker(new URL("./thread-boot.mjs", import.meta.url), { workerData: senderData, transferList: handle === undefined ? [] : [handle] })
const report = new Promise<SenderReport>((resolve) => worker.once("message", resolve))
let ended = false
const exited = new Promise<void>((resolve) => {
  worker.once("exit", (code) => {
    // Before the end message, the receive loop would wait for ever: fail now, with the worker's reason.
    if (!ended) fail(`sending thread exited (${code}) before the end message`)
    resolve()
  })
})
worker.on("error", (error) => fail(`sending thread failed: ${error.stack ?? error.message}`))

let badSize = 0
for await (const [message] of pull) {
  if (message!.length !== size) {
    if (message!.length === 0) break
    badSize++
  }
  meter.add(1)
}
ended = true
const result = meter.result()
const { sent } = await report
worker.postMessage("close")
// The sender closes its socket and its thread ends; one that does not within 5 s is stopped.
const timer = setTimeout(() => void worker.terminate(), 5000)
await exited
clearTimeout(timer)
await finish({ ...result, sent, badSize }, () => {
  pull.linger = 0
  pull.close()
  context?.terminate()
})
