/**
 * ticlient — the Guide, chapter 4, "Disconnected Reliability (Titanic Pattern)" (ticlient.c): the Titanic
 * client example, the client side of RFC 9 TSP over a MajordomoClient on tcp://localhost:5555.
 *
 *   1. titanic.request ["echo", "Hello world"] → "200" + UUID ("I: request UUID [032] …")
 *   2. titanic.reply [UUID] every 5 s until "200" ("I: no reply yet, trying again..."), then "Reply: Hello world"
 *   3. titanic.close [UUID]
 *
 * A "400" ends it with "E: client fatal error, aborting", a "500" with "E: server fatal error, aborting"
 * (exit 1); no answer at all (the broker is gone: MajordomoClient's retries ran out) ends it quietly, as the
 * Guide's. `-v` traces the protocol. ZMQ_TS_EXAMPLE_SPEED=n makes the 5-second wait n times shorter.
 */
import { MajordomoClient } from "@zmq-ts/patterns"
import { s_catch_signals, s_interrupted, s_sleep } from "@zmq-ts/zhelpers"

const SPEED = Number(process.env.ZMQ_TS_EXAMPLE_SPEED ?? 1) || 1
const verbose = process.argv.length > 1 && process.argv[2] === "-v"
const session = new MajordomoClient("tcp://localhost:5555", { verbose })
s_catch_signals()

//  Calls a TSP service. Returns the response if successful (status code 200 OK), else undefined
async function s_service_call(service: string, request: readonly (Buffer | string)[]): Promise<Buffer[] | undefined> {
  const reply = await session.request(service, request)
  if (reply === undefined) {
    session.close()
    process.exit(0) //  Interrupted or failed
  }
  const status = reply.shift()!.toString()
  if (status === "200") return reply
  if (status === "400") {
    console.log("E: client fatal error, aborting")
    process.exit(1)
  }
  if (status === "500") {
    console.log("E: server fatal error, aborting")
    process.exit(1)
  }
  return undefined //  Didn't succeed; don't care why not
}

//  1. Send 'echo' request to Titanic
const reply = await s_service_call("titanic.request", ["echo", "Hello world"])
let uuid: Buffer | undefined
if (reply !== undefined) {
  uuid = reply[0]!
  console.log(`I: request UUID [${String(uuid.length).padStart(3, "0")}] ${uuid.toString()}`)
}
//  2. Wait until we get a reply
while (!s_interrupted && uuid !== undefined) {
  await s_sleep(100)
  const reply = await s_service_call("titanic.reply", [uuid])
  if (reply !== undefined) {
    console.log(`Reply: ${reply[reply.length - 1]!.toString()}`)
    //  3. Close request
    await s_service_call("titanic.close", [uuid])
    break
  } else {
    console.log("I: no reply yet, trying again...")
    await s_sleep(5000 / SPEED) //  Try again in 5 seconds
  }
}
session.close()
