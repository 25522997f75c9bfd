/**
 * interrupt — the Guide, chapter 2, "Handling Interrupt Signals": shows how to handle Ctrl-C.
 *
 * A REP server on tcp://*:5555 that traps SIGINT and SIGTERM with s_catch_signals(). A signal makes the
 * blocking receive fail with EINTR ("W: interrupt received, proceeding…"); the loop then sees s_interrupted,
 * says "W: interrupt received, killing server…", leaves the loop, closes its socket and exits 0.
 *
 * Like the Guide's server it never replies: it is there to be interrupted, not to serve. (A request would
 * leave the REP socket waiting for a reply, so the next receive fails with EFSM, which ends the program.)
 */
import { Reply } from "@zmq-ts/core"
import { isInterrupted, s_catch_signals, s_interrupted } from "@zmq-ts/zhelpers"

const socket = new Reply()
await socket.bind("tcp://*:5555")

s_catch_signals()
while (true) {
  //  Blocking read will throw on a signal
  try {
    await socket.receive()
  } catch (error) {
    // The Guide catches every error here; only an interrupt is expected, anything else is a bug to report.
    if (!isInterrupted(error)) throw error
    console.log("W: interrupt received, proceeding…")
  }
  if (s_interrupted) {
    console.log("W: interrupt received, killing server…")
    break
  }
}
socket.close()
