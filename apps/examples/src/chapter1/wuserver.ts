/**
 * wuserver — Guide chapter 1, "Getting the Message Out": the weather update server. Binds a PUB socket to
 * tcp://*:5556 and ipc://weather.ipc and publishes random "zipcode temperature relhumidity" updates forever,
 * a broadcast with no start and no end. Ctrl-C closes it and exits 0.
 */
import { setImmediate as yieldToEventLoop } from "node:timers/promises"
import { Publisher } from "@zmq-ts/core"
import { isInterrupted, s_catch_signals, s_interrupted } from "@zmq-ts/zhelpers"

/** zhelpers.h's randof: a random integer from 0 to num - 1. */
const randof = (num: number): number => Math.floor(Math.random() * num)

s_catch_signals() // Ctrl-C: the loop ends and the socket closes

//  Prepare our publisher
const publisher = new Publisher()
await publisher.bind("tcp://*:5556")
await publisher.bind("ipc://weather.ipc")

let sent = 0
try {
  while (!s_interrupted) {
    //  Get values that will fool the boss
    const zipcode = randof(100000)
    const temperature = randof(215) - 80
    const relhumidity = randof(50) + 10

    //  Send message to all subscribers
    await publisher.send(`${String(zipcode).padStart(5, "0")} ${temperature} ${relhumidity}`)

    // A PUB send never waits (updates nobody can take yet are dropped), so without this the loop would
    // never let Node's event loop write to the network or notice Ctrl-C.
    if (++sent % 1000 === 0) await yieldToEventLoop()
  }
} catch (error) {
  if (!isInterrupted(error)) throw error
}
publisher.close()
