/**
 * lpclient — the Guide, chapter 4, "Client-Side Reliability (Lazy Pirate Pattern)": a REQ client that polls
 * for each reply, resends the request after REQUEST_TIMEOUT (2500 ms), and abandons after REQUEST_RETRIES
 * (3) sends. Each resend goes out on a new socket (a REQ that got no reply is stuck in its lockstep): that is
 * @zmq-ts/patterns' LazyPirateClient.
 *
 *   lpclient (REQ, reopened on each retry) ──▶ tcp://localhost:5555 ◀── lpserver (REP) | spqueue | ppqueue
 *
 * Requests are sequence numbers, and a reply must echo its request's number (the Guide's check that no reply
 * is lost, doubled or out of order); anything else is "E: malformed reply from server". Runs until it
 * abandons (exit 0) or Ctrl-C.
 *
 * ZMQ_TS_EXAMPLE_SPEED=n makes the timeout n times shorter; ZMQ_TS_EXAMPLE_REQUESTS=N stops (exit 0) after N
 * replies (the tests use both).
 */
import { LazyPirateClient, PatternError, PatternErrorCode } from "@zmq-ts/patterns"
import { isInterrupted, s_catch_signals } from "@zmq-ts/zhelpers"

const SPEED = Number(process.env.ZMQ_TS_EXAMPLE_SPEED) > 0 ? Number(process.env.ZMQ_TS_EXAMPLE_SPEED) : 1
const REQUEST_TIMEOUT = Math.round(2500 / SPEED) //  msecs, (> 1000!)
const REQUEST_RETRIES = 3 //  Before we abandon
const SERVER_ENDPOINT = "tcp://localhost:5555"
const REQUESTS = Number(process.env.ZMQ_TS_EXAMPLE_REQUESTS) > 0 ? Number(process.env.ZMQ_TS_EXAMPLE_REQUESTS) : Infinity

s_catch_signals()
console.log("I: connecting to server...")
const client = new LazyPirateClient({
  endpoint: SERVER_ENDPOINT,
  timeout: REQUEST_TIMEOUT,
  retries: REQUEST_RETRIES,
  //  We got a reply from the server, must match sequence
  matches: ([reply], [request]) => reply !== undefined && Number(reply.toString()) === Number(request!.toString()),
  onEvent: (event) => {
    if (event.type === "mismatch") console.log(`E: malformed reply from server: ${event.reply[0]?.toString() ?? ""}`)
    else if (event.type === "retry") {
      console.log("W: no response from server, retrying...")
      console.log("I: reconnecting to server...")
    } else console.log("E: server seems to be offline, abandoning")
  },
})
process.once("SIGINT", () => client.close())

try {
  for (let sequence = 1; sequence <= REQUESTS; sequence++) {
    const [reply] = await client.request(String(sequence))
    console.log(`I: server replied OK (${reply!.toString()})`)
  }
} catch (error) {
  const abandoned = PatternError.isInstance(error) && (error.code === PatternErrorCode.TIMEOUT || error.code === PatternErrorCode.CLOSED)
  if (!abandoned && !isInterrupted(error)) throw error
}
client.close()
