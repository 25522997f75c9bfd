/**
 * msreader — the Guide, chapter 2, "Handling Multiple Sockets": reading from multiple sockets, this version
 * with a simple recv loop.
 *
 * Connects a PULL socket to the task ventilator (taskvent, tcp://localhost:5557) and a SUB socket to the
 * weather server (wuserver, tcp://localhost:5556, updates for zip code "10001 "), then reads both without
 * blocking: the Guide's ZMQ_DONTWAIT is `receiveTimeout: 0` (receive fails at once with EAGAIN when nothing
 * waits), and when neither socket has anything the loop sleeps for 1 ms. The Guide's loop only marks where
 * work would happen ("process task", "process weather update"); this one prints what it read.
 */
import { Pull, Subscriber, ZmqError, type Message, type Socket } from "@zmq-ts/core"
import { s_catch_signals, s_interrupted, s_sleep } from "@zmq-ts/zhelpers"

//  Connect to task ventilator
const receiver = new Pull({ receiveTimeout: 0 })
receiver.connect("tcp://localhost:5557")

//  Connect to weather server
const subscriber = new Subscriber({ receiveTimeout: 0 })
subscriber.connect("tcp://localhost:5556")
subscriber.subscribe("10001 ")

/** recv with ZMQ_DONTWAIT: the next message, or undefined when none is waiting (EAGAIN). */
async function receiveNow(socket: Socket): Promise<Message[] | undefined> {
  try {
    return await socket.receive()
  } catch (error) {
    if (ZmqError.isInstance(error) && error.code === "EAGAIN") return undefined
    throw error
  }
}

/** A frame as text (the C ventilator pads its tasks with NULs). */
const text = (message: Message[]): string => message[0]!.toString("utf8").replace(/\0+$/, "")

s_catch_signals()
//  Process messages from both sockets
//  We prioritize traffic from the task ventilator
while (!s_interrupted) {
  //  Process any waiting tasks
  for (let task = await receiveNow(receiver); task !== undefined; task = await receiveNow(receiver)) {
    //  process task
    console.log(`process task: ${text(task)}`)
  }
  //  Process any waiting weather updates
  for (let update = await receiveNow(subscriber); update !== undefined; update = await receiveNow(subscriber)) {
    //  process weather update
    console.log(`process weather update: ${text(update)}`)
  }
  //  No activity, so sleep for 1 msec
  await s_sleep(1)
}
receiver.close()
subscriber.close()
