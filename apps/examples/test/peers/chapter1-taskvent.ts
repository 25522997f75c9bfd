/**
 * A libzmq peer (zeromq.js v6): the Guide's chapter 1 taskvent. Binds PUSH to tcp://*:5557, connects PUSH to
 * the sink at tcp://localhost:5558, waits for Enter, sends the start of batch "0" to the sink and 100
 * workloads of 1–100 msec to the workers, and prints the total expected cost.
 */
import * as zmq from "zeromq"

const sender = new zmq.Push({ linger: -1 })
await sender.bind("tcp://*:5557")
const sink = new zmq.Push({ linger: -1 })
sink.connect("tcp://localhost:5558")

process.stdout.write("Press Enter when the workers are ready: ")
await new Promise((resolve) => process.stdin.once("data", resolve))
process.stdin.destroy()
console.log("Sending tasks to workers...")

await sink.send("0")
let totalMsec = 0
for (let taskNbr = 0; taskNbr < 100; taskNbr++) {
  const workload = Math.floor(Math.random() * 100) + 1
  totalMsec += workload
  await sender.send(String(workload))
}
console.log(`Total expected cost: ${totalMsec} msec`)
sink.close()
sender.close()
