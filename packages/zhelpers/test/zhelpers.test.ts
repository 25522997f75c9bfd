import { spawn } from "node:child_process"
import { fileURLToPath } from "node:url"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { Dealer, Pair, Router } from "@zmq-ts/core"
import { formatFrame, s_dump, s_rcvmore, s_recv, s_recv_frame, s_send, s_sendmore, s_set_id, s_version } from "../src/index.js"

describe("zhelpers", () => {
  it("s_send then s_recv gives back any string, any Unicode, byte for byte in UTF-8 with no trailing NUL", async () => {
    await using a = new Pair()
    await using b = new Pair()
    await a.bind("inproc://zhelpers-roundtrip")
    b.connect("inproc://zhelpers-roundtrip")
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: "grapheme", maxLength: 200 }), async (text) => {
        await s_send(b, text)
        const frame = await s_recv_frame(a)
        expect(frame.equals(Buffer.from(text, "utf8"))).toBe(true)
        await s_send(b, text)
        expect(await s_recv(a)).toBe(text)
      }),
      { numRuns: 200 },
    )
  })

  it("s_recv of bytes that are not UTF-8 replaces them instead of failing; s_recv_frame keeps them", async () => {
    await using a = new Pair()
    await using b = new Pair()
    await a.bind("inproc://zhelpers-binary")
    b.connect("inproc://zhelpers-binary")
    const bytes = Buffer.from([0x66, 0xff, 0xfe, 0x6f, 0xc3])
    await b.send(bytes)
    expect(await s_recv(a)).toBe("f\ufffd\ufffdo\ufffd")
    await b.send(bytes)
    expect((await s_recv_frame(a)).equals(bytes)).toBe(true)
  })

  it("s_sendmore + s_send make one multipart message; s_recv and s_rcvmore walk its frames", async () => {
    await using a = new Pair()
    await using b = new Pair()
    await a.bind("inproc://zhelpers-parts")
    b.connect("inproc://zhelpers-parts")
    await s_sendmore(b, "A")
    await s_sendmore(b, "")
    await s_send(b, "We would like to see this")
    expect(await s_recv(a)).toBe("A")
    expect(s_rcvmore(a)).toBe(true)
    expect(await s_recv(a)).toBe("")
    expect(await s_recv(a)).toBe("We would like to see this")
    expect(s_rcvmore(a)).toBe(false)
  })

  it("s_dump prints text frames as text and binary frames as uppercase hex, like the C helper", async () => {
    expect(formatFrame(Buffer.from("Hello"))).toBe("[005] Hello")
    expect(formatFrame(Buffer.from([0, 0x80, 0, 0, 0x29]))).toBe("[005] 0080000029")
    expect(formatFrame(Buffer.alloc(0))).toBe("[000] ")
    await using router = new Router()
    await router.bind("inproc://zhelpers-dump")
    await using dealer = new Dealer({ routingId: "A" })
    dealer.connect("inproc://zhelpers-dump")
    await dealer.send(["", "ROUTER uses a generated id"])
    const lines: string[] = []
    await s_dump(router, (line) => lines.push(line))
    expect(lines).toEqual(["----------------------------------------", "[001] A", "[000] ", "[026] ROUTER uses a generated id"])
  })

  it("s_set_id gives a printable XXXX-XXXX routing id", async () => {
    await using dealer = new Dealer()
    const id = s_set_id(dealer)
    expect(id).toMatch(/^[0-9A-F]{4}-[0-9A-F]{4}$/)
    expect(dealer.routingId).toBe(id)
    expect(s_version()).toEqual([4, 3, 5])
  })

  it("s_catch_signals: SIGINT interrupts a blocked receive with EINTR, the loop ends and the process exits 0", async () => {
    const script = fileURLToPath(new URL("./fixtures/signal-loop.ts", import.meta.url))
    // node --import tsx (not the tsx CLI, which stands between us and the process when relaying signals).
    const child = spawn(process.execPath, ["--conditions=@zmq-ts/source", "--import", "tsx", script], {
      cwd: fileURLToPath(new URL("..", import.meta.url)),
      stdio: ["ignore", "pipe", "pipe"],
    })
    let out = ""
    let err = ""
    child.stderr.on("data", (chunk: Buffer) => (err += chunk.toString()))
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString()
      if (out.includes("ready")) child.kill("SIGINT")
    })
    const code = await new Promise<number | null>((resolve) => child.on("exit", resolve))
    expect(out, err).toContain("W: interrupt received")
    expect(code).toBe(0)
  }, 15_000)
})
