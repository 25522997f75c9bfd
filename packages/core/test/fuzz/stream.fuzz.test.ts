/**
 * Fuzz target "stream": raw bytes into our STREAM socket (libzmq's raw engine) over loopback tcp. Seeds:
 * every stream the zmtp fuzz targets use (libzmq's tcp and ws sessions, both directions: greetings, HTTP
 * upgrade heads, frames), mutated and written in random chunks from a raw node:net client.
 *
 *   raw node:net ──mutated bytes──▶ our STREAM (bound tcp) ──[id, chunk]…──▶ test
 *                ◀──── "ok" ───────┘ (the reply, by id)
 *
 * Oracle: STREAM parses nothing, so it must pass the bytes through exactly: a connect notification, then
 * chunks from that id that concatenate to the input, a reply by id reaching the raw client, and a
 * disconnect notification when the client closes; the socket keeps serving connection after connection.
 */
import { afterAll, beforeAll, describe, it } from "vitest"
import fc from "fast-check"
import { Stream } from "../../src/index.js"
import { check, chunk, cuts, fuzzAsync, mutants, targetRuns } from "../../../zmtp/test/fuzz/fuzz-kit.js"
import { STREAMS } from "../../../zmtp/test/fuzz/sessions.js"
import { notification, receiveBytes } from "../stream/raw-peers.js"
import { rawConnection, within } from "./raw-connection.js"

const RUNS = targetRuns("stream", 250)
let stream: Stream

beforeAll(async () => {
  stream = new Stream({ receiveTimeout: 3000, sendTimeout: 3000, linger: 0, notify: true })
  await stream.bind("tcp://127.0.0.1:*")
})

afterAll(() => stream.close())

describe("fuzz: raw bytes into STREAM", () => {
  it("passes every byte through exactly, answers by id, and notifies the disconnect", async () => {
    await fuzzAsync("stream", RUNS, 1, fc.tuple(mutants(STREAMS.map((s) => s.bytes)), cuts), async ([mutant, cut]) => {
      const raw = await rawConnection(stream.lastEndpoint!)
      const id = await notification(stream)
      await raw.write(chunk(mutant.bytes, cut))
      const bytes = mutant.bytes.length === 0 ? Buffer.alloc(0) : await receiveBytes(stream, id, mutant.bytes.length)
      check(bytes.equals(mutant.bytes), () => `${bytes.length} bytes delivered differ from the ${mutant.bytes.length} sent`)
      await stream.send([id, "ok"])
      const deadline = Date.now() + 3000
      while (raw.received().length < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 1))
      check(raw.received().toString() === "ok", () => `the raw client got ${JSON.stringify(raw.received().toString())}`)
      raw.socket.end()
      check((await notification(stream)).equals(id), () => "the disconnect notification names another id")
      check(await within(raw.closed, 3000), () => "the connection did not close")
    })
  })
})
