/**
 * mdworker — the Guide, chapter 4, "Service-Oriented Reliable Queuing (Majordomo Pattern)" (mdworker.c): a
 * Majordomo worker for the "echo" service, on @zmq-ts/patterns' MajordomoWorker (the Guide's mdwrkapi).
 *
 *   mdbroker tcp://localhost:5555 ◀──MDPW01 READY "echo"── mdworker (DEALER)
 *
 * Each request comes back as its own reply. `-v` traces the protocol. The worker heartbeats while it waits;
 * if the broker falls silent (or restarts) it reconnects and registers again. Runs until Ctrl-C.
 */
import { MajordomoWorker } from "@zmq-ts/patterns"
import { isInterrupted, s_catch_signals } from "@zmq-ts/zhelpers"

const verbose = process.argv[2] === "-v"
const session = new MajordomoWorker("tcp://localhost:5555", "echo", { verbose })
s_catch_signals()

let reply: Buffer[] | undefined
try {
  while (true) {
    const request = await session.receive(reply)
    reply = request //  Echo is complex... :-)
  }
} catch (error) {
  if (!isInterrupted(error)) throw error
  console.log("W: interrupt received, killing worker...")
}
session.close()
