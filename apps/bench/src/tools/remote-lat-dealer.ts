/**
 * The timing side of a DEALER↔ROUTER latency run: a DEALER connects to the endpoint read from stdin and
 * makes one round trip of `size` bytes at a time (send, then wait for the ROUTER's echo), timed as
 * remote-lat times REQ↔REP (lib/round-trips.ts). Ends with the empty end message.
 *
 * usage: remote-lat-dealer <zmq-ts|zeromq.js> <size> <count> <warmup-seconds> <seconds>
 */
import { args, body, fail, finish, readEndpoints } from "../lib/child.js"
import { timeRoundTrips } from "../lib/round-trips.js"
import { loadZmq } from "../lib/zmq.js"

const [impl, sizeText, countText, warmupText, secondsText] = args("remote-lat-dealer <impl> <size> <count> <warmup-seconds> <seconds>", 5)
const size = Number(sizeText)
const [endpoint] = await readEndpoints()

const zmq = await loadZmq(impl)
const dealer = new zmq.Dealer({ receiveTimeout: 10_000 })
dealer.connect(endpoint!)
const request = body(size)
const roundTrip = async (): Promise<void> => {
  await dealer.send(request)
  const [reply] = await dealer.receive()
  if (reply!.length !== size) fail(`reply of ${reply!.length} bytes, expected ${size}`)
}

const result = await timeRoundTrips(roundTrip, Number(warmupText), Number(secondsText), Number(countText))
await dealer.send(Buffer.alloc(0))
await dealer.receive()
await finish(result, () => {
  dealer.linger = 0
  dealer.close()
})
