/**
 * spworker — the Guide, chapter 4, "Basic Reliable Queuing (Simple Pirate Pattern)": lpserver adapted to the
 * load-balancing queue. A REQ with a printable random identity connects to tcp://localhost:5556, says READY
 * ("\001"), and echoes each request after a second of work; after a few cycles it randomly runs slowly
 * (three seconds) or crashes. @zmq-ts/patterns' SimplePirateWorker.
 *
 *   spqueue ROUTER tcp://*:5556 ◀── spworker (REQ, identity "XXXX-XXXX")
 *
 * Faults, reproducibly: ZMQ_TS_EXAMPLE_CRASH_AT=N crashes at cycle N and ZMQ_TS_EXAMPLE_OVERLOAD_AT=N[,M…]
 * overloads at those cycles (setting either turns the random faults off; 0 means never); else the Guide's
 * random ones, repeatable with ZMQ_TS_EXAMPLE_SEED. ZMQ_TS_EXAMPLE_SPEED=n makes every pause n times shorter.
 */
import { randomInt } from "node:crypto"
import { SimplePirateWorker } from "@zmq-ts/patterns"
import { isInterrupted, s_catch_signals, s_sleep } from "@zmq-ts/zhelpers"
import { randomSource } from "../chapter3/support/randof.js"

const SPEED = Number(process.env.ZMQ_TS_EXAMPLE_SPEED) > 0 ? Number(process.env.ZMQ_TS_EXAMPLE_SPEED) : 1
const cyclesOf = (name: string): Set<number> | undefined =>
  process.env[name] === undefined ? undefined : new Set(process.env[name]!.split(",").map(Number))
const CRASH_AT = cyclesOf("ZMQ_TS_EXAMPLE_CRASH_AT")
const OVERLOAD_AT = cyclesOf("ZMQ_TS_EXAMPLE_OVERLOAD_AT")
const scripted = CRASH_AT !== undefined || OVERLOAD_AT !== undefined
const randof = randomSource()

/** The simulated crash: ends the worker as the Guide's `break` does. */
class SimulatedCrash extends Error {}

//  Set random identity to make tracing easier (not from the seed: two workers must not share one)
const hex = (): string => randomInt(0x10000).toString(16).toUpperCase().padStart(4, "0")
const identity = `${hex()}-${hex()}`

s_catch_signals()
let cycles = 0
const worker = new SimplePirateWorker({
  queue: "tcp://localhost:5556",
  requestOptions: { routingId: identity },
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
})
process.once("SIGINT", () => worker.close())

//  Tell broker we're ready for work
console.log(`I: (${identity}) worker ready`)
await worker.start()
try {
  await worker.done()
} catch (error) {
  if (!(error instanceof SimulatedCrash) && !isInterrupted(error)) throw error
}
