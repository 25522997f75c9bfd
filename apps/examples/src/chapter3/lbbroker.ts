/**
 * lbbroker — the Guide, chapter 3, "A Load Balancing Message Broker" (lbbroker.c): ten REQ clients and three
 * REQ workers meet at a broker of two ROUTERs, which hands each request to the least recently used worker.
 *
 *   10 × client (REQ) ──▶ ipc://frontend.ipc ROUTER ══ queue of idle workers ══ ROUTER ipc://backend.ipc ◀── 3 × worker (REQ)
 *
 * A worker says "READY" once, then each reply tells the broker it is idle again. The broker polls the
 * frontend only while a worker is idle, so requests wait in ZeroMQ's queues, not in the broker. Prints
 * "Worker: HELLO" for each request and "Client: OK" for each reply, and ends after the tenth reply.
 *
 * Clients and workers are worker threads, as the C example's pthreads, each with its own context as a
 * separate process would have. The C main returns after the tenth reply and its threads die with the
 * process; ours waits for the ten clients to finish (each has printed its reply by then), then stops the
 * workers, which would otherwise wait for requests forever. Ctrl-C ends the run early, closing the sockets. The ipc files are the Guide's, in the current
 * directory (or ZMQ_TS_EXAMPLE_IPC_DIR; see support/ipc.ts); closing the broker's sockets removes them.
 */
import { isMainThread, workerData } from "node:worker_threads"
import { Poller, Request, Router } from "@zmq-ts/core"
import { isInterrupted, s_catch_signals, s_interrupted, s_recv, s_send, s_sendmore, s_set_id } from "@zmq-ts/zhelpers"
import { startThread } from "../lib/thread.js"
import { ipc } from "./support/ipc.js"

const NBR_CLIENTS = 10
const NBR_WORKERS = 3

//  Basic request-reply client using REQ socket
//  Because s_send and s_recv can't handle 0MQ binary identities, we
//  set a printable text identity to allow routing.
async function client_task(): Promise<void> {
  const client = new Request()
  s_set_id(client) //  Set a printable identity
  client.connect(ipc("frontend.ipc"))

  //  Send request, get reply
  await s_send(client, "HELLO")
  const reply = await s_recv(client)
  console.log(`Client: ${reply}`)
  client.close()
}

//  This is the worker task, using a REQ socket to do load-balancing.
//  Because s_send and s_recv can't handle 0MQ binary identities, we
//  set a printable text identity to allow routing.
async function worker_task(): Promise<void> {
  const worker = new Request()
  s_set_id(worker)
  worker.connect(ipc("backend.ipc"))

  //  Tell broker we're ready for work
  await s_send(worker, "READY")

  while (true) {
    //  Read and save all frames until we get an empty frame
    //  In this example there is only 1, but there could be more
    const identity = await s_recv(worker)
    const empty = await s_recv(worker)
    if (empty !== "") throw new Error("expected the empty delimiter")

    //  Get request, send reply
    const request = await s_recv(worker)
    console.log(`Worker: ${request}`)

    await s_sendmore(worker, identity)
    await s_sendmore(worker, "")
    await s_send(worker, "OK")
  }
}

if (isMainThread) {
  //  Prepare our context and sockets
  const frontend = new Router()
  const backend = new Router()
  await frontend.bind(ipc("frontend.ipc"))
  await backend.bind(ipc("backend.ipc"))

  const clients = Array.from({ length: NBR_CLIENTS }, (_, client_nbr) => startThread(import.meta.url, { role: "client", client_nbr }))
  const clientsDone = clients.map((thread) => new Promise((resolve) => thread.once("exit", resolve)))
  const workers = Array.from({ length: NBR_WORKERS }, (_, worker_nbr) =>
    startThread(import.meta.url, { role: "worker", worker_nbr }),
  )

  //  Here is the main loop for the least-recently-used queue. It has two
  //  sockets; a frontend for clients and a backend for workers. It polls
  //  the backend in all cases, and polls the frontend only when there are
  //  one or more workers ready. When we get a client request, we pop the
  //  next available worker and send the request to it, including the
  //  originating client identity. When a worker replies, we requeue that
  //  worker and forward the reply to the original client using the reply
  //  envelope.

  //  Queue of available workers
  const worker_queue: string[] = []
  const poller = new Poller<Router>()
  s_catch_signals()
  let client_nbr = NBR_CLIENTS

  main: while (true) {
    //  Poll frontend only if we have available workers
    poller.add(backend)
    if (worker_queue.length > 0) poller.add(frontend)
    else poller.remove(frontend)
    let items
    try {
      items = await poller.poll()
    } catch (error) {
      if (isInterrupted(error)) break //  Interrupted
      throw error
    }
    const ready = new Set(items.map((item) => item.socket))

    //  Handle worker activity on backend
    if (ready.has(backend)) {
      //  Queue worker identity for load-balancing
      const worker_id = await s_recv(backend)
      if (worker_queue.length >= NBR_WORKERS) throw new Error("more idle workers than workers")
      worker_queue.push(worker_id)

      //  Second frame is empty
      if ((await s_recv(backend)) !== "") throw new Error("expected the empty delimiter")

      //  Third frame is READY or else a client reply identity
      const client_id = await s_recv(backend)

      //  If client reply, send rest back to frontend
      if (client_id !== "READY") {
        if ((await s_recv(backend)) !== "") throw new Error("expected the empty delimiter")
        const reply = await s_recv(backend)
        await s_sendmore(frontend, client_id)
        await s_sendmore(frontend, "")
        await s_send(frontend, reply)
        if (--client_nbr === 0) break main //  Exit after N messages
      }
    }
    //  Here is how we handle a client request:
    if (ready.has(frontend) && worker_queue.length > 0) {
      //  Now get next client request, route to last-used worker
      //  Client request is [identity][empty][request]
      const client_id = await s_recv(frontend)
      if ((await s_recv(frontend)) !== "") throw new Error("expected the empty delimiter")
      const request = await s_recv(frontend)

      //  Dequeue the next worker identity
      await s_sendmore(backend, worker_queue.shift()!)
      await s_sendmore(backend, "")
      await s_sendmore(backend, client_id)
      await s_sendmore(backend, "")
      await s_send(backend, request)
    }
  }
  //  After ten replies every client has its answer; after Ctrl-C, those still waiting are stopped too
  if (!s_interrupted) await Promise.all(clientsDone)
  await Promise.all([...clients, ...workers].map((thread) => thread.terminate()))
  frontend.close()
  backend.close()
} else if (workerData?.role === "client") {
  await client_task()
} else if (workerData?.role === "worker") {
  await worker_task()
}
