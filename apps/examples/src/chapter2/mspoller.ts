/**
 * mspoller — the Guide, chapter 2, "Handling Multiple Sockets": reading from multiple sockets, this version
 * using zmq_poll() (our `Poller`).
 *
 * The same senseless little application as msreader — a PULL socket on the task ventilator (taskvent,
 * tcp://localhost:5557) and a SUB socket on the weather server (wuserver, tcp://localhost:5556, "10001 ") —
 * done right: the loop waits on both sockets at once, with no sleeping and no extra latency. It prints what
 * it reads where the Guide's loop says "Process task" and "Process weather update".
 */
import { Poller, Pull, Subscriber, type Message } from "@zmq-ts/core"
import { isInterrupted, s_catch_signals } from "@zmq-ts/zhelpers"

//  Connect to task ventilator
const receiver = new Pull()
receiver.connect("tcp://localhost:5557")

//  Connect to weather server
const subscriber = new Subscriber()
subscriber.connect("tcp://localhost:5556")
subscriber.subscribe("10001 ")

/** A frame as text (the C ventilator pads its tasks with NULs). */
const text = (message: Message[]): string => message[0]!.toString("utf8").replace(/\0+$/, "")

//  Initialize poll set
const poller = new Poller<Pull | Subscriber>().add(receiver).add(subscriber)

s_catch_signals()
//  Process messages from both sockets
try {
  while (true) {
    const ready = new Set((await poller.poll()).map((item) => item.socket))
    if (ready.has(receiver)) {
      //  Process task
      console.log(`process task: ${text(await receiver.receive())}`)
    }
    if (ready.has(subscriber)) {
      //  Process weather update
      console.log(`process weather update: ${text(await subscriber.receive())}`)
    }
  }
} catch (error) {
  if (!isInterrupted(error)) throw error // Ctrl-C ends the loop; anything else is a bug
}
receiver.close()
subscriber.close()
