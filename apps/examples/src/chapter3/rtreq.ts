/**
 * rtreq — the Guide, chapter 3, "ROUTER Broker and REQ Workers" (rtreq.c): a ROUTER hands out work to ten
 * REQ workers, least recently used first, for five seconds, then fires them.
 *
 *   10 × REQ worker (own thread, own context) ──"Hi Boss"──▶ tcp://*:5671 ROUTER broker
 *                                            ◀──"Work harder" | "Fired!"──
 *
 * Each worker prints how many tasks it did; routing by the envelope spreads them fairly. The workers are
 * worker threads, as the C example's pthreads, each with its own context as a separate process would have.
 * ZMQ_TS_EXAMPLE_SPEED=n makes the five seconds and the random work n times shorter (tests use it).
 */
import { isMainThread, workerData } from "node:worker_threads"
import { Request, Router } from "@zmq-ts/core"
import { s_clock, s_recv, s_send, s_sendmore, s_set_id, s_sleep } from "@zmq-ts/zhelpers"
import { startThread } from "../lib/thread.js"

const NBR_WORKERS = 10
const SPEED = Number(process.env.ZMQ_TS_EXAMPLE_SPEED ?? 1) || 1

async function worker_task(): Promise<void> {
  const worker = new Request()
  s_set_id(worker) //  Set a printable identity.
  worker.connect("tcp://localhost:5671")

  let total = 0
  while (true) {
    //  Tell the broker we're ready for work
    await s_send(worker, "Hi Boss")

    //  Get workload from broker, until finished
    const workload = await s_recv(worker)
    if (workload === "Fired!") {
      console.log(`Completed: ${total} tasks`)
      break
    }
    total++

    //  Do some random work
    await s_sleep((Math.floor(Math.random() * 500) + 1) / SPEED)
  }
  worker.close()
}

if (isMainThread) {
  const broker = new Router()
  await broker.bind("tcp://*:5671")

  const exited = Array.from({ length: NBR_WORKERS }, (_, worker_nbr) => {
    const thread = startThread(import.meta.url, { worker_nbr })
    return new Promise((resolve) => thread.once("exit", resolve))
  })

  //  Run for five seconds and then tell workers to end. The clock starts once every worker has asked for
  //  work: a worker thread takes a while to start here (it loads TypeScript), where a pthread starts at once.
  let end_time = Number.POSITIVE_INFINITY
  const reported = new Set<string>()
  let workers_fired = 0
  while (true) {
    //  Next message gives us least recently used worker
    const identity = await s_recv(broker)
    if (reported.size < NBR_WORKERS && reported.add(identity).size === NBR_WORKERS) end_time = s_clock() + 5000 / SPEED
    await s_sendmore(broker, identity)
    await s_recv(broker) //  Envelope delimiter
    await s_recv(broker) //  Response from worker
    await s_sendmore(broker, "")

    //  Encourage workers until it's time to fire them
    if (s_clock() < end_time) await s_send(broker, "Work harder")
    else {
      await s_send(broker, "Fired!")
      if (++workers_fired === NBR_WORKERS) break
    }
  }
  await Promise.all(exited)
  broker.close()
} else if (typeof workerData?.worker_nbr === "number") {
  await worker_task()
}
