/**
 * bstarsrv — the Guide, chapter 4, "Binary Star Implementation" (bstarsrv.c): the proof-of-concept Binary
 * Star server. It does no real work: it echoes client requests while it is active, and shows the failover.
 *
 *   bstarsrv -p   primary: clients on tcp://*:5001, state PUB tcp://*:5003, state SUB tcp://localhost:5004
 *   bstarsrv -b   backup:  clients on tcp://*:5002, state PUB tcp://*:5004, state SUB tcp://localhost:5003
 *
 * The poll loop is the C program's; the decisions are @zmq-ts/patterns' sans-IO BinaryStarMachine (bstar.c's
 * FSM, so its log lines read "ready as active", and a PRIMARY answers only once it is ACTIVE).
 * ZMQ_TS_EXAMPLE_SPEED=n makes the heartbeat (1000 ms) n times shorter; ZMQ_TS_BSTAR_HEARTBEAT=ms sets it.
 */
import { Poller, Publisher, Router, Subscriber } from "@zmq-ts/core"
import { isInterrupted, s_catch_signals, s_interrupted } from "@zmq-ts/zhelpers"
import { BinaryStarMachine, BinaryStarState } from "@zmq-ts/patterns"

const SPEED = Number(process.env.ZMQ_TS_EXAMPLE_SPEED ?? 1) || 1
//  We send state information this often; if peer doesn't respond in two heartbeats, it is 'dead'
const HEARTBEAT = Number(process.env.ZMQ_TS_BSTAR_HEARTBEAT ?? 0) || Math.max(1, Math.round(1000 / SPEED))

const statepub = new Publisher()
const statesub = new Subscriber()
statesub.subscribe()
const frontend = new Router()
let fsm: BinaryStarMachine

//  Arguments can be either of:
//      -p  primary server, at tcp://localhost:5001
//      -b  backup server, at tcp://localhost:5002
const role = process.argv[2]
if (process.argv.length === 3 && role === "-p") {
  console.log("I: Primary active, waiting for backup (passive)")
  await frontend.bind("tcp://*:5001")
  await statepub.bind("tcp://*:5003")
  statesub.connect("tcp://localhost:5004")
  fsm = new BinaryStarMachine("primary", { heartbeat: HEARTBEAT })
} else if (process.argv.length === 3 && role === "-b") {
  console.log("I: Backup passive, waiting for primary (active)")
  await frontend.bind("tcp://*:5002")
  await statepub.bind("tcp://*:5004")
  statesub.connect("tcp://localhost:5003")
  fsm = new BinaryStarMachine("backup", { heartbeat: HEARTBEAT })
} else {
  console.log("Usage: bstarsrv { -p | -b }")
  process.exit(0)
}

s_catch_signals()
fsm.start(performance.now())
const poller = new Poller<Router | Subscriber>().add(frontend).add(statesub)
try {
  while (!s_interrupted) {
    const ready = new Set((await poller.poll(fsm.timeout(performance.now()))).map((item) => item.socket))
    if (ready.has(frontend)) {
      //  Have a client request
      const msg = await frontend.receive()
      const outcome = fsm.clientRequest(performance.now())
      if (outcome.message !== undefined) console.log(outcome.message)
      //  Answer client by echoing request back (else the request is dropped)
      if (outcome.accepted) await frontend.send(msg)
    }
    if (ready.has(statesub)) {
      //  Have state from our peer, execute as event
      const [message] = await statesub.receive()
      const peer = Number(message!.toString()) as BinaryStarState
      const outcome = fsm.receivePeerState(peer, performance.now())
      if (outcome.message !== undefined) console.log(outcome.message)
      if (outcome.fatal !== undefined) break //  Error, so exit
    }
    //  If we timed out, send state to peer
    const state = fsm.heartbeatDue(performance.now())
    if (state !== undefined) await statepub.send(String(state))
  }
} catch (error) {
  if (!isInterrupted(error)) throw error
}
if (s_interrupted) console.log("W: interrupted")

//  Shutdown sockets
frontend.close()
statepub.close()
statesub.close()
