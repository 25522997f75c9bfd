/**
 * taskwork — Guide chapter 1, "Divide and Conquer": a worker of the parallel pipeline. Connects a PULL socket
 * to the ventilator (tcp://localhost:5557) and a PUSH socket to the sink (tcp://localhost:5558); for each
 * task it prints the workload and a dot, sleeps that many msecs, and reports to the sink. Start as many as
 * you like; Ctrl-C ends one cleanly.
 *
 * Timing only: ZMQ_TS_EXAMPLE_SPEED=10 makes every workload ten times shorter (the tests use it).
 */
import { Pull, Push } from "@zmq-ts/core"
import { isInterrupted, s_catch_signals, s_interrupted, s_recv, s_send, s_sleep } from "@zmq-ts/zhelpers"

const speed = Number(process.env.ZMQ_TS_EXAMPLE_SPEED) > 0 ? Number(process.env.ZMQ_TS_EXAMPLE_SPEED) : 1

s_catch_signals() // Ctrl-C: pending calls reject with EINTR and the loop ends

//  Socket to receive messages on
const receiver = new Pull()
receiver.connect("tcp://localhost:5557")

//  Socket to send messages to
const sender = new Push()
sender.connect("tcp://localhost:5558")

//  Process tasks forever
try {
  while (!s_interrupted) {
    const string = await s_recv(receiver)
    process.stdout.write(`${string}.`) //  Show progress
    await s_sleep(Number.parseInt(string, 10) / speed) //  Do the work
    await s_send(sender, "") //  Send results to sink
  }
} catch (error) {
  if (!isInterrupted(error)) throw error
}
receiver.close()
sender.close()
