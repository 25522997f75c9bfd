/**
 * taskwork2 — the Guide, chapter 2, "Handling Errors and ETERM": task worker, design 2. Adds a pub-sub flow
 * to receive and respond to the kill signal.
 *
 *   taskvent PUSH :5557 ──▶ PULL ┐
 *                                ├ taskwork2 ── PUSH ──▶ :5558 PULL tasksink2
 *   tasksink2 PUB :5559 ──▶ SUB  ┘                     (the sink publishes "KILL" when the batch is done)
 *
 * Processes tasks from the ventilator and control messages from the sink with one poll loop; any message
 * on the controller acts as KILL. ZMQ_TS_EXAMPLE_SPEED=n makes each task's work n times shorter (tests).
 */
import { Poller, Pull, Push, Subscriber } from "@zmq-ts/core"
import { isInterrupted, s_catch_signals, s_sleep } from "@zmq-ts/zhelpers"

const SPEED = Number(process.env.ZMQ_TS_EXAMPLE_SPEED ?? 1) || 1

//  Socket to receive messages on
const receiver = new Pull()
receiver.connect("tcp://localhost:5557")

//  Socket to send messages to
const sender = new Push()
sender.connect("tcp://localhost:5558")

//  Socket for control input
const controller = new Subscriber()
controller.connect("tcp://localhost:5559")
controller.subscribe("")

//  Process messages from receiver and controller
const poller = new Poller<Pull | Subscriber>().add(receiver).add(controller)

s_catch_signals()
//  Process messages from both sockets
try {
  while (true) {
    const ready = new Set((await poller.poll()).map((item) => item.socket))
    if (ready.has(receiver)) {
      const [message] = await receiver.receive()

      //  Process task
      const workload = Number.parseInt(message!.toString("utf8"), 10) //  Workload in msecs

      //  Do the work
      await s_sleep(workload / SPEED)

      //  Send results to sink
      await sender.send(Buffer.alloc(0))

      //  Simple progress indicator for the viewer
      process.stdout.write(".")
    }
    //  Any waiting controller command acts as 'KILL'
    if (ready.has(controller)) {
      process.stdout.write("\n")
      break //  Exit loop
    }
  }
} catch (error) {
  if (!isInterrupted(error)) throw error
}
//  Finished
receiver.close()
sender.close()
controller.close()
