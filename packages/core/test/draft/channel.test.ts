/**
 * CHANNEL ↔ CHANNEL (RFC 52, draft) over tcp, ipc and inproc: libzmq's test_channel. A thread-safe PAIR:
 * one peer, single-part messages.
 */
import { describe, expect, it } from "vitest"
import { Channel } from "../../src/draft.js"
import { track } from "../helpers/cleanup.js"
import { handshakes, TRANSPORTS } from "../helpers/transports.js"

for (const transport of TRANSPORTS) {
  describe(`CHANNEL ↔ CHANNEL over ${transport.name}`, () => {
    it("carries messages both ways (test_roundtrip)", async () => {
      const sb = track(new Channel())
      const sc = track(new Channel())
      await sb.bind(transport.bindAddress())
      sc.connect(transport.connectAddress(sb))
      await sb.send("HELLO")
      expect((await sc.receive())[0]!.toString()).toBe("HELLO")
      await sc.send("WORLD")
      expect((await sb.receive())[0]!.toString()).toBe("WORLD")
    })

    it("refuses a second peer; the first keeps working", async () => {
      const sb = track(new Channel())
      await sb.bind(transport.bindAddress())
      const first = track(new Channel())
      const up = handshakes(transport, sb)
      first.connect(transport.connectAddress(sb))
      await up
      const second = track(new Channel({ linger: 0 }))
      second.connect(transport.connectAddress(sb))
      void second.send("from the second").catch(() => undefined)
      await first.send("from the first")
      expect((await sb.receive())[0]!.toString()).toBe("from the first")
      await sb.send("back")
      expect((await first.receive())[0]!.toString()).toBe("back")
    })
  })
}

describe("CHANNEL rules", () => {
  it("refuses a multipart send: EINVAL (test_sndmore_fails)", async () => {
    const sb = track(new Channel())
    const sc = track(new Channel())
    await sb.bind("inproc://channel-sndmore")
    sc.connect("inproc://channel-sndmore")
    await expect(sc.send(["X", "Y"])).rejects.toMatchObject({ code: "EINVAL" })
  })

  it("reads libzmq's type number (CHANNEL 20) and threadSafe true", () => {
    const channel = track(new Channel())
    expect([channel.type, channel.threadSafe]).toEqual([20, true])
  })
})
