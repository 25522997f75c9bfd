/**
 * flserver3 — the Guide, chapter 4, "Model Three: Complex and Nasty" (flserver3.c): a Freelance server
 * speaking RFC 10/FLP, on @zmq-ts/patterns' FreelanceServer: a ROUTER bound to tcp://*:5555 whose routing id
 * is its public endpoint, tcp://localhost:5555, so that clients' ROUTERs can address it. It answers PING
 * with PONG and every request [CCF, body…] with [CCF, "OK"].
 *
 *   flclient3 (FreelanceClient, ROUTER) ──[CCF, "random name"] / PING──▶ flserver3 tcp://*:5555 (ROUTER)
 *
 * `flserver3 -v` dumps each request it gets. A zmq-ts extension, so that the three servers flclient3 talks
 * to can run side by side: `flserver3 [-v] [bind endpoint]`, e.g. `flserver3 tcp://*:5556` (identity
 * tcp://localhost:5556); the Guide's program always binds 5555. Ctrl-C ends it ("W: interrupted").
 */
import { FreelanceServer } from "@zmq-ts/patterns"
import { formatFrame, s_catch_signals } from "@zmq-ts/zhelpers"

const args = process.argv.slice(2)
const verbose = args.includes("-v")

//  Prepare server socket with predictable identity
const bind_endpoint = args.find((arg) => arg !== "-v") ?? "tcp://*:5555"
const connect_endpoint = bind_endpoint.replace("//*:", "//localhost:")
const server = new FreelanceServer({
  bind: bind_endpoint,
  identity: connect_endpoint,
  //  Frame 0: identity of client
  //  Frame 1: PING, or client control frame
  //  Frame 2: request body
  onEvent: (event) => {
    if (!verbose || event.type !== "request") return
    console.log("----------------------------------------")
    for (const frame of [event.client, event.control, ...event.body]) console.log(formatFrame(frame))
  },
})
await server.start()
console.log(`I: service is ready at ${bind_endpoint}`)

s_catch_signals()
await server.done() //  Until interrupted
console.log("W: interrupted")
