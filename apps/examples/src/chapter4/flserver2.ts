/**
 * flserver2 — the Guide, chapter 4, "Model Two: Brutal Shotgun Massacre" (flserver2.c): a REP server that
 * "does some work" and replies "OK", with message sequencing: a request is [sequence, body], the reply
 * [sequence, "OK"], so the shotgun client can drop replies to older requests.
 *
 *   flclient2 (DEALER, blasts each request to all) ──["", seq, body]──▶ flserver2 <endpoint> (REP) × n
 *
 * `pnpm example flserver2 tcp://*:5555`. Ctrl-C ends it ("W: interrupted").
 */
import { Reply } from "@zmq-ts/core"
import { isInterrupted, s_catch_signals } from "@zmq-ts/zhelpers"

const endpoint = process.argv[2]
if (endpoint === undefined) {
  console.log(`I: syntax: flserver2 <endpoint>`)
  process.exit(0)
}
const server = new Reply()
await server.bind(endpoint)

console.log(`I: service is ready at ${endpoint}`)
s_catch_signals()
try {
  while (true) {
    const request = await server.receive()
    //  Fail nastily if run against wrong client
    if (request.length !== 2) throw new Error(`E: expected [sequence, body], got ${request.length} frames`)

    const identity = request[0]!
    await server.send([identity, "OK"])
  }
} catch (error) {
  if (!isInterrupted(error)) throw error //  Interrupted
  console.log("W: interrupted")
}
server.close()
