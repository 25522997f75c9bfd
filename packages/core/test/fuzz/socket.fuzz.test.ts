/**
 * Fuzz target "socket": a core ZMTP socket fed mutated sessions over a real loopback connection, while a
 * good peer keeps using it (libzmq's test_bad_* tests, at random). Seeds: libzmq's tcp client→server
 * streams (NULL and PLAIN, DEALER/REQ/SUB, 3.0 and 3.1), mutated and written in random chunks.
 *
 *   raw node:net ── mutated session, then FIN ──▶ our ROUTER (bound tcp) ◀── our DEALER "good-peer"
 *                                                      │ echo
 *                                                      └──────────────────▶ DEALER
 *
 * Oracle: the raw connection is closed by our side after its FIN at the latest; every message the ROUTER
 * delivers from a raw connection is a whole message its bytes hold (an independent reading of the frames;
 * its input or, as pipes deliver a little later, one of the two before); nothing is thrown or left
 * unhandled; after each input the good peer's message still arrives, unchanged, and is echoed back.
 */
import { afterAll, beforeAll, describe, it } from "vitest"
import fc from "fast-check"
import { Dealer, Router } from "../../src/index.js"
import { referenceMessages } from "../../../zmtp/test/fuzz/connection-oracle.js"
import { check, chunk, cuts, fuzzAsync, mutants, sameBytes, targetRuns } from "../../../zmtp/test/fuzz/fuzz-kit.js"
import { streams } from "../../../zmtp/test/fuzz/sessions.js"
import { rawConnection, within } from "./raw-connection.js"

const RUNS = targetRuns("socket", 500)
const SEEDS = streams("tcp").filter((s) => s.receiver === "server")
let router: Router
let good: Dealer

beforeAll(async () => {
  router = new Router({ receiveTimeout: 3000, sendTimeout: 3000, linger: 0 })
  await router.bind("tcp://127.0.0.1:*")
  good = new Dealer({ routingId: "good-peer", receiveTimeout: 3000, sendTimeout: 3000, linger: 0 })
  good.connect(router.lastEndpoint!)
})

afterAll(() => {
  good.close()
  router.close()
})

const isWholeMessageOf = (frames: readonly Uint8Array[], reference: readonly Uint8Array[][]): boolean =>
  reference.some((message) => message.length === frames.length && message.every((frame, i) => sameBytes(frame, frames[i]!)))

describe("fuzz: a ROUTER fed mutated sessions", () => {
  it("closes the bad connection, delivers only whole messages from it, and keeps serving the good peer", async () => {
    let round = 0
    const recent: Uint8Array[][][] = []
    await fuzzAsync("socket", RUNS, 1, fc.tuple(mutants(SEEDS.map((s) => s.bytes)), cuts), async ([mutant, cut]) => {
      const raw = await rawConnection(router.lastEndpoint!)
      await raw.write(chunk(mutant.bytes, cut))
      raw.socket.end()
      check(await within(raw.closed, 3000), () => "our side did not close the connection after the peer's FIN")
      const tag = String(round++)
      await good.send(["good", tag])
      // What the raw connection delivers reaches the ROUTER through its pipe a little later, and the ROUTER
      // fair-queues its pipes: a message of this input may come after the good one, or in the next round.
      // So a message from a raw connection must be whole in this input or one of the two before it.
      // A SUBSCRIBE/CANCEL command reaches a ROUTER as its body, a message of its own (libzmq's
      // session_base_t::push_msg passes it on; a zeromq.js ROUTER reads [id, "\x09SUBSCRIBE" + topic]).
      recent.push(referenceMessages(mutant.bytes, 64, { subscriptions: "as-commands" }))
      if (recent.length > 3) recent.shift()
      const fromRaw = (frames: readonly Uint8Array[]): void =>
        check(
          recent.some((reference) => isWholeMessageOf(frames, reference)),
          () => `a message the bytes do not hold whole: ${frames.map((f) => Buffer.from(f).toString("hex").slice(0, 80)).join(" | ")}`,
        )
      for (;;) {
        const [id, ...frames] = await router.receive()
        if (id!.toString() !== "good-peer") {
          fromRaw(frames)
          continue
        }
        check(frames.length === 2 && frames[0]!.toString() === "good" && frames[1]!.toString() === tag, () => `the good peer's message ${tag} arrived as ${JSON.stringify(frames.map(String))}`)
        break
      }
      router.receiveTimeout = 0
      try {
        for (;;) {
          const [id, ...frames] = await router.receive()
          check(id!.toString() !== "good-peer", () => "a second message from the good peer")
          fromRaw(frames)
        }
      } catch (error) {
        if ((error as { code?: string }).code !== "EAGAIN") throw error
      } finally {
        router.receiveTimeout = 3000
      }
      await router.send(["good-peer", "echo", tag])
      const [echo, back] = await good.receive()
      check(echo!.toString() === "echo" && back!.toString() === tag, () => "the good peer's echo changed")
    })
  })
})
