/**
 * bstarsrv2 — the Guide, chapter 4, "Binary Star Reactor" (bstarsrv2.c): the Binary Star server again, as
 * a short main program on @zmq-ts/patterns' BinaryStar reactor (bstar.c), with an echo service as voter.
 *
 *   bstarsrv2 -p   primary: clients on tcp://*:5001, state PUB tcp://*:5003, state SUB tcp://localhost:5004
 *   bstarsrv2 -b   backup:  clients on tcp://*:5002, state PUB tcp://*:5004, state SUB tcp://localhost:5003
 *
 * The reactor logs its state changes (bstar.c's zclock_log lines). ZMQ_TS_EXAMPLE_SPEED=n makes the
 * heartbeat (1000 ms) n times shorter; ZMQ_TS_BSTAR_HEARTBEAT=ms sets it.
 */
import { s_catch_signals } from "@zmq-ts/zhelpers"
import { BinaryStar, PatternError, PatternErrorCode } from "@zmq-ts/patterns"

const SPEED = Number(process.env.ZMQ_TS_EXAMPLE_SPEED ?? 1) || 1
const HEARTBEAT = Number(process.env.ZMQ_TS_BSTAR_HEARTBEAT ?? 0) || Math.max(1, Math.round(1000 / SPEED))

const log = (text: string): void => console.log(`${new Date().toISOString().slice(11, 19)} ${text}`)
const onEvent = (event: Parameters<NonNullable<ConstructorParameters<typeof BinaryStar>[0]["onEvent"]>>[0]): void => {
  if ((event.type === "state" || event.type === "fatal") && event.message !== undefined) log(event.message)
}

//  Arguments can be either of:
//      -p  primary server, at tcp://localhost:5001
//      -b  backup server, at tcp://localhost:5002
let bstar: BinaryStar
if (process.argv.length === 3 && process.argv[2] === "-p") {
  console.log("I: Primary active, waiting for backup (passive)")
  bstar = new BinaryStar({ primary: true, local: "tcp://*:5003", remote: "tcp://localhost:5004", heartbeat: HEARTBEAT, onEvent })
  //  Echo service
  bstar.voter("tcp://*:5001", "router", (msg, socket) => socket.send(msg))
} else if (process.argv.length === 3 && process.argv[2] === "-b") {
  console.log("I: Backup passive, waiting for primary (active)")
  bstar = new BinaryStar({ primary: false, local: "tcp://*:5004", remote: "tcp://localhost:5003", heartbeat: HEARTBEAT, onEvent })
  bstar.voter("tcp://*:5002", "router", (msg, socket) => socket.send(msg))
} else {
  console.log("Usage: bstarsrvs { -p | -b }")
  process.exit(0)
}

s_catch_signals()
await bstar.start()
try {
  await bstar.done() //  Ends on SIGINT/SIGTERM, or on a fatal dual-actives/passives
} catch (error) {
  if (!(PatternError.isInstance(error) && error.code === PatternErrorCode.PEER_CONFLICT)) throw error
}
await bstar.stop()
