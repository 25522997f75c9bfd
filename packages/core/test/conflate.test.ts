import { describe, expect, it } from "vitest"
import { Pull, Push, Request, ZmqError } from "../src/index.js"

// ZMQ_CONFLATE: a PULL that reads late sees only the newest message, over a stream and in-process.
//
//   PUSH ──0…99──▶ PULL(conflate) ──▶ "99"

describe("conflate", () => {
  for (const endpoint of ["tcp://127.0.0.1:*", "inproc://conflate-test"]) {
    it(`keeps only the newest whole message (${endpoint.split(":")[0]})`, async () => {
      await using pull = new Pull({ conflate: true })
      await pull.bind(endpoint)
      await using push = new Push()
      push.connect(pull.lastEndpoint!)
      for (let i = 0; i < 100; i++) await push.send(["part", String(i)])
      const deadline = Date.now() + 2000
      // Wait until the last message has arrived, then check it is the only one.
      let last: string | undefined
      while (Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20))
        if (!pull.readable) continue
        const message = await pull.receive()
        expect(message.map(String)[0]).toBe("part")
        last = String(message[1])
        if (last === "99") break
      }
      expect(last).toBe("99")
      expect(pull.readable).toBe(false)
    })
  }

  it("is refused on socket types libzmq does not conflate", () => {
    try {
      new Request({ conflate: true })
      expect.unreachable()
    } catch (error) {
      expect(ZmqError.isInstance(error) && error.code).toBe("ENOTSUP")
    }
  })
})
