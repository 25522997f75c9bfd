/**
 * SCATTER ↔ GATHER (RFC 49, draft) over tcp, ipc and inproc: libzmq's test_scatter_gather.
 *
 *   scatter ──"1"──▶ gather A       load-balanced, one message to each in turn
 *           ──"2"──▶ gather B
 */
import { describe, expect, it } from "vitest"
import { Gather, Scatter } from "../../src/draft.js"
import { track } from "../helpers/cleanup.js"
import { handshakes, TRANSPORTS } from "../helpers/transports.js"

for (const transport of TRANSPORTS) {
  describe(`SCATTER ↔ GATHER over ${transport.name}`, () => {
    it("load-balances over the gatherers (test_scatter_gather)", async () => {
      const scatter = track(new Scatter())
      const gather = track(new Gather())
      const gather2 = track(new Gather())
      await scatter.bind(transport.bindAddress())
      const both = handshakes(transport, scatter, 2)
      gather.connect(transport.connectAddress(scatter))
      gather2.connect(transport.connectAddress(scatter))
      await both
      await scatter.send("1")
      await scatter.send("2")
      const [a] = await gather.receive()
      const [b] = await gather2.receive()
      expect([a!.toString(), b!.toString()].sort()).toEqual(["1", "2"])
    })

    it("a gather that binds collects from several scatters, fair-queued", async () => {
      const gather = track(new Gather())
      await gather.bind(transport.bindAddress())
      const scatters = [track(new Scatter()), track(new Scatter())]
      for (const scatter of scatters) scatter.connect(transport.connectAddress(gather))
      for (const [i, scatter] of scatters.entries()) for (let n = 0; n < 3; n++) await scatter.send(`${i}:${n}`)
      const seen: string[] = []
      for (let i = 0; i < 6; i++) seen.push((await gather.receive())[0]!.toString())
      expect(seen.filter((text) => text.startsWith("0:"))).toEqual(["0:0", "0:1", "0:2"])
      expect(seen.filter((text) => text.startsWith("1:"))).toEqual(["1:0", "1:1", "1:2"])
    })
  })
}

describe("SCATTER/GATHER rules", () => {
  it("refuses a multipart send: EINVAL (test_scatter_gather_multipart_fails)", async () => {
    const scatter = track(new Scatter())
    const gather = track(new Gather())
    await scatter.bind("inproc://test-scatter-gather")
    gather.connect("inproc://test-scatter-gather")
    await expect(scatter.send(["1", "2"])).rejects.toMatchObject({ code: "EINVAL" })
  })

  it("a GATHER cannot send and a SCATTER cannot receive: ENOTSUP", async () => {
    await expect(track(new Gather()).send("x")).rejects.toMatchObject({ code: "ENOTSUP" })
    await expect(track(new Scatter()).receive()).rejects.toMatchObject({ code: "ENOTSUP" })
  })

  it("has conflate, as zeromq.js's Gather and Scatter: only the newest message is kept", async () => {
    const scatter = track(new Scatter({ conflate: true }))
    const gather = track(new Gather({ conflate: true }))
    await gather.bind("inproc://scatter-gather-conflate")
    scatter.connect("inproc://scatter-gather-conflate")
    for (let i = 0; i < 5; i++) await scatter.send(String(i))
    expect((await gather.receive())[0]!.toString()).toBe("4")
    expect(gather.readable).toBe(false)
  })

  it("reads libzmq's type numbers (GATHER 16, SCATTER 17) and threadSafe true", () => {
    const gather = track(new Gather())
    const scatter = track(new Scatter())
    expect([gather.type, scatter.type, gather.threadSafe, scatter.threadSafe]).toEqual([16, 17, true, true])
  })
})
