/**
 * remote_lat: the timing side of a latency run. Connects a REQ socket (or, for `net`, a socket; over ws://
 * one that does the upgrade and sends masked ZWS frames, lib/net-ws.ts) to the
 * endpoint read from stdin, warms up for `warmup` seconds (connection, JIT), then times `count` round trips
 * of `size` bytes, or as many as fit in `seconds`, and reports the mean round trip. Ends with the empty end
 * message.
 *
 * usage: remote-lat <zmq-ts|zeromq.js|net> <size> <count> <warmup-seconds> <seconds>
 */
import { args, body, fail, finish, readEndpoints } from "../lib/child.js"
import { connectTo, END_FRAME, frame, FrameCounter } from "../lib/net-frames.js"
import { connectWs, MASKED_END_FRAME, maskedMessageFrame, WsFrameCounter } from "../lib/net-ws.js"
import { timeRoundTrips } from "../lib/round-trips.js"
import { loadZmq } from "../lib/zmq.js"

const [impl, sizeText, countText, warmupText, secondsText] = args("remote-lat <impl> <size> <count> <warmup-seconds> <seconds>", 5)
const size = Number(sizeText)
const count = Number(countText)
const seconds = Number(secondsText)
const [endpoint] = await readEndpoints()

let roundTrip: () => Promise<void>
let end: () => Promise<void>
let cleanup: () => void

if (impl === "net") {
  const ws = endpoint!.startsWith("ws://")
  const socket = ws ? await connectWs(endpoint!) : await connectTo(endpoint!)
  const counter = ws ? new WsFrameCounter() : new FrameCounter()
  const request = ws ? maskedMessageFrame(size) : frame(size)
  let waiting: (() => void) | undefined
  let expected = 0
  socket.on("data", (chunk: Buffer) => {
    counter.feed(chunk)
    if (counter.frames >= expected && waiting !== undefined) {
      const resolve = waiting
      waiting = undefined
      resolve()
    }
  })
  roundTrip = () =>
    new Promise<void>((resolve) => {
      expected++
      waiting = resolve
      socket.write(request)
    })
  end = async () => {
    socket.write(ws ? MASKED_END_FRAME : END_FRAME)
  }
  cleanup = () => socket.destroy()
} else {
  const zmq = await loadZmq(impl)
  const requester = new zmq.Request({ receiveTimeout: 10_000 })
  requester.connect(endpoint!)
  const request = body(size)
  roundTrip = async () => {
    await requester.send(request)
    const [reply] = await requester.receive()
    if (reply!.length !== size) fail(`reply of ${reply!.length} bytes, expected ${size}`)
  }
  end = async () => {
    await requester.send(Buffer.alloc(0))
    await requester.receive()
  }
  cleanup = () => {
    requester.linger = 0
    requester.close()
  }
}

const result = await timeRoundTrips(roundTrip, Number(warmupText), seconds, count)
await end()
await finish(result, cleanup)
