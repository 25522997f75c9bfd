/**
 * A libzmq peer (zeromq.js v6): the Guide's chapter 1 wuserver. Binds PUB to tcp://*:5556 and publishes
 * random "zipcode temperature relhumidity" updates (zipcode 00000–99999) until Ctrl-C.
 */
import { setImmediate as yieldToEventLoop } from "node:timers/promises"
import * as zmq from "zeromq"

const randof = (num: number): number => Math.floor(Math.random() * num)

const publisher = new zmq.Publisher({ linger: 0 })
await publisher.bind("tcp://*:5556")
let interrupted = false
process.once("SIGINT", () => (interrupted = true))

let sent = 0
while (!interrupted) {
  const zipcode = randof(100000)
  const temperature = randof(215) - 80
  const relhumidity = randof(50) + 10
  await publisher.send(`${String(zipcode).padStart(5, "0")} ${temperature} ${relhumidity}`)
  if (++sent % 1000 === 0) await yieldToEventLoop() // let Ctrl-C in
}
publisher.close()
