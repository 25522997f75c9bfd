/**
 * Random input never takes the ZAP handler down (mqtt-packet's random-input test, in ZAP's terms): any
 * frames after the delimiter get exactly one well-formed reply, messages with no delimiter get none, and a
 * plain request afterwards is still answered.
 *
 *   ZapPeer (DEALER) ── "", random frames… ──▶ Authenticator (ROUTER), every policy configured
 */
import { Buffer } from "node:buffer"
import { randomBytes } from "node:crypto"
import fc from "fast-check"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { Context } from "../../src/index.js"
import { Authenticator } from "../../src/auth.js"
import { ZapPeer } from "./zap-peer.js"

let context: Context
let auth: Authenticator
let peer: ZapPeer
let sentinel = 0
const KEY = randomBytes(32)

beforeAll(async () => {
  context = new Context()
  auth = new Authenticator({ context })
  auth.allow("127.0.0.1", "10.0.0.0/8", "::1")
  auth.configurePlain({ admin: "secret" })
  auth.configurePlain("cb", async (username) => {
    if (username === "throw") throw new Error("boom")
    return username === "ok"
  })
  auth.configureCurve([KEY])
  auth.configureCurve("any", "*")
  await auth.start()
  peer = new ZapPeer(context)
})

afterAll(async () => {
  await peer[Symbol.asyncDispose]()
  await auth.stop()
  context.terminate()
})

/** Frames a ZAP request is made of, mixed with noise. */
const frame = fc.oneof(
  fc.constantFrom("1.0", "1", "", "cb", "any", "127.0.0.1", "10.1.2.3", "::ffff:10.0.0.1", "8.8.8.8", "NULL", "PLAIN", "CURVE", "GSSAPI", "admin", "secret", "ok", "throw").map((text) => Buffer.from(text)),
  fc.constant(KEY),
  fc.uint8Array({ maxLength: 40 }).map((bytes) => Buffer.from(bytes)),
)
/** Mostly request-shaped: "1.0", an id, then anything. */
const body = fc.oneof(fc.array(frame, { maxLength: 10 }), fc.tuple(frame, fc.array(frame, { maxLength: 8 })).map(([id, rest]) => [Buffer.from("1.0"), id, ...rest]))

/** A NULL request that must come back as the very next reply, with its own id: nothing extra is queued. */
async function expectSentinelAnswered(): Promise<void> {
  const id = `sentinel-${++sentinel}`
  const reply = await peer.request({ requestId: id })
  expect(reply.requestId).toBe(id)
  expect(reply.status).toBe("200")
}

describe("random requests", () => {
  it("every message with a delimiter gets exactly one well-formed reply, with its request id", async () => {
    await fc.assert(
      fc.asyncProperty(body, async (frames) => {
        await peer.dealer.send(["", ...frames])
        const reply = await peer.dealer.receive()
        expect(reply).toHaveLength(7)
        const [delimiter, version, requestId, status, text, userId, metadata] = reply.map((part) => Buffer.from(part)) as Buffer[]
        expect(delimiter!.length).toBe(0)
        expect(version!.toString()).toBe("1.0")
        expect(requestId!.equals(frames[1] ?? Buffer.alloc(0))).toBe(true)
        expect(["200", "400", "500"]).toContain(status!.toString())
        expect(text!.length).toBeGreaterThan(0)
        expect(metadata!.length).toBe(0)
        if (status!.toString() !== "200") expect(userId!.length).toBe(0)
        if (status!.toString() === "200") {
          expect(frames.length).toBeGreaterThanOrEqual(6)
          expect(frames[0]!.toString()).toBe("1.0")
        }
        await expectSentinelAnswered()
      }),
      { numRuns: 300 },
    )
  })

  it("messages without a delimiter are dropped; the handler still answers afterwards", async () => {
    const nonEmpty = frame.filter((part) => part.length > 0)
    await fc.assert(
      fc.asyncProperty(fc.array(nonEmpty, { minLength: 1, maxLength: 8 }), async (frames) => {
        await peer.dealer.send(frames)
        await expectSentinelAnswered()
      }),
      { numRuns: 100 },
    )
  })

  it("a burst of random requests from several peers: one reply each, to the right peer", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.nat(2), body), { minLength: 1, maxLength: 20 }), async (sends) => {
        const peers = [peer, new ZapPeer(context), new ZapPeer(context)]
        try {
          const expected = peers.map(() => [] as Buffer[])
          for (const [who, frames] of sends) {
            const id = Buffer.from(`${who}:${expected[who]!.length}`)
            expected[who]!.push(id)
            await peers[who]!.dealer.send(["", Buffer.from("1.0"), id, ...frames.slice(2)])
          }
          for (const [index, ids] of expected.entries()) {
            const received: string[] = []
            for (let count = 0; count < ids.length; count++) {
              const reply = await peers[index]!.dealer.receive()
              expect(reply).toHaveLength(7)
              received.push(reply[2]!.toString())
            }
            // Replies may overtake one another (a callback can take longer): compare as sorted lists.
            expect(received.sort()).toEqual(ids.map(String).sort())
          }
        } finally {
          for (const extra of peers.slice(1)) await extra[Symbol.asyncDispose]()
        }
        await expectSentinelAnswered()
      }),
      { numRuns: 40 },
    )
  })
})
