/**
 * inproc across worker threads on the runtime under test: the parent's `context.share()` handle goes to a
 * worker (workerData + transferList), the worker calls `Context.attach()`, and sockets in the two threads
 * talk over inproc, with the name bound on either side. And a worker that sends, closes and returns at once
 * (over inproc, and over tcp with its own context): its queued messages must still arrive. The worker is
 * thread-worker.mjs.
 */
import { randomBytes } from "node:crypto"
import { Worker } from "node:worker_threads"
import { Context, Pull, Request } from "@zmq-ts/core"
import { equal, test, within, type Scope } from "./harness.ts"

const WORKER = new URL("./thread-worker.mjs", import.meta.url)

function startWorker(context: Context | undefined, data: Record<string, unknown>): { worker: Worker; next(): Promise<unknown>; exited: Promise<number> } {
  const handle = context?.share()
  const worker = new Worker(WORKER, { workerData: { ...data, context: handle }, transferList: handle === undefined ? [] : [handle] })
  const reports: unknown[] = []
  const waiting: Array<(report: unknown) => void> = []
  worker.on("message", (report: unknown) => {
    const waiter = waiting.shift()
    if (waiter !== undefined) waiter(report)
    else reports.push(report)
  })
  let failure: unknown
  worker.on("error", (error: unknown) => (failure = error))
  const exited = new Promise<number>((resolve) => worker.once("exit", resolve))
  return {
    worker,
    exited,
    next: () =>
      reports.length > 0
        ? Promise.resolve(reports.shift())
        : new Promise((resolve, reject) => {
            waiting.push(resolve)
            void exited.then((code) => reject(new Error(`worker exited with ${code} before reporting: ${String(failure)}`)))
          }),
  }
}

const inproc = (): string => `inproc://rt-threads-${randomBytes(4).toString("hex")}`

test("worker thread: a PUSH in the worker connects to a PULL bound in the main thread, every message in order", async (scope) => {
  const context = new Context()
  scope.defer(() => context.terminate())
  const address = inproc()
  const pull = scope.track(new Pull({ context }))
  await pull.bind(address)
  const { worker, next, exited } = startWorker(context, { role: "push", address, count: 5000, waitForParent: true })
  scope.defer(() => worker.terminate())
  for (let i = 0; i < 5000; i++) {
    const [frame] = await pull.receive()
    if (new TextDecoder().decode(frame) !== String(i)) throw new Error(`message ${i} out of order`)
  }
  equal(await next(), { sent: 5000 }, "the worker's report")
  worker.postMessage("received")
  equal(await within(exited, 5000, "the worker to exit"), 0, "the worker's exit code")
})

test("worker thread: our REQ connects to a REP bound in the worker", async (scope) => {
  const context = new Context()
  scope.defer(() => context.terminate())
  const address = inproc()
  const { worker, next, exited } = startWorker(context, { role: "rep", address, count: 3 })
  scope.defer(() => worker.terminate())
  equal(await next(), { ready: true }, "the worker bound")
  const req = scope.track(new Request({ context }))
  req.connect(address)
  for (let i = 0; i < 3; i++) {
    await req.send(`hi ${i}`)
    equal(new TextDecoder().decode((await req.receive())[0]), `hi ${i} from the worker`, "the worker's reply")
  }
  equal(await within(exited, 5000, "the worker to exit"), 0, "the worker's exit code")
})

/** The worker sends 10 messages (before its peer has even said hello), closes and returns at once. */
async function closeAndReturn(scope: Scope, transport: "inproc" | "tcp"): Promise<void> {
  const context = new Context()
  scope.defer(() => context.terminate())
  const pull = scope.track(new Pull({ context }))
  await pull.bind(transport === "inproc" ? inproc() : "tcp://127.0.0.1:*")
  const { worker, next, exited } = startWorker(transport === "inproc" ? context : undefined, { role: "push", address: pull.lastEndpoint, count: 10 })
  scope.defer(() => worker.terminate())
  equal(await next(), { sent: 10 }, "the worker's report")
  for (let i = 0; i < 10; i++) equal(new TextDecoder().decode((await within(pull.receive(), 5000, `message ${i}`))[0]), String(i), "in order")
  equal(await within(exited, 5000, "the worker to exit"), 0, "the worker's exit code")
}

for (const transport of ["inproc", "tcp"] as const) {
  test(`worker thread: a PUSH over ${transport} that sends, closes and returns at once still delivers (linger at exit)`, (scope) => closeAndReturn(scope, transport), 10_000)
}
