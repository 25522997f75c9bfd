/**
 * flserver1 — the Guide, chapter 4, "Model One: Simple Retry and Failover" (flserver1.c): a trivial echo
 * service on a REP socket, bound to the endpoint given as its argument.
 *
 *   flclient1 (REQ, one per try) ──"Hello world"──▶ flserver1 <endpoint> (REP) ──echo──▶
 *
 * Run one or several: `pnpm example flserver1 tcp://*:5555`, `pnpm example flserver1 tcp://*:5556`. Ctrl-C
 * ends it ("W: interrupted").
 */
import { Reply } from "@zmq-ts/core"
import { isInterrupted, s_catch_signals } from "@zmq-ts/zhelpers"

const endpoint = process.argv[2]
if (endpoint === undefined) {
  console.log(`I: syntax: flserver1 <endpoint>`)
  process.exit(0)
}
const server = new Reply()
await server.bind(endpoint)

console.log(`I: echo service is ready at ${endpoint}`)
s_catch_signals()
try {
  while (true) {
    const msg = await server.receive()
    await server.send(msg)
  }
} catch (error) {
  if (!isInterrupted(error)) throw error //  Interrupted
  console.log("W: interrupted")
}
server.close()
