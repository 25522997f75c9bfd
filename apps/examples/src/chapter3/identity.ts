/**
 * identity — the Guide, chapter 3, "The Extended Reply Envelope" (identity.c): what a ROUTER puts in front of
 * each message it receives.
 *
 *   REQ (no identity)      ──▶ ROUTER inproc://example   [5-byte id made up by the ROUTER][empty][body]
 *   REQ (identity "PEER2") ──▶                           [PEER2][empty][body]
 *
 * Prints the two messages as s_dump shows them: the generated identity is 5 bytes (a 0 byte, then a 32-bit
 * counter, as libzmq makes them), the one the REQ chose is its ZMQ_IDENTITY (`routingId`).
 */
import { Request, Router } from "@zmq-ts/core"
import { s_dump, s_send } from "@zmq-ts/zhelpers"

const sink = new Router()
await sink.bind("inproc://example")

//  First allow 0MQ to set the identity
const anonymous = new Request()
anonymous.connect("inproc://example")
await s_send(anonymous, "ROUTER uses a generated 5 byte identity")
await s_dump(sink)

//  Then set the identity ourselves
const identified = new Request({ routingId: "PEER2" })
identified.connect("inproc://example")
await s_send(identified, "ROUTER socket uses REQ's socket identity")
await s_dump(sink)

sink.close()
anonymous.close()
identified.close()
