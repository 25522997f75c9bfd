/**
 * tasksink2 — the Guide, chapter 2, "Handling Errors and ETERM": task sink, design 2. Adds a pub-sub flow to
 * send the kill signal to workers.
 *
 * Binds PULL tcp://*:5558 for results and PUB tcp://*:5559 for worker control; waits for the start of the
 * batch (taskvent's "0"), collects 100 results, reports the elapsed time and broadcasts "KILL" so that every
 * taskwork2 exits.
 */
import { Publisher, Pull } from "@zmq-ts/core"
import { s_clock, s_recv, s_send, s_sleep } from "@zmq-ts/zhelpers"

//  Socket to receive messages on
const receiver = new Pull()
await receiver.bind("tcp://*:5558")

//  Socket for worker control
const controller = new Publisher()
await controller.bind("tcp://*:5559")

//  Wait for start of batch
await s_recv(receiver)

//  Start our clock now
const start = s_clock()

//  Process 100 confirmations
for (let taskNbr = 0; taskNbr < 100; taskNbr++) {
  await s_recv(receiver)
  process.stdout.write(taskNbr % 10 === 0 ? ":" : ".")
}
//  Calculate and report duration of batch
console.log(`\nTotal elapsed time: ${s_clock() - start} msec\n`)

//  Send kill signal to workers
await s_send(controller, "KILL")

//  Finished
await s_sleep(1000) //  Give 0MQ time to deliver
receiver.close()
controller.close()
