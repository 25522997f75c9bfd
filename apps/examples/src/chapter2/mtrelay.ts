/**
 * mtrelay — the Guide, chapter 2, "Signaling Between Threads (PAIR Sockets)": multithreaded relay.
 *
 *   step 1 (thread) ──PAIR──▶ inproc://step2 ── step 2 (thread) ──PAIR──▶ inproc://step3 ── step 3 (main)
 *
 * Three threads share one context; each binds its inproc endpoint before starting the thread upstream of
 * it, which connects and signals when ready. Prints "Test successful!" and exits.
 */
import { isMainThread, workerData } from "node:worker_threads"
import { Context, Pair } from "@zmq-ts/core"
import { s_recv, s_send } from "@zmq-ts/zhelpers"
import { startThread } from "../lib/thread.js"

//  Step 1 pushes one message to step 2

async function step1(context: Context): Promise<void> {
  //  Signal downstream to step 2
  const sender = new Pair({ context })
  sender.connect("inproc://step2")

  await s_send(sender, "")
  sender.close()
}

//  Step 2 relays the signal to step 3

async function step2(context: Context): Promise<void> {
  //  Bind to inproc: endpoint, then start upstream thread
  const receiver = new Pair({ context })
  await receiver.bind("inproc://step2")

  const handle = context.share()
  startThread(import.meta.url, { step: 1, context: handle }, [handle])

  //  Wait for signal
  await s_recv(receiver)
  receiver.close()

  //  Signal downstream to step 3
  const sender = new Pair({ context })
  sender.connect("inproc://step3")
  await s_send(sender, "")
  sender.close()
}

//  Main program starts steps 1 and 2 and acts as step 3

if (isMainThread) {
  const context = new Context()

  //  Bind to inproc: endpoint, then start upstream thread
  const receiver = new Pair({ context })
  await receiver.bind("inproc://step3")

  const handle = context.share()
  startThread(import.meta.url, { step: 2, context: handle }, [handle])

  //  Wait for signal
  await s_recv(receiver)

  console.log("Test successful!")
  receiver.close()
} else {
  const { step, context } = workerData as { step: number; context: never }
  if (step === 1) await step1(Context.attach(context))
  else await step2(Context.attach(context))
}
