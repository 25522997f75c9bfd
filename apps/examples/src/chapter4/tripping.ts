/**
 * tripping — the Guide, chapter 4, "Asynchronous Majordomo Pattern" (tripping.c): the round-trip
 * demonstrator. A DEALER client sends 10,000 requests one at a time (waiting for each reply), then 100,000
 * in one go (reading the replies afterwards), through a DEALER–DEALER proxy to an echoing DEALER worker.
 *
 *   client (DEALER, main thread) ──▶ tcp://*:5555 DEALER ══ Proxy ══ DEALER tcp://*:5556 ◀── worker (DEALER)
 *                                     (broker thread)                                      (worker thread)
 *
 * Prints the calls/second of both runs: the asynchronous one is many times faster, which is why the Guide
 * moves on to an asynchronous Majordomo client (mdclient2). The broker and worker are worker threads with
 * their own contexts, as the C example's threads. ZMQ_TS_REQUESTS=n makes the asynchronous run n requests
 * and the synchronous one n/10 (tests use it).
 */
import { isMainThread, workerData } from "node:worker_threads"
import { Dealer, Proxy } from "@zmq-ts/core"
import { s_clock, s_recv, s_send, s_sleep } from "@zmq-ts/zhelpers"
import { startThread } from "../lib/thread.js"

const ASYNC_REQUESTS = Number(process.env.ZMQ_TS_REQUESTS ?? 100_000) || 100_000
const SYNC_REQUESTS = Math.max(1, Math.floor(ASYNC_REQUESTS / 10))

async function client_task(): Promise<void> {
  const client = new Dealer()
  client.connect("tcp://localhost:5555")
  console.log("Setting up test...")
  await s_sleep(100)
  //  The Guide's threads start at once; ours load TypeScript first, so wait for one round trip to succeed
  //  before timing anything (else the first "call" would measure the threads' start-up)
  await s_send(client, "hello")
  await s_recv(client)

  console.log("Synchronous round-trip test...")
  let start = s_clock()
  for (let requests = 0; requests < SYNC_REQUESTS; requests++) {
    await s_send(client, "hello")
    await s_recv(client)
  }
  console.log(` ${Math.floor((1000 * SYNC_REQUESTS) / Math.max(1, s_clock() - start))} calls/second`)

  console.log("Asynchronous round-trip test...")
  start = s_clock()
  for (let requests = 0; requests < ASYNC_REQUESTS; requests++) await s_send(client, "hello")
  for (let requests = 0; requests < ASYNC_REQUESTS; requests++) await s_recv(client)
  console.log(` ${Math.floor((1000 * ASYNC_REQUESTS) / Math.max(1, s_clock() - start))} calls/second`)
  client.close()
}

//  Here is the worker task. All it does is receive a message, and bounce it back the way it came
async function worker_task(): Promise<void> {
  const worker = new Dealer()
  worker.connect("tcp://localhost:5556")
  while (true) await worker.send(await worker.receive())
}

//  Here is the broker task. It uses a Proxy (zmq_proxy) to switch messages between frontend and backend
async function broker_task(): Promise<void> {
  const frontend = new Dealer()
  await frontend.bind("tcp://*:5555")
  const backend = new Dealer()
  await backend.bind("tcp://*:5556")
  await new Proxy(frontend, backend).run()
}

if (isMainThread) {
  //  Create threads; the process ends when the client is done, as the Guide's main does
  const threads = [startThread(import.meta.url, { task: "worker" }), startThread(import.meta.url, { task: "broker" })]
  await client_task()
  await Promise.all(threads.map((thread) => thread.terminate()))
} else if (workerData?.task === "worker") {
  await worker_task()
} else if (workerData?.task === "broker") {
  await broker_task()
}
