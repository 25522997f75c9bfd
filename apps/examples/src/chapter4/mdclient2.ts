/**
 * mdclient2 — the Guide, chapter 4, "Asynchronous Majordomo Pattern" (mdclient2.c): sends 100,000 "Hello
 * world" requests to the "echo" service at once, then reads the 100,000 replies, on @zmq-ts/patterns'
 * MajordomoAsyncClient (the Guide's mdcliapi2: a DEALER, no retries, 2.5 s receive timeout).
 *
 *   mdclient2 (DEALER) ══100,000 × MDPC01 "echo"══▶ mdbroker tcp://localhost:5555 ──▶ mdworker(s)
 *
 * Prints how many replies came back. `-v` traces the protocol. ZMQ_TS_REQUESTS=n sends n requests instead
 * of 100,000 (tests use it).
 */
import { MajordomoAsyncClient } from "@zmq-ts/patterns"
import { s_catch_signals } from "@zmq-ts/zhelpers"

const REQUESTS = Number(process.env.ZMQ_TS_REQUESTS ?? 100_000) || 100_000
const verbose = process.argv[2] === "-v"
const session = new MajordomoAsyncClient("tcp://localhost:5555", { verbose })
s_catch_signals()

let count: number
for (count = 0; count < REQUESTS; count++) await session.send("echo", ["Hello world"])
for (count = 0; count < REQUESTS; count++) {
  const reply = await session.receive()
  if (reply === undefined) break //  Interrupted by Ctrl-C, or no reply in time
}
console.log(`${count} replies received`)
session.close()
