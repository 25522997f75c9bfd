/**
 * ppqueue — the Guide, chapter 4, "Robust Reliable Queuing (Paranoid Pirate Pattern)": the load-balancing
 * queue with heartbeating of workers, speaking RFC 6 (PPP) to DEALER workers. @zmq-ts/patterns'
 * ParanoidPirateQueue.
 *
 *   lpclient (REQ) ──▶ tcp://*:5555 ROUTER ══ LRU queue + heartbeats ══ ROUTER tcp://*:5556 ◀── ppworker (DEALER)
 *
 * Workers say READY ("\001") and then HEARTBEAT ("\002") every HEARTBEAT_INTERVAL (1000 ms), as the queue
 * does to them; a worker silent for HEARTBEAT_LIVENESS (3) intervals is purged ("W: worker expired (id)",
 * the Guide's Python ppqueue says so too). Runs until Ctrl-C. ZMQ_TS_EXAMPLE_SPEED=n heartbeats n times
 * faster (every ppworker must get the same n).
 */
import { ParanoidPirateQueue } from "@zmq-ts/patterns"
import { s_catch_signals } from "@zmq-ts/zhelpers"

const SPEED = Number(process.env.ZMQ_TS_EXAMPLE_SPEED) > 0 ? Number(process.env.ZMQ_TS_EXAMPLE_SPEED) : 1
const HEARTBEAT_LIVENESS = 3 //  3-5 is reasonable
const HEARTBEAT_INTERVAL = Math.round(1000 / SPEED) //  msecs

s_catch_signals() //  Ctrl-C ends the queue's loop; it closes its sockets
const queue = new ParanoidPirateQueue({
  frontend: "tcp://*:5555", //  For clients
  backend: "tcp://*:5556", //  For workers
  heartbeatInterval: HEARTBEAT_INTERVAL,
  liveness: HEARTBEAT_LIVENESS,
  onEvent: (event) => {
    if (event.type === "worker:expired") console.log(`W: worker expired (${event.worker.toString()})`)
    else if (event.type === "invalid") console.log(`E: invalid message from worker (${event.worker.toString()})`)
  },
})
await queue.start()
await queue.done()
