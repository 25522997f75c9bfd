/**
 * mdclient — the Guide, chapter 4, "Service-Oriented Reliable Queuing (Majordomo Pattern)" (mdclient.c):
 * 100,000 synchronous "Hello world" requests to the "echo" service through the Majordomo broker, on
 * @zmq-ts/patterns' MajordomoClient (the Guide's mdcliapi: a REQ socket, 2.5 s timeout, 3 tries).
 *
 *   mdclient (REQ) ──MDPC01 "echo"──▶ mdbroker tcp://localhost:5555 ──▶ mdworker
 *
 * Prints how many round trips completed: all of them, or fewer if the broker stopped answering or Ctrl-C.
 * `-v` traces the protocol. ZMQ_TS_REQUESTS=n sends n requests instead of 100,000 (tests use it).
 */
import { MajordomoClient } from "@zmq-ts/patterns"
import { s_catch_signals } from "@zmq-ts/zhelpers"

const REQUESTS = Number(process.env.ZMQ_TS_REQUESTS ?? 100_000) || 100_000
const verbose = process.argv[2] === "-v"
const session = new MajordomoClient("tcp://localhost:5555", { verbose })
s_catch_signals()

let count: number
for (count = 0; count < REQUESTS; count++) {
  const reply = await session.request("echo", ["Hello world"])
  if (reply === undefined) break //  Interrupt or failure
}
console.log(`${count} requests/replies processed`)
session.close()
