/**
 * The echoing side of a round trip alone: a raw REQ (lib/raw-peer.ts) connects to the zmq-ts REP whose
 * endpoint it reads from stdin, handshakes (ZMTP NULL, tcp or ipc), then sends pre-framed requests
 * (the empty delimiter, then `size` bytes) one at a time, each once the whole reply is in, and times them as
 * remote-lat does. Next to nothing per round trip on this side: the time above the raw ping-pong is the REP's.
 *
 * usage: raw-req <size> <count> <warmup-seconds> <seconds>
 */
import { args, finish, readEndpoints } from "../lib/child.js"
import { connectTo, frame } from "../lib/net-frames.js"
import { afterZmtpHandshake, clientHandshake } from "../lib/raw-peer.js"
import { timeRoundTrips } from "../lib/round-trips.js"

const [sizeText, countText, warmupText, secondsText] = args("raw-req <size> <count> <warmup-seconds> <seconds>", 4)
const size = Number(sizeText)
const [endpoint] = await readEndpoints()
const socket = await connectTo(endpoint!)
await clientHandshake(socket, "tcp", "REQ", "", "/")
/** The delimiter (a MORE frame with no body), then the body. */
const request = Buffer.concat([Buffer.from([0x01, 0x00]), frame(size)])
const end = Buffer.from([0x01, 0x00, 0x00, 0x00])
// Each reply is as long as its request.
let received = 0
let expected = 0
let waiting: (() => void) | undefined
socket.on(
  "data",
  afterZmtpHandshake((chunk) => {
    received += chunk.length
    if (waiting !== undefined && received >= expected) {
      const resolve = waiting
      waiting = undefined
      resolve()
    }
  }),
)
const roundTrip = (): Promise<void> =>
  new Promise<void>((resolve) => {
    expected += request.length
    waiting = resolve
    socket.write(request)
  })
const result = await timeRoundTrips(roundTrip, Number(warmupText), Number(secondsText), Number(countText))
socket.write(end)
await finish(result, () => socket.destroy())
