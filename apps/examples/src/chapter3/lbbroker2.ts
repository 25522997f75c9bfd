/**
 * lbbroker2 — the Guide, chapter 3, "A High-Level API for ZeroMQ" (lbbroker2.c): the load-balancing broker
 * of lbbroker again, on a higher-level API. The C version uses CZMQ (zmsg, zlist, zactor); ours uses
 * @zmq-ts/patterns, where the broker's loop and the worker's READY/reply cycle are already written:
 * `LoadBalancingBroker` is lbbroker's main loop, `LoadBalancingWorker` its worker. Whole messages go in one
 * `send()`/`receive()`, as zmsg_send/zmsg_recv, so nothing here handles a frame at a time.
 *
 *   10 × client (REQ) ──▶ ipc://frontend.ipc LoadBalancingBroker ipc://backend.ipc ◀── 3 × LoadBalancingWorker
 *
 * Prints "Worker: [005] HELLO" (zframe_print of the request's last frame) and "Client: OK" ten times, then
 * ends: after the tenth reply the main thread destroys its actors ("$TERM" down each one's pipe, as
 * zactor_destroy; a worker then leaves the broker gracefully) and stops the broker. Ctrl-C ends it early.
 * The ipc files are the Guide's, in the current directory (or ZMQ_TS_EXAMPLE_IPC_DIR; see support/ipc.ts).
 */
import { isMainThread, workerData } from "node:worker_threads"
import { Request } from "@zmq-ts/core"
import { LoadBalancingBroker, LoadBalancingWorker } from "@zmq-ts/patterns"
import { formatFrame, s_catch_signals } from "@zmq-ts/zhelpers"
import { startActor, terminated } from "./support/actor.js"
import { ipc } from "./support/ipc.js"

const NBR_CLIENTS = 10
const NBR_WORKERS = 3

//  Basic request-reply client using REQ socket
async function client_task(): Promise<void> {
  const client = new Request({ linger: 0 }) //  CZMQ's sockets linger 0 ms by default
  client.connect(ipc("frontend.ipc"))

  //  Send request, get reply, unless we are destroyed first (Ctrl-C before every request was answered)
  const exchange = async (): Promise<string> => {
    await client.send("HELLO")
    const [reply] = await client.receive()
    return reply!.toString()
  }
  const reply = await Promise.race([exchange().catch(() => undefined), terminated().then(() => undefined)])
  if (reply !== undefined) console.log(`Client: ${reply}`)
  client.close()
}

//  Worker using REQ socket to do load-balancing: READY, then one request at a time
async function worker_task(): Promise<void> {
  const worker = new LoadBalancingWorker({
    broker: ipc("backend.ipc"),
    requestOptions: { linger: 0 },
    handler: (request) => {
      console.log(`Worker: ${formatFrame(request.at(-1)!)}`)
      return "OK"
    },
  })
  const term = terminated()
  //  READY waits for the broker; destroyed first (Ctrl-C), the worker never started
  if (!(await Promise.race([worker.start().then(() => true, () => false), term.then(() => false)]))) {
    worker.close()
    return
  }
  await term //  Done
  // Leaves gracefully (LEAVE, then the broker's BYE); a broker already gone (Ctrl-C) is not waited for long.
  await worker.stop({ timeout: 1000 })
}

if (isMainThread) {
  //  Exit after N messages: the broker reports each reply it routes back to a client.
  let replies = 0
  let allReplied = (): void => {}
  const done = new Promise<void>((resolve) => (allReplied = resolve))
  const broker = new LoadBalancingBroker({
    frontend: ipc("frontend.ipc"),
    backend: ipc("backend.ipc"),
    onEvent: (event) => {
      if (event.type === "reply" && ++replies === NBR_CLIENTS) allReplied()
    },
  })
  s_catch_signals()
  await broker.start()

  const actors = [
    ...Array.from({ length: NBR_CLIENTS }, () => startActor(import.meta.url, { role: "client" })),
    ...Array.from({ length: NBR_WORKERS }, () => startActor(import.meta.url, { role: "worker" })),
  ]
  //  Ten replies, or Ctrl-C (which ends the broker's loop)
  await Promise.race([done, broker.done()])

  //  When we're done, clean up properly
  for (const actor of actors) await actor.destroy()
  await broker.stop()
} else if (workerData?.role === "client") {
  await client_task()
} else if (workerData?.role === "worker") {
  await worker_task()
}
