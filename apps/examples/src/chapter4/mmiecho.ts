/**
 * mmiecho — the Guide, chapter 4, "Service Discovery" (mmiecho.c): asks the Majordomo broker's MMI service
 * discovery (RFC 8, "mmi.service") whether the "echo" service has a worker.
 *
 *   mmiecho (REQ) ──MDPC01 "mmi.service" ["echo"]──▶ mdbroker tcp://localhost:5555
 *
 * Prints "Lookup echo service: 200" with an mdworker running, "… 404" without; "E: no response from broker,
 * make sure it's running" if nobody answers (three tries of 2.5 s). `-v` traces the protocol.
 */
import { MajordomoClient } from "@zmq-ts/patterns"

const verbose = process.argv[2] === "-v"
const session = new MajordomoClient("tcp://localhost:5555", { verbose })

//  This is the service we want to look up; we send our request to "mmi.service"
const reply = await session.request("mmi.service", ["echo"])

if (reply !== undefined) console.log(`Lookup echo service: ${reply[0]?.toString() ?? ""}`)
else console.log("E: no response from broker, make sure it's running")

session.close()
