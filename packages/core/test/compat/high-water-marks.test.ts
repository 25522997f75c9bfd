/**
 * High-water marks changed after connect apply to the pipes that exist (libzmq's test_sockopt_hwm; zeromq.js
 * relies on it): raised, they let more messages queue; lowered, they stop sends sooner.
 *
 *   inproc: each direction holds the writer's SNDHWM + the reader's RCVHWM
 *   tcp:    a connecter's pipe holds its SNDHWM while the peer is away
 */
import { describe, expect, it } from "vitest"
import { Pair, Pull, Push, ZmqError } from "../../src/index.js"
import { freePort } from "../helpers/transports.js"

/** Sends `count` messages, each allowed `timeout` ms; returns how many were accepted before one failed. */
async function sendUntilBlocked(socket: Push | Pair, count: number, timeout: number): Promise<number> {
  socket.sendTimeout = timeout
  for (let i = 0; i < count; i++) {
    try {
      await socket.send(`message ${i}`)
    } catch (error) {
      if (ZmqError.isInstance(error) && error.code === "EAGAIN") return i
      throw error
    }
  }
  return count
}

describe("high-water marks changed after connect", () => {
  it("inproc: raised to 5000 on both Pair sockets after connect, 2500 sends all go through", async () => {
    await using a = new Pair()
    await using b = new Pair()
    await a.bind("inproc://hwm-raised")
    b.connect("inproc://hwm-raised")
    for (const socket of [a, b]) {
      socket.sendHighWaterMark = 5000
      socket.receiveHighWaterMark = 5000
    }
    expect(await sendUntilBlocked(b, 2500, 1000)).toBe(2500)
    // And every one of them is there to read.
    a.receiveTimeout = 1000
    for (let i = 0; i < 2500; i++) expect(String((await a.receive())[0])).toBe(`message ${i}`)
  })

  it("inproc: lowered to 10 after connect, the sender stops at 10 + 10", async () => {
    await using pull = new Pull()
    await using push = new Push()
    await pull.bind("inproc://hwm-lowered")
    push.connect("inproc://hwm-lowered")
    push.sendHighWaterMark = 10
    pull.receiveHighWaterMark = 10
    expect(await sendUntilBlocked(push, 100, 0)).toBe(20)
  })

  it("inproc: raising the receiver's mark wakes a sender blocked at the old one", async () => {
    await using pull = new Pull({ receiveHighWaterMark: 5 })
    await using push = new Push({ sendHighWaterMark: 5 })
    await pull.bind("inproc://hwm-wake")
    push.connect("inproc://hwm-wake")
    expect(await sendUntilBlocked(push, 100, 0)).toBe(10)
    push.sendTimeout = -1
    const blocked = push.send("one more")
    pull.receiveHighWaterMark = 6
    await expect(blocked).resolves.toBeUndefined()
  })

  it("tcp: a connecter's mark lowered to 5 while its peer is away holds 5 messages", async () => {
    await using push = new Push()
    push.connect(`tcp://127.0.0.1:${await freePort()}`)
    push.sendHighWaterMark = 5
    expect(await sendUntilBlocked(push, 100, 0)).toBe(5)
    push.linger = 0
  })
})
