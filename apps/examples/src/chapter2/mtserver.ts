/**
 * mtserver — the Guide, chapter 2, "Multithreading with ZeroMQ": multithreaded Hello World server.
 *
 *   hwclient (REQ) ──▶ tcp://*:5555 ROUTER ══ Proxy ══ DEALER inproc://workers ◀── 5 × REP, one per thread
 *
 * The workers are real worker threads sharing the main thread's context (`context.share()` /
 * `Context.attach()`), so inproc://workers reaches them. Each answers "World" after a second of "work"; with
 * five threads, five clients are served at once. Ctrl-C terminates the context: every worker's blocked
 * receive ends with ETERM, the threads exit, and so does the server (exit code 0).
 * ZMQ_TS_EXAMPLE_SPEED=n makes the work n times shorter (tests use it).
 */
import { isMainThread, workerData } from "node:worker_threads"
import { Context, Dealer, Proxy, Reply, Router, ZmqError } from "@zmq-ts/core"
import { isInterrupted, s_catch_signals, s_recv, s_send, s_sleep } from "@zmq-ts/zhelpers"
import { startThread } from "../lib/thread.js"

const SPEED = Number(process.env.ZMQ_TS_EXAMPLE_SPEED ?? 1) || 1

async function worker_routine(context: Context): Promise<void> {
  const socket = new Reply({ context })
  socket.connect("inproc://workers")

  try {
    while (true) {
      //  Wait for next request from client
      const request = await s_recv(socket)
      console.log(`Received request: [${request}]`)

      //  Do some 'work'
      await s_sleep(1000 / SPEED)

      //  Send reply back to client
      await s_send(socket, "World")
    }
  } catch (error) {
    // The context was terminated (Ctrl-C in the main thread): leave quietly.
    if (!(ZmqError.isInstance(error) && error.code === "ETERM")) throw error
  }
  socket.close()
}

if (isMainThread) {
  //  Prepare our context and sockets
  const context = new Context()
  const clients = new Router({ context })
  await clients.bind("tcp://*:5555")
  const workers = new Dealer({ context })
  await workers.bind("inproc://workers")

  //  Launch pool of worker threads
  for (let thread_nbr = 0; thread_nbr !== 5; thread_nbr++) {
    const handle = context.share()
    startThread(import.meta.url, { context: handle }, [handle])
  }

  //  Connect work threads to client threads via a queue
  s_catch_signals(context)
  try {
    await new Proxy(clients, workers).run()
  } catch (error) {
    if (!isInterrupted(error)) throw error
  }
  context.terminate()
} else {
  await worker_routine(Context.attach((workerData as { context: never }).context))
}
