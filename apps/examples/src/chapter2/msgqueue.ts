/**
 * msgqueue — the Guide, chapter 2, "ZeroMQ's Built-In Proxy Function": simple message queuing broker, the
 * same as rrbroker but using the QUEUE device (zmq_proxy, our `Proxy`).
 *
 *   rrclient (REQ) ──▶ tcp://*:5559 ROUTER ══ Proxy ══ DEALER tcp://*:5560 ◀── rrworker (REP)
 */
import { Dealer, Proxy, Router } from "@zmq-ts/core"
import { isInterrupted, s_catch_signals } from "@zmq-ts/zhelpers"

//  Socket facing clients
const frontend = new Router()
await frontend.bind("tcp://*:5559")

//  Socket facing services
const backend = new Dealer()
await backend.bind("tcp://*:5560")

//  Start the proxy (it runs until Ctrl-C, as zmq_proxy returns EINTR on a signal)
s_catch_signals()
try {
  await new Proxy(frontend, backend).run()
} catch (error) {
  if (!isInterrupted(error)) throw error
}
frontend.close()
backend.close()
