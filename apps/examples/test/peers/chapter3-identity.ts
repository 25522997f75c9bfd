/**
 * A libzmq peer (zeromq.js v6): the Guide's chapter 3 identity.c, printing each message the ROUTER receives
 * as s_dump does, so the test can set libzmq's envelopes beside ours.
 */
import * as zmq from "zeromq"

function dump(frames: Buffer[]): void {
  console.log("----------------------------------------")
  for (const frame of frames) {
    const text = [...frame].every((byte) => byte >= 32 && byte < 127)
    console.log(`[${String(frame.length).padStart(3, "0")}] ${text ? frame.toString("latin1") : frame.toString("hex").toUpperCase()}`)
  }
}

const sink = new zmq.Router({ linger: 0 })
await sink.bind("inproc://example")
const anonymous = new zmq.Request({ linger: 0 })
anonymous.connect("inproc://example")
await anonymous.send("ROUTER uses a generated 5 byte identity")
dump(await sink.receive())
const identified = new zmq.Request({ linger: 0, routingId: "PEER2" })
identified.connect("inproc://example")
await identified.send("ROUTER socket uses REQ's socket identity")
dump(await sink.receive())
sink.close()
anonymous.close()
identified.close()
