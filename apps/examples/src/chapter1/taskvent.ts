/**
 * taskvent — Guide chapter 1, "Divide and Conquer": the ventilator of the parallel pipeline. Binds a PUSH
 * socket to tcp://*:5557 for the workers (taskwork) and connects one to the sink (tasksink) at
 * tcp://localhost:5558. When you press Enter (start the workers first, so PUSH spreads the tasks over all of
 * them) it signals the start of the batch to the sink and sends 100 tasks, each a workload of 1–100 msec.
 */
import { Push } from "@zmq-ts/core"
import { s_send } from "@zmq-ts/zhelpers"

/** zhelpers.h's randof: a random integer from 0 to num - 1. */
const randof = (num: number): number => Math.floor(Math.random() * num)

/** getchar(): waits for Enter (or the end of stdin), then closes stdin, which would keep the process alive. */
function getchar(): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      process.stdin.off("data", done).off("end", done).destroy()
      resolve()
    }
    process.stdin.on("data", done).on("end", done)
  })
}

//  Socket to send messages on
const sender = new Push()
await sender.bind("tcp://*:5557")

//  Socket to send start of batch message on
const sink = new Push()
sink.connect("tcp://localhost:5558")

process.stdout.write("Press Enter when the workers are ready: ")
await getchar()
console.log("Sending tasks to workers...")

//  The first message is "0" and signals start of batch
await s_send(sink, "0")

//  Send 100 tasks
let totalMsec = 0 //  Total expected cost in msecs
for (let taskNbr = 0; taskNbr < 100; taskNbr++) {
  //  Random workload from 1 to 100msecs
  const workload = randof(100) + 1
  totalMsec += workload
  await s_send(sender, String(workload))
}
console.log(`Total expected cost: ${totalMsec} msec`)

// Closing with the default linger (-1) delivers every queued task before the process exits.
sink.close()
sender.close()
