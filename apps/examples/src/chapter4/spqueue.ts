/**
 * spqueue — the Guide, chapter 4, "Basic Reliable Queuing (Simple Pirate Pattern)": the load-balancing broker
 * with no reliability of its own; it relies on its Lazy Pirate clients to retry. @zmq-ts/patterns'
 * SimplePirateQueue.
 *
 *   lpclient (REQ) ──▶ tcp://*:5555 ROUTER ══ LRU queue of workers ══ ROUTER tcp://*:5556 ◀── spworker (REQ)
 *
 * A worker's first message is READY ("\001"); each request goes to the least recently used idle worker.
 * Prints nothing, as the Guide's; runs until Ctrl-C.
 */
import { SimplePirateQueue } from "@zmq-ts/patterns"
import { s_catch_signals } from "@zmq-ts/zhelpers"

s_catch_signals() //  Ctrl-C ends the queue's loop; it closes its sockets
const queue = new SimplePirateQueue({
  frontend: "tcp://*:5555", //  For clients
  backend: "tcp://*:5556", //  For workers
})
await queue.start()
await queue.done()
