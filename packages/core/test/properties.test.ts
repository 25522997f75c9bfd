/**
 * Socket-level properties (fast-check, random seed every run), on each of tcp, ipc and inproc:
 *
 *   PUSH ──▶ PULL                    whatever PUSH sends, PULL receives exactly: in order, whole, once
 *   PUSH ──▶ PULL × K                N messages over K equally ready peers: counts within one of each other
 *   DEALER × K ──▶ ROUTER (echo)     every dealer gets back exactly its own messages, in order
 *   REQ ⇄ REP (well-behaved peer)    any sequence of send/receive calls: EFSM exactly when the lockstep is
 *                                    broken, and every reply answers the request it follows
 *
 * Each run opens fresh sockets, so run counts are modest. Frame sizes are drawn to hit the short/long frame
 * boundary (255/256), the encoder's zero-copy threshold (16 KiB), the decoder's gather buffer (64 KiB) and
 * up to 100 KiB; the generated values are sizes and seeds, so a counterexample prints small.
 */
import { existsSync, unlinkSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { setTimeout as sleep } from "node:timers/promises"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import * as zmq from "zeromq"
import { Dealer, Pull, Push, Reply, Request, Router, ZmqError, type Message } from "../src/index.js"

type Transport = "tcp" | "ipc" | "inproc"
const TRANSPORTS: readonly Transport[] = ["tcp", "ipc", "inproc"]

/** The per-test budget: fast-check stops (and fails, if it was shrinking a failure) after this long. */
const TIME_LIMIT = 30_000
const TEST_TIMEOUT = 60_000

// ── generators ──────────────────────────────────────────────────────────────────────────────────────

const KiB = 1024
const frameSize = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 0, max: 300 }) },
  { weight: 2, arbitrary: fc.constantFrom(255, 256, 16 * KiB - 1, 16 * KiB, 64 * KiB, 64 * KiB + 1, 100 * KiB) },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 100 * KiB }) },
)
const frameSpec = fc.record({ size: frameSize, seed: fc.nat(255) })
type FrameSpec = { readonly size: number; readonly seed: number }
const messageSpec = fc.array(frameSpec, { minLength: 1, maxLength: 5 })
const messagesSpec = fc.array(messageSpec, { minLength: 0, maxLength: 20, size: "max" })

/** Deterministic bytes that differ from frame to frame and message to message. */
function makeFrame(spec: FrameSpec, message: number, index: number): Buffer {
  const out = Buffer.allocUnsafe(spec.size)
  const base = spec.seed + message * 17 + index * 59
  for (let i = 0; i < out.length; i++) out[i] = (i * 31 + (i >>> 8) * 7 + base) & 0xff
  return out
}

function makeMessages(specs: readonly (readonly FrameSpec[])[]): Message[][] {
  return specs.map((frames, m) => frames.map((spec, f) => makeFrame(spec, m, f)))
}

// ── helpers ─────────────────────────────────────────────────────────────────────────────────────────

let counter = 0
const ipcPaths: string[] = []

function bindAddress(transport: Transport): string {
  const id = `${process.pid}-${counter++}`
  if (transport === "tcp") return "tcp://127.0.0.1:*"
  if (transport === "inproc") return `inproc://properties-${id}`
  const path = join(tmpdir(), `zmq-ts-properties-${id}.sock`)
  ipcPaths.push(path)
  return `ipc://${path}`
}

function removeIpcFiles(): void {
  for (const path of ipcPaths.splice(0)) if (existsSync(path)) unlinkSync(path)
}

/** Runs `body` with a list to register sockets in; closes them all (and removes ipc files) afterwards. */
async function withSockets<T>(body: (track: <S extends { close(): void }>(socket: S) => S) => Promise<T>): Promise<T> {
  const sockets: Array<{ close(): void }> = []
  try {
    return await body((socket) => {
      sockets.push(socket)
      return socket
    })
  } finally {
    for (const socket of sockets) socket.close()
    removeIpcFiles()
  }
}

async function waitUntil(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await sleep(2)
  }
}

/** Where two message lists first differ, in words (never a dump of 100 KiB frames); undefined if equal. */
function firstMismatch(sent: readonly Message[][], received: readonly Message[][]): string | undefined {
  if (sent.length !== received.length) return `sent ${sent.length} messages, received ${received.length}`
  for (let m = 0; m < sent.length; m++) {
    const a = sent[m]!
    const b = received[m]!
    if (a.length !== b.length) return `message ${m}: sent ${a.length} frames, received ${b.length}`
    for (let f = 0; f < a.length; f++) {
      const x = a[f]!
      const y = b[f]!
      if (x.equals(y)) continue
      let at = 0
      while (at < x.length && at < y.length && x[at] === y[at]) at++
      return `message ${m} frame ${f}: sent ${x.length} bytes, received ${y.length}, first difference at byte ${at}`
    }
  }
  return undefined
}

type Settled<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: unknown }

async function settle<T>(promise: Promise<T>): Promise<Settled<T>> {
  try {
    return { ok: true, value: await promise }
  } catch (error) {
    return { ok: false, error }
  }
}

function isEfsm(result: Settled<unknown>): boolean {
  return !result.ok && ZmqError.isInstance(result.error) && result.error.code === "EFSM"
}

function describeResult(result: Settled<unknown>): string {
  if (result.ok) return `ok ${JSON.stringify(Array.isArray(result.value) ? result.value.map(String) : result.value)}`
  return `error ${ZmqError.isInstance(result.error) ? result.error.code : String(result.error)}`
}

function strings(message: Message[]): string[] {
  return message.map((frame) => frame.toString())
}

const assertOptions = (numRuns: number) => ({ numRuns, interruptAfterTimeLimit: TIME_LIMIT, markInterruptAsFailure: true })

// ── properties ──────────────────────────────────────────────────────────────────────────────────────

describe.each(TRANSPORTS)("properties over %s", (transport) => {
  it(
    "PULL receives exactly what PUSH sent: in order, whole, once",
    async () => {
      await fc.assert(
        fc.asyncProperty(messagesSpec, fc.boolean(), async (specs, pushBinds) =>
          withSockets(async (track) => {
            const push = track(new Push({ linger: 0, sendTimeout: 5000 }))
            const pull = track(new Pull({ linger: 0, receiveTimeout: 5000 }))
            const [binder, connecter] = pushBinds ? [push, pull] : [pull, push]
            await binder.bind(bindAddress(transport))
            connecter.connect(binder.lastEndpoint!)
            const sent = makeMessages(specs)
            const end = [Buffer.from("end")]
            for (const message of [...sent, end]) await push.send(message)
            const received: Message[][] = []
            for (let i = 0; i < sent.length; i++) received.push(await pull.receive())
            expect(firstMismatch(sent, received)).toBeUndefined()
            // Nothing extra, nothing duplicated: the next message is the end marker.
            expect(strings(await pull.receive())).toEqual(["end"])
          }),
        ),
        assertOptions(30),
      )
    },
    TEST_TIMEOUT,
  )

  it(
    "PUSH spreads N messages over K equally ready PULL peers within one of each other",
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.integer({ min: 2, max: 4 }), fc.integer({ min: 0, max: 40 }), fc.boolean(), async (k, n, pushBinds) =>
          withSockets(async (track) => {
            const push = track(new Push({ linger: 0, sendTimeout: 5000 }))
            let handshakes = 0
            push.events.on("handshake", () => handshakes++)
            const pulls = Array.from({ length: k }, () => track(new Pull({ linger: 0 })))
            if (pushBinds) {
              await push.bind(bindAddress(transport))
              for (const pull of pulls) pull.connect(push.lastEndpoint!)
            } else {
              for (const pull of pulls) {
                await pull.bind(bindAddress(transport))
                push.connect(pull.lastEndpoint!)
              }
            }
            // Equally ready: every peer has finished its handshake before the first message. (inproc has no
            // handshake and no events, as in libzmq: its peers are joined once connect()/bind() returned.)
            if (transport !== "inproc") await waitUntil(() => handshakes === k, 5000, `${k} handshakes`)
            const got: string[][] = pulls.map(() => [])
            const loops = pulls.map(async (pull, j) => {
              for await (const [body] of pull) got[j]!.push(body!.toString())
            })
            for (let i = 0; i < n; i++) await push.send(`m${i}`)
            const total = (): number => got.reduce((sum, list) => sum + list.length, 0)
            await waitUntil(() => total() >= n, 5000, `${n} messages`)
            await sleep(5) // a duplicate would arrive by now
            const counts = got.map((list) => list.length)
            expect(total()).toBe(n)
            expect(Math.max(...counts) - Math.min(...counts), `counts ${counts.join(", ")}`).toBeLessThanOrEqual(1)
            // Each message went to exactly one peer, and each peer got its share in order.
            const all = got.flat().sort((a, b) => Number(a.slice(1)) - Number(b.slice(1)))
            expect(all).toEqual(Array.from({ length: n }, (_, i) => `m${i}`))
            for (const list of got) expect(list).toEqual([...list].sort((a, b) => Number(a.slice(1)) - Number(b.slice(1))))
            for (const pull of pulls) pull.close()
            await Promise.all(loops)
          }),
        ),
        assertOptions(20),
      )
    },
    TEST_TIMEOUT,
  )

  it(
    "ROUTER echoing by routing id: every DEALER gets back exactly its own messages",
    async () => {
      const dealerSpec = fc.record({
        named: fc.boolean(),
        requests: fc.array(fc.array(frameSpec, { minLength: 0, maxLength: 4 }), { minLength: 0, maxLength: 8 }),
      })
      await fc.assert(
        fc.asyncProperty(fc.array(dealerSpec, { minLength: 2, maxLength: 4 }), async (dealerSpecs) =>
          withSockets(async (track) => {
            const router = track(new Router({ linger: 0, mandatory: true }))
            await router.bind(bindAddress(transport))
            const echo = (async () => {
              for await (const message of router) await router.send(message)
            })()
            const results = await Promise.all(
              dealerSpecs.map(async (spec, d) => {
                const dealer = track(
                  new Dealer({ linger: 0, receiveTimeout: 5000, ...(spec.named ? { routingId: `dealer-${d}` } : {}) }),
                )
                dealer.connect(router.lastEndpoint!)
                // A tag frame first, so a message routed to the wrong dealer can never look like its own.
                const sent: Message[][] = spec.requests.map((frames, r) => [
                  Buffer.from(`d${d}-r${r}`),
                  ...frames.map((frame, f) => makeFrame(frame, d * 100 + r, f)),
                ])
                for (const message of sent) await dealer.send(message)
                await dealer.send(`d${d}-end`)
                const received: Message[][] = []
                for (;;) {
                  const message = await dealer.receive()
                  if (message.length === 1 && message[0]!.toString() === `d${d}-end`) break
                  received.push(message)
                }
                return { d, mismatch: firstMismatch(sent, received) }
              }),
            )
            for (const { d, mismatch } of results) expect(mismatch, `dealer ${d}`).toBeUndefined()
            router.close()
            await echo
          }),
        ),
        assertOptions(20),
      )
    },
    TEST_TIMEOUT,
  )

  // The well-behaved peer: ours, or libzmq's where the transport allows (inproc is per library).
  const peerImpl = transport === "inproc" ? fc.constant("ours" as const) : fc.constantFrom("ours" as const, "libzmq" as const)
  const operations = fc.array(
    fc.oneof(
      fc.record({ kind: fc.constant("send" as const), extra: fc.array(fc.string({ maxLength: 12 }), { maxLength: 3 }) }),
      fc.record({ kind: fc.constant("receive" as const) }),
    ),
    { maxLength: 16 },
  )

  it(
    "REQ: EFSM exactly when the lockstep is broken, and every reply answers the request before it",
    async () => {
      await fc.assert(
        fc.asyncProperty(operations, peerImpl, async (ops, impl) =>
          withSockets(async (track) => {
            // The peer: a REP answering ["reply", ...request].
            let peerAddress: string
            let peerLoop: Promise<void>
            let closePeer: () => void
            if (impl === "ours") {
              const rep = track(new Reply({ linger: 0 }))
              await rep.bind(bindAddress(transport))
              peerAddress = rep.lastEndpoint!
              closePeer = () => rep.close()
              peerLoop = (async () => {
                try {
                  for await (const request of rep) await rep.send(["reply", ...request])
                } catch (error) {
                  if (!rep.closed) throw error // closed while answering: the test is over
                }
              })()
            } else {
              const rep = track(new zmq.Reply({ linger: 0 }))
              await rep.bind(bindAddress(transport))
              peerAddress = rep.lastEndpoint!
              closePeer = () => rep.close()
              peerLoop = (async () => {
                try {
                  for await (const request of rep) await rep.send(["reply", ...request])
                } catch (error) {
                  if (!rep.closed) throw error
                }
              })()
            }
            const req = track(new Request({ linger: 0, receiveTimeout: 5000 }))
            req.connect(peerAddress)
            let outstanding: string[] | undefined
            let sends = 0
            const log: string[] = []
            for (const op of ops) {
              // zeromq.js's rule: an out-of-step call waits for the state to allow it, unless its timeout is
              // 0, when it fails EFSM at once. So out-of-step calls are made with timeout 0.
              if (op.kind === "send") {
                const request = [`req-${sends++}`, ...op.extra]
                req.sendTimeout = outstanding !== undefined ? 0 : -1
                const result = await settle(req.send(request))
                log.push(`send ${JSON.stringify(request)} → ${describeResult(result)}`)
                if (outstanding !== undefined) {
                  expect(isEfsm(result), log.join("\n")).toBe(true)
                } else {
                  expect(result.ok, log.join("\n")).toBe(true)
                  outstanding = request
                }
              } else {
                req.receiveTimeout = outstanding === undefined ? 0 : 5000
                const result = await settle(req.receive())
                log.push(`receive → ${describeResult(result)}`)
                if (outstanding === undefined) {
                  expect(isEfsm(result), log.join("\n")).toBe(true)
                } else {
                  expect(result.ok && strings(result.value), log.join("\n")).toEqual(["reply", ...outstanding])
                  outstanding = undefined
                }
              }
            }
            req.close()
            closePeer()
            await peerLoop
          }),
        ),
        assertOptions(20),
      )
    },
    TEST_TIMEOUT,
  )

  it(
    "REP: EFSM exactly when the lockstep is broken, and every reply reaches the request it answers",
    async () => {
      await fc.assert(
        fc.asyncProperty(operations, peerImpl, async (ops, impl) =>
          withSockets(async (track) => {
            const rep = track(new Reply({ linger: 0, receiveTimeout: 5000 }))
            await rep.bind(bindAddress(transport))
            // The peer: a REQ that sends q<i> (with a little payload), checks the reply, and sends the next.
            let stopped = false
            let answered = 0
            const wrong: string[] = []
            const requestFor = (i: number): string[] => [`q${i}`, "x".repeat(i % 4)]
            const peer = impl === "ours" ? track(new Request({ linger: 0 })) : track(new zmq.Request({ linger: 0 }))
            peer.connect(rep.lastEndpoint!)
            const peerLoop = (async () => {
              for (let i = 0; !stopped; i++) {
                const request = requestFor(i)
                await peer.send(request)
                const reply = (await peer.receive()).map(String)
                if (JSON.stringify(reply) !== JSON.stringify(["reply", ...request])) wrong.push(`${JSON.stringify(request)} got ${JSON.stringify(reply)}`)
                answered++
              }
            })().catch((error: unknown) => {
              if (!stopped) wrong.push(`peer failed: ${String(error)}`)
            })
            let current: string[] | undefined
            let next = 0
            let replies = 0
            const log: string[] = []
            for (const op of ops) {
              // Out-of-step calls with timeout 0 (see the REQ property).
              if (op.kind === "receive") {
                rep.receiveTimeout = current !== undefined ? 0 : 5000
                const result = await settle(rep.receive())
                log.push(`receive → ${describeResult(result)}`)
                if (current !== undefined) {
                  expect(isEfsm(result), log.join("\n")).toBe(true)
                } else {
                  // The peer's next request, whole and with the envelope stripped.
                  expect(result.ok && strings(result.value), log.join("\n")).toEqual(requestFor(next))
                  current = requestFor(next)
                }
              } else {
                const reply = ["reply", ...(current ?? ["nothing to answer"])]
                rep.sendTimeout = current === undefined ? 0 : -1
                const result = await settle(rep.send(reply))
                log.push(`send ${JSON.stringify(reply)} → ${describeResult(result)}`)
                if (current === undefined) {
                  expect(isEfsm(result), log.join("\n")).toBe(true)
                } else {
                  expect(result.ok, log.join("\n")).toBe(true)
                  current = undefined
                  next++
                  replies++
                }
              }
            }
            await waitUntil(() => answered === replies || wrong.length > 0, 5000, `${replies} replies at the peer`)
            expect(wrong).toEqual([])
            expect(answered).toBe(replies)
            stopped = true
            peer.close()
            await peerLoop
          }),
        ),
        assertOptions(20),
      )
    },
    TEST_TIMEOUT,
  )
})
