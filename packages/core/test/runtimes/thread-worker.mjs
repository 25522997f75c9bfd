// A worker thread of threads.ts, plain JavaScript so every runtime (and Node without a TypeScript loader)
// starts it as is. It attaches to the parent's context and plays one role over inproc, then exits.
import { parentPort, workerData } from "node:worker_threads"
import { Context, Push, Reply } from "@zmq-ts/core"

const { role, address, count } = workerData
const context = Context.attach(workerData.context)

if (role === "push") {
  const push = new Push({ context })
  push.connect(address)
  for (let i = 0; i < count; i++) await push.send(String(i))
  parentPort.postMessage({ sent: count })
  // Close only once the parent has everything: on Deno a worker that exits while messages still wait for
  // credit loses them (Deno emits no beforeExit in workers; decision 0015's known gap).
  await new Promise((resolve) => parentPort.once("message", resolve))
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
