import { describe, expect, it } from "vitest"
import { Pull, Push, Request } from "../src/index.js"
import { freePort } from "./helpers/transports.js"

// ZMQ_CONFLATE: a PULL that reads late sees only the newest message, over a stream and in-process.
//
//   PUSH ──0…99──▶ PULL(conflate) ──▶ "99"

describe("conflate", () => {
  // One-frame messages over a stream reach the pipe in runs (many per read); multipart ones one by one.
  for (const endpoint of ["tcp://127.0.0.1:*", "inproc://conflate-test"]) {
    for (const shape of ["two frames", "one frame"] as const) {
      it(`keeps only the newest whole message (${endpoint.split(":")[0]}, ${shape})`, async () => {
        await using pull = new Pull({ conflate: true })
        await pull.bind(endpoint)
        await using push = new Push()
        push.connect(pull.lastEndpoint!)
        for (let i = 0; i < 100; i++) await push.send(shape === "one frame" ? String(i) : ["part", String(i)])
        const deadline = Date.now() + 2000
        // Wait until the last message has arrived, then check it is the only one.
        let last: string | undefined
        while (Date.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, 20))
          if (!pull.readable) continue
          const message = (await pull.receive()).map(String)
          if (shape === "two frames") expect(message[0]).toBe("part")
          last = message.at(-1)
          if (last === "99") break
        }
        expect(last).toBe("99")
        expect(pull.readable).toBe(false)
      })
    }
  }

  // The sending side: a PUSH whose peer is not there yet keeps only its newest message, whether it was sent
  // as one frame or as several.
  for (const shape of ["one frame", "two frames"] as const) {
    it(`a conflating PUSH keeps only its newest message until the peer comes (${shape})`, async () => {
      const address = `tcp://127.0.0.1:${await freePort()}`
      await using push = new Push({ conflate: true })
      push.connect(address)
      for (let i = 0; i < 100; i++) await push.send(shape === "one frame" ? String(i) : ["part", String(i)])
      await using pull = new Pull()
      await pull.bind(address)
      const message = (await pull.receive()).map(String)
      expect(message).toEqual(shape === "one frame" ? ["99"] : ["part", "99"])
      await new Promise((resolve) => setTimeout(resolve, 100))
      expect(pull.readable).toBe(false)
    })
  }

  it("is not an option of the socket types zeromq.js does not conflate (REQ): the sealed socket refuses it", () => {
    expect(() => new Request({ conflate: true } as never)).toThrow(new TypeError("Cannot add property conflate, object is not extensible"))
  })
})
