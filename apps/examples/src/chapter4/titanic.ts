/**
 * titanic — the Guide, chapter 4, "Disconnected Reliability (Titanic Pattern)" (titanic.c): the Titanic
 * server, RFC 9 TSP, on @zmq-ts/patterns' Titanic. It registers titanic.request, titanic.reply and
 * titanic.close with the Majordomo broker at tcp://localhost:5555 (mdbroker), keeps every request and reply
 * on disk, one file each, and dispatches stored requests to their real services (through the same broker,
 * after an MMI check) until they answer.
 *
 *   ticlient ──▶ mdbroker tcp://localhost:5555 ◀── titanic (3 services + dispatcher) ──▶ .titanic/
 *                                               ◀── mdworker ("echo")
 *
 * Files go under ".titanic" in the current directory, as the Guide's; ZMQ_TS_TITANIC_DIR=path puts them
 * elsewhere. Every file is written to a temp file, fsync-ed and renamed, so a crash loses no request whose
 * "200" went out. `-v` traces the protocol and prints "I: processing request <uuid>" as the Guide's.
 * ZMQ_TS_EXAMPLE_SPEED=n makes the dispatcher's one-second idle pass n times shorter. Runs until Ctrl-C.
 */
import { DEFAULT_TITANIC_DIRECTORY, Titanic } from "@zmq-ts/patterns"
import { s_catch_signals } from "@zmq-ts/zhelpers"

const SPEED = Number(process.env.ZMQ_TS_EXAMPLE_SPEED ?? 1) || 1
const verbose = process.argv.length > 2 && process.argv[2] === "-v"
const directory = process.env.ZMQ_TS_TITANIC_DIR ?? DEFAULT_TITANIC_DIRECTORY

const titanic = new Titanic({
  broker: "tcp://localhost:5555",
  directory,
  verbose,
  dispatchInterval: Math.max(1, Math.round(1000 / SPEED)),
  onEvent: (event) => {
    if (verbose && event.type === "dispatch") console.log(`I: processing request ${event.uuid}`)
  },
})
s_catch_signals()
await titanic.start()
await titanic.done()
console.log("W: interrupted")
