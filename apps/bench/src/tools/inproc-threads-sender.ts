/**
 * The sending thread of ./inproc-threads.ts (a worker module, not a tool of its own): PUSH connects to the
 * main thread's PULL through the shared context and sends with one `await send()` per message until `seconds`
 * after the main thread's receiving loop is warm, or for `boundSeconds` (at most `count` messages), then the
 * empty end message, exactly as ./inproc.ts's sender loop does. It reports how many it sent and keeps its
 * socket open until the main thread has received the end message, so that closing cannot cut off what is
 * still on its way.
 */
import { parentPort, workerData } from "node:worker_threads"
import type { Context } from "@zmq-ts/core"
import { loadZmq } from "../lib/zmq.js"

export interface SenderData {
  readonly entry: string
  readonly impl: string
  /** zmq-ts: the main thread's `context.share()`; zeromq.js needs none (its default context is process-wide). */
  readonly context: ReturnType<Context["share"]> | undefined
  readonly endpoint: string
  readonly size: number
  readonly count: number
  readonly seconds: number
  readonly boundSeconds: number
  /** Shared with the main thread: [0] becomes 1 once its receiving loop is warm. */
  readonly warm: Int32Array
}

/** What the sender posts to the main thread once the end message is sent. */
export interface SenderReport {
  readonly sent: number
}

const data = workerData as SenderData
const port = parentPort!
const zmq = await loadZmq(data.impl)
const push = data.context === undefined ? new zmq.Push() : new zmq.Push({ context: zmq.Context.attach(data.context) })
push.connect(data.endpoint)

// Not ../lib/child.js: it reads the process's stdin, which is the main thread's business.
const now = (): number => performance.now() / 1000
const message = Buffer.alloc(data.size, "x")
let stop = now() + data.boundSeconds
let warm = false
let sent = 0
while (sent < data.count) {
  await push.send(message)
  sent++
  if ((sent & 1023) !== 0) continue
  const time = now()
  if (!warm && Atomics.load(data.warm, 0) === 1) {
    warm = true
    stop = Math.min(stop, time + data.seconds)
  }
  if (time > stop) break
}
await push.send(Buffer.alloc(0))
const closed = new Promise<void>((resolve) => port.once("message", () => resolve()))
port.postMessage({ sent } satisfies SenderReport)
await closed
push.linger = 0
push.close()
// With its socket closed and the port idle, the thread exits by itself.
port.unref()
