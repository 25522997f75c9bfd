/**
 * A libzmq peer (zeromq.js v6): the Guide's chapter 1 tasksink. Binds PULL to tcp://*:5558, waits for the
 * start of batch, collects 100 results (":" every ten, "." otherwise) and prints the elapsed time.
 */
import * as zmq from "zeromq"

const receiver = new zmq.Pull({ linger: 0 })
await receiver.bind("tcp://*:5558")

await receiver.receive()
const startTime = performance.now()
for (let taskNbr = 0; taskNbr < 100; taskNbr++) {
  await receiver.receive()
  process.stdout.write(taskNbr % 10 === 0 ? ":" : ".")
}
console.log(`Total elapsed time: ${Math.round(performance.now() - startTime)} msec`)
receiver.close()
