/**
 * lpserver — the Guide, chapter 4, "Client-Side Reliability (Lazy Pirate Pattern)": hwserver, except that it
 * echoes each request as it is, and after a few cycles randomly runs slowly ("I: simulating CPU overload",
 * two seconds) or exits ("I: simulating a crash") so that lpclient has something to survive.
 *
 *   lpclient (REQ) ──▶ tcp://*:5555 REP lpserver
 *
 * Faults, reproducibly: ZMQ_TS_EXAMPLE_CRASH_AT=N crashes at cycle N and ZMQ_TS_EXAMPLE_OVERLOAD_AT=N[,M…]
 * overloads at those cycles (setting either turns the random faults off; 0 means never); else the Guide's
 * random ones, repeatable with ZMQ_TS_EXAMPLE_SEED. ZMQ_TS_EXAMPLE_SPEED=n makes every pause n times shorter.
 */
import { Reply } from "@zmq-ts/core"
import { isInterrupted, s_catch_signals, s_sleep } from "@zmq-ts/zhelpers"
import { randomSource } from "../chapter3/support/randof.js"

const SPEED = Number(process.env.ZMQ_TS_EXAMPLE_SPEED) > 0 ? Number(process.env.ZMQ_TS_EXAMPLE_SPEED) : 1
const cyclesOf = (name: string): Set<number> | undefined =>
  process.env[name] === undefined ? undefined : new Set(process.env[name]!.split(",").map(Number))
const CRASH_AT = cyclesOf("ZMQ_TS_EXAMPLE_CRASH_AT")
const OVERLOAD_AT = cyclesOf("ZMQ_TS_EXAMPLE_OVERLOAD_AT")
const scripted = CRASH_AT !== undefined || OVERLOAD_AT !== undefined
const randof = randomSource()

s_catch_signals()
const server = new Reply()
await server.bind("tcp://*:5555")

let cycles = 0
try {
  while (true) {
    const [request] = await server.receive()
    cycles++

    //  Simulate various problems, after a few cycles
    if (scripted ? CRASH_AT?.has(cycles) === true : cycles > 3 && randof(3) === 0) {
      console.log("I: simulating a crash")
      break
    } else if (scripted ? OVERLOAD_AT?.has(cycles) === true : cycles > 3 && randof(3) === 0) {
      console.log("I: simulating CPU overload")
      await s_sleep(2000 / SPEED)
    }
    console.log(`I: normal request (${request!.toString()})`)
    await s_sleep(1000 / SPEED) //  Do some heavy work
    await server.send(request!)
  }
} catch (error) {
  if (!isInterrupted(error)) throw error
}
server.close()
