/**
 * flclient3 — the Guide, chapter 4, "Model Three: Complex and Nasty" (flclient3.c): 10,000 "random name"
 * requests through @zmq-ts/patterns' FreelanceClient (the Guide's flcliapi: a ROUTER that addresses each
 * server by its endpoint, pings them, and sends each request to the first alive one, failing over when it
 * dies), connected to three servers.
 *
 *   flclient3 (ROUTER) ──▶ flserver3 tcp://localhost:5555, tcp://localhost:5556, tcp://localhost:5557
 *
 * Prints "I: connecting to %s..." for each server, then "Average round trip cost: %d usec", or
 * "E: name service not available, aborting" if no server answered a request within the timeout (3 s, the
 * Guide's flcliapi GLOBAL_TIMEOUT). ZMQ_TS_REQUESTS=n sends n requests instead (tests use it).
 */
import { FreelanceClient, PatternError, PatternErrorCode } from "@zmq-ts/patterns"

const REQUESTS = Number(process.env.ZMQ_TS_REQUESTS ?? 10_000) || 10_000

//  Create new freelance client object
const client = new FreelanceClient({
  globalTimeout: 3000,
  onEvent: (event) => {
    if (event.type === "connect") console.log(`I: connecting to ${event.server}...`)
  },
})

//  Connect to several endpoints
client.connect("tcp://localhost:5555")
client.connect("tcp://localhost:5556")
client.connect("tcp://localhost:5557")

//  Send a bunch of name resolution 'requests', measure time
const start = performance.now()
let done = 0
for (; done < REQUESTS; done++) {
  try {
    await client.request("random name")
  } catch (error) {
    if (!(PatternError.isInstance(error) && error.code === PatternErrorCode.TIMEOUT)) throw error
    console.log("E: name service not available, aborting")
    break
  }
}
console.log(`Average round trip cost: ${Math.trunc(((performance.now() - start) * 1000) / Math.max(1, done))} usec`)

client.close()
