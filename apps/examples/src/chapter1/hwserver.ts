/**
 * hwserver — Guide chapter 1, "Hello World": the request-reply server. Binds a REP socket to tcp://*:5555,
 * expects "Hello" from each client and replies "World" after a second of pretend work. Runs until Ctrl-C,
 * then closes its socket and exits 0 (s_catch_signals, as chapter 2's "Handling Interrupt Signals" shows).
 *
 * Timing only: ZMQ_TS_EXAMPLE_SPEED=10 makes the "work" ten times shorter (the tests and `pnpm start` do).
 */
import { Reply } from "@zmq-ts/core"
import { isInterrupted, s_catch_signals, s_interrupted, s_sleep } from "@zmq-ts/zhelpers"

const speed = Number(process.env.ZMQ_TS_EXAMPLE_SPEED) > 0 ? Number(process.env.ZMQ_TS_EXAMPLE_SPEED) : 1

s_catch_signals() // Ctrl-C: pending calls reject with EINTR and the loop ends

//  Socket to talk to clients
const responder = new Reply()
await responder.bind("tcp://*:5555")

try {
  while (!s_interrupted) {
    //  Wait for next request from client
    await responder.receive()
    console.log("Received Hello")
    await s_sleep(1000 / speed) //  Pretend to do some 'work'
    //  Send reply back to client
    await responder.send("World")
  }
} catch (error) {
  if (!isInterrupted(error)) throw error // Ctrl-C interrupts the receive: fall through to the clean exit
}
responder.close()
