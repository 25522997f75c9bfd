/**
 * rrworker — the Guide, chapter 2, "Shared Queue (DEALER and ROUTER sockets)": request-reply service.
 *
 * Connects a REP socket to tcp://localhost:5560 (the broker's backend: rrbroker or msgqueue), expects
 * "Hello" from the client and replies with "World" after a second of "work". Ctrl-C ends it cleanly.
 * ZMQ_TS_EXAMPLE_SPEED=n makes the work n times shorter (tests use it); the default is the Guide's second.
 */
import { Reply } from "@zmq-ts/core"
import { isInterrupted, s_catch_signals, s_recv, s_send, s_sleep } from "@zmq-ts/zhelpers"

const SPEED = Number(process.env.ZMQ_TS_EXAMPLE_SPEED ?? 1) || 1

const responder = new Reply()
responder.connect("tcp://localhost:5560")

s_catch_signals()
try {
  while (true) {
    //  Wait for next request from client
    const string = await s_recv(responder)
    console.log(`Received request: ${string}`)

    //  Do some 'work'
    await s_sleep(1000 / SPEED)

    //  Send reply back to client
    await s_send(responder, "World")
  }
} catch (error) {
  if (!isInterrupted(error)) throw error
}
responder.close()
