/**
 * The timing side of a PUB/SUB round-trip run: its PUB connects to the echoing side's SUB (first endpoint
 * read from stdin), its SUB (subscribed to everything) to the echoing side's PUB (second endpoint). PUB
 * drops what no subscription wants yet, so it first sends probes (first byte `p`) until one comes back,
 * which proves both subscriptions arrived; a probe that comes back late is skipped by every later receive.
 * Then round trips of `size` bytes, one at a time, timed as remote-lat times REQ↔REP (lib/round-trips.ts).
 * Ends with the empty end message.
 *
 * usage: remote-lat-pubsub <zmq-ts|zeromq.js> <size> <count> <warmup-seconds> <seconds>
 */
import { args, body, fail, finish, now, readEndpoints } from "../lib/child.js"
import { timeRoundTrips } from "../lib/round-trips.js"
import { loadZmq } from "../lib/zmq.js"

const [impl, sizeText, countText, warmupText, secondsText] = args("remote-lat-pubsub <impl> <size> <count> <warmup-seconds> <seconds>", 5)
const size = Number(sizeText)
if (!(size >= 1)) fail("the probe needs a size of at least 1 byte")
const [subEndpoint, pubEndpoint] = await readEndpoints()
if (pubEndpoint === undefined) fail("need two endpoints (the echoing side's SUB and PUB)")

/** Probes retry this often; a probe not back by then was dropped at a PUB with no subscription yet. */
const PROBE_MS = 100
const PROBE_GIVE_UP_SECONDS = 10
const PROBE = 0x70 // "p"

const zmq = await loadZmq(impl)
const publisher = new zmq.Publisher()
publisher.connect(subEndpoint!)
const subscriber = new zmq.Subscriber({ receiveTimeout: PROBE_MS })
subscriber.subscribe()
subscriber.connect(pubEndpoint)

const probe = Buffer.alloc(size, PROBE)
const giveUp = now() + PROBE_GIVE_UP_SECONDS
for (let back = false; !back; ) {
  if (now() > giveUp) fail(`no probe came back in ${PROBE_GIVE_UP_SECONDS} s`)
  await publisher.send(probe)
  try {
    await subscriber.receive()
    back = true
  } catch {
    // timed out: a subscription had not arrived yet
  }
}
subscriber.receiveTimeout = 10_000

const request = body(size)
/** The next message that is not a late probe. */
const receive = async (): Promise<Buffer> => {
  for (;;) {
    const [message] = await subscriber.receive()
    if (message!.length === 0 || message![0] !== PROBE) return message as Buffer
  }
}
const roundTrip = async (): Promise<void> => {
  await publisher.send(request)
  const reply = await receive()
  if (reply.length !== size) fail(`reply of ${reply.length} bytes, expected ${size}`)
}

const result = await timeRoundTrips(roundTrip, Number(warmupText), Number(secondsText), Number(countText))
await publisher.send(Buffer.alloc(0))
await receive()
await finish(result, () => {
  for (const socket of [publisher, subscriber]) {
    socket.linger = 0
    socket.close()
  }
})
