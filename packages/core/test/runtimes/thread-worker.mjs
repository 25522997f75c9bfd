// A worker thread of threads.ts, plain JavaScript so every runtime (and Node without a TypeScript loader)
// starts it as is. It attaches to the parent's context (if given one) and plays one role, then exits.
import { parentPort, workerData } from "node:worker_threads"
import { Context, Push, Reply } from "@zmq-ts/core"

const { role, address, count, waitForParent } = workerData
// tcp needs no shared context: the worker then uses its own default one.
const context = workerData.context === undefined ? undefined : Context.attach(workerData.context)

if (role === "push") {
  const push = new Push(context === undefined ? {} : { context })
  push.connect(address)
  for (let i = 0; i < count; i++) await push.send(String(i))
  parentPort.postMessage({ sent: count })
  // With waitForParent, close only once the parent has everything. Without, close at once and return: the
  // queued messages must still arrive (linger; in a Deno worker the closing socket holds the thread itself).
  if (waitForParent) await new Promise((resolve) => parentPort.once("message", resolve))
  push.close()
} else if (role === "rep") {
  const rep = new Reply({ context })
  await rep.bind(address)
  parentPort.postMessage({ ready: true })
  for (let i = 0; i < count; i++) {
    const [request] = await rep.receive()
    await rep.send(`${request} from the worker`)
  }
  rep.close()
}
