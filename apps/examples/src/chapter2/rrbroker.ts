/**
 * rrbroker — the Guide, chapter 2, "Shared Queue (DEALER and ROUTER sockets)": simple request-reply broker.
 *
 *   rrclient (REQ) ──▶ tcp://*:5559 ROUTER ══ poll loop ══ DEALER tcp://*:5560 ◀── rrworker (REP)
 *
 * Polls both sockets and shuttles each message to the other side. The Guide's C++ loop forwards frame by
 * frame while ZMQ_RCVMORE is set; our sockets receive and send whole messages, so a multipart message (the
 * ROUTER's identity frame, the empty delimiter, the body) always goes across whole, in one send.
 */
import { Dealer, Poller, Router } from "@zmq-ts/core"
import { isInterrupted, s_catch_signals } from "@zmq-ts/zhelpers"

//  Prepare our sockets
const frontend = new Router()
const backend = new Dealer()
await frontend.bind("tcp://*:5559")
await backend.bind("tcp://*:5560")

//  Initialize poll set
const poller = new Poller<Router | Dealer>().add(frontend).add(backend)

s_catch_signals()
//  Switch messages between sockets
try {
  while (true) {
    const ready = new Set((await poller.poll()).map((item) => item.socket))
    if (ready.has(frontend)) {
      //  Process all parts of the message
      await backend.send(await frontend.receive())
    }
    if (ready.has(backend)) {
      //  Process all parts of the message
      await frontend.send(await backend.receive())
    }
  }
} catch (error) {
  if (!isInterrupted(error)) throw error
}
frontend.close()
backend.close()
