/**
 * tasksink — Guide chapter 1, "Divide and Conquer": the sink of the parallel pipeline. Binds a PULL socket to
 * tcp://*:5558, waits for the ventilator's start-of-batch message, then collects the 100 results the workers
 * send (":" every ten, "." otherwise) and prints how long the batch took: with more workers, less than the
 * total expected cost the ventilator printed.
 */
import { Pull } from "@zmq-ts/core"
import { s_clock, s_recv } from "@zmq-ts/zhelpers"

//  Prepare our socket
const receiver = new Pull()
await receiver.bind("tcp://*:5558")

//  Wait for start of batch
await s_recv(receiver)

//  Start our clock now
const startTime = s_clock()

//  Process 100 confirmations
for (let taskNbr = 0; taskNbr < 100; taskNbr++) {
  await s_recv(receiver)
  process.stdout.write(taskNbr % 10 === 0 ? ":" : ".")
}
//  Calculate and report duration of batch
console.log(`Total elapsed time: ${s_clock() - startTime} msec`)

receiver.close()
