/**
 * A libzmq peer (zeromq.js v6): the Guide's chapter 1 taskwork. PULL from tcp://localhost:5557, PUSH to
 * tcp://localhost:5558; prints each workload and a dot, sleeps it (divided by ZMQ_TS_EXAMPLE_SPEED) and
 * reports an empty message to the sink. Ctrl-C closes both sockets and exits 0.
 */
import * as zmq from "zeromq"

const SPEED = Number(process.env.ZMQ_TS_EXAMPLE_SPEED ?? 1) || 1

const receiver = new zmq.Pull({ linger: 0 })
receiver.connect("tcp://localhost:5557")
const sender = new zmq.Push({ linger: 0 })
sender.connect("tcp://localhost:5558")
process.once("SIGINT", () => {
  receiver.close()
  sender.close()
  process.exit(0)
})

for await (const [task] of receiver) {
  const workload = task!.toString("utf8")
  process.stdout.write(`${workload}.`)
  await new Promise((resolve) => setTimeout(resolve, Number.parseInt(workload, 10) / SPEED))
  await sender.send("")
}
