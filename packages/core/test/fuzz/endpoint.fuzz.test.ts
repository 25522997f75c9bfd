/**
 * Fuzz target "endpoint": endpoint strings, as `bind`/`connect`/`unbind` read them — `splitEndpoint`, then
 * the scheme's transport's `parse` (tcp, ipc, inproc, udp, ws, wss) for either role. Seeds: the endpoint
 * forms of libzmq's documentation and tests (zmq_tcp(7), zmq_udp(7), zmq_ws, test_bind_src_address,
 * test_udp, test_ws_transport), mutated as Latin-1 bytes and now and then with non-Latin-1 characters.
 *
 * Oracle: parsing returns an endpoint naming the same address (tcp, ws and udp ports whole numbers in
 * 0…65535, hosts non-empty) or throws a ZmqError EINVAL / EPROTONOSUPPORT, nothing else; a socket given
 * an address the parser refuses throws (connect, unbind) or rejects (bind) with the same code and stays
 * usable: after every input a PAIR still binds inproc and exchanges a message.
 */
import { afterAll, beforeAll, describe, it } from "vitest"
import fc from "fast-check"
import { Pair, ZmqError } from "../../src/index.js"
import { splitEndpoint } from "../../src/transports/registry.js"
import { check, fuzzAsync, mutants, targetRuns } from "../../../zmtp/test/fuzz/fuzz-kit.js"

const RUNS = targetRuns("endpoint", 1000)
const SEEDS = [
  "tcp://127.0.0.1:5555",
  "tcp://*:*",
  "tcp://*:0",
  "tcp://[::1]:5555",
  "tcp://[fe80::1%lo]:5555",
  "tcp://eth0:5555",
  "tcp://localhost:5555",
  "tcp://127.0.0.1:5556;192.168.1.1:5555",
  "tcp://*:5556;[::1]:5555",
  "ipc:///tmp/feeds/0",
  "ipc://@abstract-name",
  "ipc://*",
  "inproc://my-endpoint",
  "inproc://",
  "udp://127.0.0.1:5555",
  "udp://*:5555",
  "udp://eth0;239.192.1.1:5555",
  "udp://[ff02::1]:5555",
  "ws://127.0.0.1:5555/path",
  "ws://[::1]:*/",
  "wss://localhost:8443/a/b?c",
  "pgm://eth0;239.192.1.1:5555",
  "epgm://192.168.1.1;239.192.1.1:5555",
  "tipc://{5560,0,0}",
  "vmci://1:5555",
  "norm://1,eth0;239.192.1.1:5555",
].map((text) => Uint8Array.from(text, (c) => c.charCodeAt(0)))
const CODES: ReadonlySet<string> = new Set(["EINVAL", "EPROTONOSUPPORT"])

const extra = fc.array(fc.tuple(fc.nat(), fc.constantFrom("\u0100", "€", "\ud800", "😀", "\u0000", "%", "[", "]", ";", ":", "/", "*")), { maxLength: 3 })

let pair: Pair
let peer: Pair
beforeAll(async () => {
  pair = new Pair({ linger: 0, receiveTimeout: 2000, sendTimeout: 2000 })
  peer = new Pair({ linger: 0, receiveTimeout: 2000, sendTimeout: 2000 })
})
afterAll(() => {
  pair.close()
  peer.close()
})

type Outcome = { readonly ok: true; readonly endpoint: unknown } | { readonly ok: false; readonly error: unknown }

function parse(address: string, role: "bind" | "connect"): Outcome {
  try {
    const { scheme, rest } = splitEndpoint(address)
    return { ok: true, endpoint: pair.context.transport(scheme).parse(address, rest, role) }
  } catch (error) {
    return { ok: false, error }
  }
}

function codeOf(error: unknown): string {
  check(ZmqError.isInstance(error), () => `not a ZmqError: ${String(error)}`)
  check(CODES.has(error.code), () => `code ${error.code}: ${error.message}`)
  return error.code
}

function checkEndpoint(address: string, endpoint: unknown): void {
  const e = endpoint as { address?: unknown; host?: unknown; port?: unknown }
  check(e.address === address, () => `parsed as ${String(e.address)}`)
  if (e.port !== undefined) check(e.port === "*" || (Number.isInteger(e.port) && (e.port as number) >= 0 && (e.port as number) <= 65535), () => `port ${String(e.port)}`)
  if (e.host !== undefined) check(typeof e.host === "string" && e.host.length > 0, () => `host ${JSON.stringify(e.host)}`)
}

describe("fuzz: endpoint strings", () => {
  it("parse or fail with EINVAL/EPROTONOSUPPORT, the same through the socket, which stays usable", async () => {
    let round = 0
    await fuzzAsync("endpoint", RUNS, 1, fc.tuple(mutants(SEEDS, 5), extra), async ([mutant, insertions]) => {
      let address = String.fromCharCode(...mutant.bytes)
      for (const [at, piece] of insertions) {
        const i = at % (address.length + 1)
        address = address.slice(0, i) + piece + address.slice(i)
      }
      for (const role of ["bind", "connect"] as const) {
        const outcome = parse(address, role)
        if (outcome.ok) {
          checkEndpoint(address, outcome.endpoint)
          continue
        }
        const code = codeOf(outcome.error)
        // The socket reads the address the same way; nothing reaches the network for a refused one.
        if (role === "connect") {
          let thrown: unknown
          try {
            pair.connect(address)
          } catch (error) {
            thrown = error
          }
          check(codeOf(thrown) === code, () => `connect threw ${String(thrown)}, parse ${code}`)
        } else {
          const rejected = await pair.bind(address).then(
            () => undefined,
            (error: unknown) => error,
          )
          check(codeOf(rejected) === code, () => `bind gave ${String(rejected)}, parse ${code}`)
          const unbound = await pair.unbind(address).then(
            () => undefined,
            (error: unknown) => error,
          )
          check(codeOf(unbound) === code, () => `unbind gave ${String(unbound)}, parse ${code}`)
        }
      }
      if (round++ % 50 === 0) {
        // Still usable: a fresh inproc bind, a peer, a message each way.
        const name = `inproc://fuzz-endpoint-${round}`
        await pair.bind(name)
        peer.connect(name)
        await peer.send("ping")
        check((await pair.receive())[0]!.toString() === "ping", () => "the message changed")
        peer.disconnect(name)
        await pair.unbind(name)
      }
    })
  })
})
