/**
 * libzmq 4.3.5's draft option numbers in the v5 compatibility API (`@zmq-ts/core/v5-compat`): zmq_draft.h's
 * values, set and read through `setsockopt`/`getsockopt` onto the v6 properties (a zmq-ts extension:
 * zeromq.js's compatibility layer answers "Unknown option" for them).
 */
import { describe, expect, it } from "vitest"
import * as zmq from "../../src/v5-compat.js"
import { bound, collect, socketsClosedAfterEach } from "../helpers/v5-sockets.js"

const open = socketsClosedAfterEach()

describe("v5-compat: the draft option numbers", () => {
  it("have zmq_draft.h's values", () => {
    expect([
      zmq.ZMQ_ROUTER_NOTIFY,
      zmq.ZMQ_XPUB_MANUAL_LAST_VALUE,
      zmq.ZMQ_ONLY_FIRST_SUBSCRIBE,
      zmq.ZMQ_RECONNECT_STOP,
      zmq.ZMQ_HELLO_MSG,
      zmq.ZMQ_DISCONNECT_MSG,
      zmq.ZMQ_HICCUP_MSG,
      zmq.ZMQ_TOPICS_COUNT,
    ]).toEqual([97, 98, 108, 109, 110, 111, 114, 116])
    expect([zmq.ZMQ_NOTIFY_CONNECT, zmq.ZMQ_NOTIFY_DISCONNECT]).toEqual([1, 2])
    expect([zmq.ZMQ_RECONNECT_STOP_CONN_REFUSED, zmq.ZMQ_RECONNECT_STOP_HANDSHAKE_FAILED, zmq.ZMQ_RECONNECT_STOP_AFTER_DISCONNECT]).toEqual([1, 2, 4])
  })

  it("set and read the v6 options, with their checks", () => {
    const router = open("router")
    router.setsockopt(zmq.ZMQ_ROUTER_NOTIFY, zmq.ZMQ_NOTIFY_CONNECT | zmq.ZMQ_NOTIFY_DISCONNECT)
    expect(router.getsockopt(zmq.ZMQ_ROUTER_NOTIFY)).toBe(3)
    expect(() => router.setsockopt(zmq.ZMQ_ROUTER_NOTIFY, 4)).toThrow(expect.objectContaining({ code: "EINVAL" }))
    router.setsockopt(zmq.ZMQ_RECONNECT_STOP, zmq.ZMQ_RECONNECT_STOP_HANDSHAKE_FAILED)
    expect(router.getsockopt(zmq.ZMQ_RECONNECT_STOP)).toBe(2)
    router.setsockopt(zmq.ZMQ_DISCONNECT_MSG, Buffer.from("gone"))
    expect(router.getsockopt(zmq.ZMQ_DISCONNECT_MSG)).toBe("gone")
    const dealer = open("dealer")
    dealer.setsockopt(zmq.ZMQ_HICCUP_MSG, "hiccup")
    expect(dealer.getsockopt(zmq.ZMQ_HICCUP_MSG)).toBe("hiccup")
    const xpub = open("xpub")
    xpub.setsockopt(zmq.ZMQ_XPUB_MANUAL_LAST_VALUE, 1)
    expect(xpub.getsockopt(zmq.ZMQ_XPUB_MANUAL_LAST_VALUE)).toBe(1)
    xpub.setsockopt(zmq.ZMQ_ONLY_FIRST_SUBSCRIBE, 1)
    expect(xpub.getsockopt(zmq.ZMQ_ONLY_FIRST_SUBSCRIBE)).toBe(1)
    expect(xpub.getsockopt(zmq.ZMQ_TOPICS_COUNT)).toBe(0)
    expect(() => xpub.setsockopt(zmq.ZMQ_TOPICS_COUNT, 1)).toThrow(new Error("Unknown option"))
  })

  it("act: a v5 ROUTER with ZMQ_ROUTER_NOTIFY and ZMQ_HELLO_MSG, and a v5 DEALER", async () => {
    const router = open("router")
    router.setsockopt(zmq.ZMQ_ROUTER_NOTIFY, zmq.ZMQ_NOTIFY_CONNECT)
    router.setsockopt(zmq.ZMQ_HELLO_MSG, "welcome")
    const endpoint = await bound(router, "tcp://127.0.0.1:*")
    const dealer = open("dealer")
    dealer.setsockopt(zmq.ZMQ_IDENTITY, "d1")
    const hello = collect(dealer, 1)
    const notified = collect(router, 1)
    dealer.connect(endpoint)
    expect(await notified).toEqual([["d1", ""]])
    expect(await hello).toEqual([["welcome"]])
  })
})
