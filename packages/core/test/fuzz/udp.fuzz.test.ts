/**
 * Fuzz target "udp": datagrams into our DISH over udp (RFC 48, libzmq's udp_engine). Seeds: the datagrams
 * libzmq's RADIO sent (seeds/libzmq-radio-datagrams.json, record-datagrams.ts), mutated, sent one to five
 * at a time from a raw node:dgram socket on loopback.
 *
 *   raw node:dgram ──mutated datagrams, then a sentinel──▶ our DISH (udp://127.0.0.1:port, joined groups)
 *
 * Oracle, against RFC 48 read directly: before the sentinel, the DISH delivers exactly the datagrams that
 * are well formed (length byte within the datagram, at most 8192 bytes) and name a joined group, each as
 * [body, {group}] with the bytes sent; nothing is thrown or left unhandled, and the DISH keeps serving.
 */
import { Buffer } from "node:buffer"
import { readFileSync } from "node:fs"
import { afterAll, beforeAll, describe, it } from "vitest"
import fc from "fast-check"
import { Dish } from "../../src/draft.js"
import { check, fromHex, fuzzAsync, mutants, targetRuns } from "../../../zmtp/test/fuzz/fuzz-kit.js"
import { freeUdpPort, rawSocket } from "../udp/udp-helpers.js"

const RUNS = targetRuns("udp", 500)
const SEEDS = JSON.parse(readFileSync(new URL("./seeds/libzmq-radio-datagrams.json", import.meta.url), "utf8")) as { groups: string[]; datagrams: string[] }
const DATAGRAMS = SEEDS.datagrams.map(fromHex)
/** Joined: the recorded groups but "weather", so some well-formed datagrams are for nobody. */
const JOINED = new Set([...SEEDS.groups.filter((g) => g !== "weather"), "sentinel"])
const MAX_UDP_MESSAGE = 8192

function reference(datagram: Uint8Array): { group: string; body: Buffer } | undefined {
  if (datagram.length === 0 || datagram.length > MAX_UDP_MESSAGE) return undefined
  const end = 1 + datagram[0]!
  if (end > datagram.length) return undefined
  const group = Buffer.from(datagram.subarray(1, end)).toString("latin1")
  return JOINED.has(group) ? { group, body: Buffer.from(datagram.subarray(end)) } : undefined
}

let dish: Dish
let port: number

beforeAll(async () => {
  port = await freeUdpPort()
  dish = new Dish({ receiveTimeout: 2000 })
  await dish.bind(`udp://127.0.0.1:${port}`)
  for (const group of JOINED) dish.join(Buffer.from(group, "latin1"))
})

afterAll(() => dish.close())

describe("fuzz: udp datagrams into DISH", () => {
  it("delivers exactly the well-formed datagrams of joined groups, whole, and keeps serving", async () => {
    const { socket } = await rawSocket()
    const send = (bytes: Uint8Array): Promise<void> =>
      new Promise((resolve, reject) => socket.send(bytes, port, "127.0.0.1", (error) => (error ? reject(error) : resolve())))
    let round = 0
    await fuzzAsync("udp", RUNS, 1, fc.array(mutants(DATAGRAMS, 4), { minLength: 1, maxLength: 5 }), async (batch) => {
      const sentinel = Buffer.from(`round ${round++}`)
      const expected = batch.flatMap((m) => {
        const r = reference(m.bytes)
        return r === undefined ? [] : [r]
      })
      // A datagram over 64 KiB cannot be sent at all; the mutator never makes one that large.
      for (const mutant of batch) await send(mutant.bytes)
      await send(Buffer.concat([Buffer.of(8), Buffer.from("sentinel"), sentinel]))
      const received: Array<{ group: string; body: Buffer }> = []
      for (;;) {
        const [body, { group }] = await dish.receive()
        const name = Buffer.from(group).toString("latin1")
        if (name === "sentinel" && Buffer.from(body).equals(sentinel)) break
        received.push({ group: name, body: Buffer.from(body) })
      }
      check(received.length === expected.length, () => `${received.length} delivered, ${expected.length} expected`)
      received.forEach((r, i) => {
        const e = expected[i]!
        check(r.group === e.group && r.body.equals(e.body), () => `datagram ${i}: group ${JSON.stringify(r.group)} / ${r.body.length} bytes, expected ${JSON.stringify(e.group)} / ${e.body.length}`)
      })
    })
  })
})
