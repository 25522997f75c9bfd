/**
 * ppworker — the Guide, chapter 4, "Robust Reliable Queuing (Paranoid Pirate Pattern)": a DEALER worker
 * speaking RFC 6 (PPP) to ppqueue at tcp://localhost:5556. It says READY, heartbeats every second, and when
 * the queue has been silent for three heartbeats it closes its socket and reconnects after 1 s, 2 s, 4 s …
 * up to 32 s. Echoes each request after a second of work; after a few cycles it randomly runs slowly (three
 * seconds) or crashes. @zmq-ts/patterns' ParanoidPirateWorker.
 *
 *   ppqueue ROUTER tcp://*:5556 ◀── ppworker (DEALER, a new identity "XXXX-XXXX" per connection)
 *
 * Output as the Guide's, with the worker's identity in front, since several run side by side: "I: (id)
 * worker ready", "I: (id) worker heartbeat", "I: (id) normal reply", "W: (id) heartbeat failure, can't
 * reach queue", "W: (id) reconnecting in 1000 msec...". Unlike the Guide's, our worker keeps heartbeating
 * while it works (its CPU overload is a slow request, not a frozen process).
 *
 * Faults, reproducibly: ZMQ_TS_EXAMPLE_CRASH_AT=N crashes at cycle N and ZMQ_TS_EXAMPLE_OVERLOAD_AT=N[,M…]
 * overloads at those cycles (setting either turns the random faults off; 0 means never); else the Guide's
 * random ones, repeatable with ZMQ_TS_EXAMPLE_SEED. ZMQ_TS_EXAMPLE_SPEED=n makes every interval and pause n
 * times shorter (ppqueue must get the same n).
 */
import { randomInt } from "node:crypto"
import { ParanoidPirateWorker } from "@zmq-ts/patterns"
import { isInterrupted, s_catch_signals, s_sleep } from "@zmq-ts/zhelpers"
import { randomSource } from "../chapter3/support/randof.js"

const SPEED = Number(process.env.ZMQ_TS_EXAMPLE_SPEED) > 0 ? Number(process.env.ZMQ_TS_EXAMPLE_SPEED) : 1
const HEARTBEAT_LIVENESS = 3 //  3-5 is reasonable
const HEARTBEAT_INTERVAL = Math.round(1000 / SPEED) //  msecs
const INTERVAL_INIT = Math.round(1000 / SPEED) //  Initial reconnect
const INTERVAL_MAX = Math.round(32000 / SPEED) //  After exponential backoff

const cyclesOf = (name: string): Set<number> | undefined =>
  process.env[name] === undefined ? undefined : new Set(process.env[name]!.split(",").map(Number))
const CRASH_AT = cyclesOf("ZMQ_TS_EXAMPLE_CRASH_AT")
const OVERLOAD_AT = cyclesOf("ZMQ_TS_EXAMPLE_OVERLOAD_AT")
const scripted = CRASH_AT !== undefined || OVERLOAD_AT !== undefined
const randof = randomSource()

/** The simulated crash: ends the worker as the Guide's `break` does. */
class SimulatedCrash extends Error {}

//  A printable identity per connection (not from the seed: two workers must not share one)
const hex = (): string => randomInt(0x10000).toString(16).toUpperCase().padStart(4, "0")
let identity = ""

s_catch_signals()
let cycles = 0
const worker = new ParanoidPirateWorker({
  queue: "tcp://localhost:5556",
  heartbeatInterval: HEARTBEAT_INTERVAL,
  liveness: HEARTBEAT_LIVENESS,
  reconnectInterval: INTERVAL_INIT,
  reconnectIntervalMax: INTERVAL_MAX,
  routingId: () => (identity = `${hex()}-${hex()}`),
  handler: async (request) => {
    //  Simulate various problems, after a few cycles
    cycles++
    if (scripted ? CRASH_AT?.has(cycles) === true : cycles > 3 && randof(5) === 0) {
      console.log(`I: (${identity}) simulating a crash`)
      throw new SimulatedCrash()
    } else if (scripted ? OVERLOAD_AT?.has(cycles) === true : cycles > 3 && randof(5) === 0) {
      console.log(`I: (${identity}) simulating CPU overload`)
      await s_sleep(3000 / SPEED)
    }
    console.log(`I: (${identity}) normal reply`)
    await s_sleep(1000 / SPEED) //  Do some heavy work
    return request
  },
  onEvent: (event) => {
    if (event.type === "ready") console.log(`I: (${identity}) worker ready`)
    else if (event.type === "heartbeat") console.log(`I: (${identity}) worker heartbeat`)
    else if (event.type === "invalid") console.log(`E: (${identity}) invalid message`)
    else if (event.type === "heartbeat-failure") {
      console.log(`W: (${identity}) heartbeat failure, can't reach queue`)
      console.log(`W: (${identity}) reconnecting in ${event.reconnectIn} msec...`)
    }
  },
})
process.once("SIGINT", () => worker.close())

await worker.start()
try {
  await worker.done()
} catch (error) {
  if (!(error instanceof SimulatedCrash) && !isInterrupted(error)) throw error
}
