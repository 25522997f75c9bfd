/**
 * What the fast paths reuse must never show (docs/decisions/0010-curve-crypto.md, "Measurements"):
 *
 * - MESSAGE frames are carved out of per-connection slabs and boxed in a shared WebAssembly scratch
 *   region: every frame handed out stays intact however many messages follow, never lies in the
 *   WebAssembly heap, and never shares an ArrayBuffer with another connection's frames (core tags message
 *   properties per ArrayBuffer).
 * - node:crypto KeyObjects of long-term keys are cached per caller array: one import per key for many
 *   connections, and a changed array is imported again (a stale KeyObject would use the old key).
 */
import { ZmtpErrorCode, type ZmtpConnectionOptions } from "@zmq-ts/zmtp"
import sodium from "libsodium-wrappers-sumo"
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest"
import { curveClient, curveServer, decodeCurveKey, loadCurve } from "../src/index.js"
import { curveBackends } from "../src/primitives.js"
import { allowAll, Pair } from "./helpers/pair.js"

// The key pairs of libzmq's zmq_curve(7) page; copies of our own, since some tests change them.
const SERVER_PUBLIC = () => decodeCurveKey("rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7", "server public")
const SERVER_SECRET = () => decodeCurveKey("JTKVSB%%)wK0E.X)V>+}o?pNmC{O&4W4b!Ni{Lh6", "server secret")
const CLIENT_PUBLIC = () => decodeCurveKey("Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID", "client public")
const CLIENT_SECRET = () => decodeCurveKey("D:)Q[IlAW!ahhC2ac:9*A}h:p?([4%wOTJ%JR%cs", "client secret")

beforeAll(async () => {
  await loadCurve()
})

afterEach(() => {
  vi.restoreAllMocks()
})

interface Keys {
  readonly clientPublic: Uint8Array
  readonly clientSecret: Uint8Array
  readonly serverPublic: Uint8Array
  readonly serverSecret: Uint8Array
}

const freshKeys = (): Keys => ({ clientPublic: CLIENT_PUBLIC(), clientSecret: CLIENT_SECRET(), serverPublic: SERVER_PUBLIC(), serverSecret: SERVER_SECRET() })

function connect(keys: Keys): Pair {
  const client: ZmtpConnectionOptions = {
    socketType: "DEALER",
    mechanism: curveClient({ publicKey: keys.clientPublic, secretKey: keys.clientSecret, serverKey: keys.serverPublic }),
  }
  const server: ZmtpConnectionOptions = { socketType: "ROUTER", mechanism: curveServer({ secretKey: keys.serverSecret }) }
  return new Pair(client, server, { onEvent: allowAll }).pump()
}

const ready = (pair: Pair) => pair.client.connection.state === "ready" && pair.server.connection.state === "ready"

function received(pair: Pair, side: "client" | "server"): Uint8Array[][] {
  return pair[side].events.flatMap((event) => (event.type === "message" ? [event.frames] : []))
}

/** A body whose every byte tells which message it is, so that an overwrite shows. */
function body(index: number, size: number): Uint8Array {
  const bytes = new Uint8Array(size)
  for (let i = 0; i < size; i++) bytes[i] = (index * 31 + i * 7) & 0xff
  return bytes
}

const same = (a: readonly Uint8Array[], b: readonly Uint8Array[]) =>
  a.length === b.length && a.every((frame, i) => Buffer.from(frame.buffer, frame.byteOffset, frame.length).equals(b[i]!))

const SIZES = [0, 1, 63, 64, 65, 200, 1000, 4095, 4096, 4097, 20_000, 70_000]

describe("MESSAGE frames through the reused buffers", () => {
  it("every received frame stays intact after many later messages, in both directions", () => {
    const pair = connect(freshKeys())
    expect(ready(pair)).toBe(true)
    const sent: Uint8Array[][] = []
    // Enough to fill several 64 KiB slabs and cross the scratch region's sizes both ways.
    for (let round = 0; round < 20; round++) {
      for (const [index, size] of SIZES.entries()) {
        const message = [body(round * 100 + index, size), body(round * 100 + index + 50, (size * 3) % 5000)]
        sent.push(message)
        pair.client.connection.send(message)
        pair.server.connection.send(message)
      }
      pair.pump()
    }
    const atServer = received(pair, "server")
    const atClient = received(pair, "client")
    expect(atServer).toHaveLength(sent.length)
    expect(atClient).toHaveLength(sent.length)
    for (let i = 0; i < sent.length; i++) {
      expect(same(atServer[i]!, sent[i]!), `message ${i} at the server`).toBe(true)
      expect(same(atClient[i]!, sent[i]!), `message ${i} at the client`).toBe(true)
    }
  })

  it("hands out no frame inside the WebAssembly heap, and no ArrayBuffer shared by two connections", () => {
    expect(curveBackends().message).toBe("libsodium-raw")
    const heap = (sodium as unknown as { libsodium: { HEAPU8: Uint8Array } }).libsodium.HEAPU8.buffer
    const one = connect(freshKeys())
    const two = connect(freshKeys())
    for (let i = 0; i < 20; i++) {
      one.client.connection.send([body(i, 64)])
      two.client.connection.send([body(i + 1, 64)])
    }
    one.pump()
    two.pump()
    const buffers = (pair: Pair) => new Set(received(pair, "server").flatMap((frames) => frames.map((frame) => frame.buffer)))
    const ofOne = buffers(one)
    const ofTwo = buffers(two)
    expect(ofOne.size).toBeGreaterThan(0)
    for (const buffer of ofOne) {
      expect(buffer).not.toBe(heap)
      expect(ofTwo.has(buffer)).toBe(false)
    }
    for (const buffer of ofTwo) expect(buffer).not.toBe(heap)
  })

  it("a frame the application changes does not disturb later frames", () => {
    const pair = connect(freshKeys())
    pair.client.connection.send([body(1, 100)])
    pair.pump()
    const first = received(pair, "server")[0]![0]!
    first.fill(0xee)
    pair.client.connection.send([body(2, 100)])
    pair.pump()
    expect(received(pair, "server")[1]![0]).toEqual(body(2, 100))
  })
})

describe("node:crypto KeyObjects cached per caller array", () => {
  const nodeCrypto = () => process.getBuiltinModule("node:crypto")

  it("imports a socket's long-term keys once for many connections", () => {
    expect(curveBackends().x25519).toBe("node:crypto")
    const keys = freshKeys()
    connect(keys) // first: the long-term keys are imported and cached
    const privateImports = vi.spyOn(nodeCrypto(), "createPrivateKey")
    const publicImports = vi.spyOn(nodeCrypto(), "createPublicKey")
    const connections = 5
    for (let i = 0; i < connections; i++) expect(ready(connect(keys))).toBe(true)
    // Per connection: the client's c' and the server's s' (fresh keys); C' (twice used, once imported),
    // S' (twice used, once imported) and C. Before the cache: 2 + 2 private, 5 public.
    expect(privateImports).toHaveBeenCalledTimes(2 * connections)
    expect(publicImports).toHaveBeenCalledTimes(3 * connections)
  })

  it("uses the new key when the caller's array is changed in place", () => {
    const keys = freshKeys()
    expect(ready(connect(keys))).toBe(true)
    const other = curveKeyPair()
    // The server's secret changes; a client that still expects the old server key fails at HELLO ...
    keys.serverSecret.set(other.secretKey)
    const stale = connect(keys)
    expect(stale.server.connection.state).toBe("failed")
    const event = stale.server.events.find((e) => e.type === "error")
    expect(event?.type === "error" ? event.error.code : undefined).toBe(ZmtpErrorCode.CRYPTOGRAPHIC)
    // ... and one told the new server key succeeds (the client's cached S is replaced too).
    keys.serverPublic.set(other.publicKey)
    expect(ready(connect(keys))).toBe(true)
    // The client's secret changes: the server authenticates the new C.
    const client = curveKeyPair()
    keys.clientSecret.set(client.secretKey)
    keys.clientPublic.set(client.publicKey)
    const pair = new Pair(
      { socketType: "DEALER", mechanism: curveClient({ publicKey: keys.clientPublic, secretKey: keys.clientSecret, serverKey: keys.serverPublic }) },
      { socketType: "ROUTER", mechanism: curveServer({ secretKey: keys.serverSecret }) },
      {
        onEvent: (_side, event, connection) => {
          if (event.type !== "authenticate") return undefined
          expect(event.request.publicKey).toEqual(client.publicKey)
          return connection.resolveAuthentication({ allow: true })
        },
      },
    ).pump()
    expect(ready(pair)).toBe(true)
  })

  it("never changes the caller's key arrays (the cache copies what it compares)", () => {
    const keys = freshKeys()
    const server = curveServer({ secretKey: keys.serverSecret })
    const pair = new Pair(
      { socketType: "DEALER", mechanism: curveClient({ publicKey: keys.clientPublic, secretKey: keys.clientSecret, serverKey: keys.serverPublic }) },
      { socketType: "ROUTER", mechanism: server },
      { onEvent: allowAll },
    ).pump()
    expect(ready(pair)).toBe(true)
    // The caller's arrays are theirs: never zeroed or changed by us.
    expect(keys.serverSecret).toEqual(SERVER_SECRET())
    expect(keys.clientSecret).toEqual(CLIENT_SECRET())
  })
})

function curveKeyPair(): { publicKey: Uint8Array; secretKey: Uint8Array } {
  const pair = sodium.crypto_box_keypair()
  return { publicKey: pair.publicKey, secretKey: pair.privateKey }
}
