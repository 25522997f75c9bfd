/**
 * Process lifetime over udp, zeromq.js's rule: idle sockets, bound or connected, do not keep a process
 * alive; what a RADIO or a Datagram was given before the program ended still goes out (the datagrams are
 * handed to the OS before the process exits), even sent and closed at once.
 */
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"
import { Datagram, Dish } from "../../src/draft.js"
import { runChild } from "../helpers/child-script.js"
import { freeUdpPort, track } from "./udp-helpers.js"

const DRAFT = JSON.stringify(fileURLToPath(new URL("../../src/draft.ts", import.meta.url)))

describe("udp and process lifetime", () => {
  it("a program that binds a DISH and a Datagram and does nothing else exits at once", async () => {
    const run = await runChild(
      `import { Datagram, Dish } from ${DRAFT}
       const dish = new Dish()
       await dish.bind("udp://127.0.0.1:*")
       dish.join("g")
       const datagram = new Datagram()
       await datagram.bind("udp://127.0.0.1:*")
       console.log("BOUND")`,
      { timeoutMs: 10_000 },
    )
    expect(run.timedOut).toBe(false)
    expect(run.code).toBe(0)
    expect(run.stdout).toContain("BOUND")
  })

  it("a RADIO that connects, sends and closes at once still delivers, then the process exits", async () => {
    const port = await freeUdpPort()
    const dish = track(new Dish())
    await dish.bind(`udp://127.0.0.1:${port}`)
    dish.join("g")
    const received = (async () => {
      const bodies: string[] = []
      for (let i = 0; i < 3; i++) bodies.push((await dish.receive())[0].toString())
      return bodies
    })()
    const run = await runChild(
      `import { Radio } from ${DRAFT}
       const radio = new Radio()
       radio.connect("udp://127.0.0.1:${port}")
       for (let i = 0; i < 3; i++) await radio.send("last words " + i, { group: "g" })
       radio.close()`,
      { timeoutMs: 10_000 },
    )
    expect(run.timedOut).toBe(false)
    expect(run.code).toBe(0)
    expect(await received).toEqual(["last words 0", "last words 1", "last words 2"])
  })

  it("a Datagram that sends and closes at once still delivers, then the process exits", async () => {
    const listener = track(new Datagram())
    await listener.bind("udp://127.0.0.1:*")
    const run = await runChild(
      `import { Datagram } from ${DRAFT}
       const datagram = new Datagram()
       await datagram.bind("udp://127.0.0.1:*")
       await datagram.send([${JSON.stringify(listener.lastEndpoint!.slice(6))}, "bye"])
       datagram.close()`,
      { timeoutMs: 10_000 },
    )
    expect(run.timedOut).toBe(false)
    expect(run.code).toBe(0)
    expect((await listener.receive())[1]!.toString()).toBe("bye")
  })
})
