/**
 * Wire vectors recorded from a real libzmq 4.3.5 peer (test/vectors/libzmq.json, made by
 * test/vectors/record-libzmq.ts). Two directions are checked for every vector:
 *
 *   libzmq's bytes ──receiveData()──▶ our connection ("us")     decode: the expected events, however chunked
 *   "mirror" (our codec in libzmq's role) ──dataToSend()──▶     encode: exactly libzmq's bytes
 *
 * The mirror is a `ZmtpConnection` configured as libzmq's socket was (type, routing id, mechanism); it does
 * the handshake with a second connection playing "us", then re-sends the expected events (messages,
 * subscriptions, PING, the PONG it owes). Its whole output must equal what libzmq sent, greeting included.
 * The one known difference is the as-server octet of a PLAIN server's greeting: RFC 23 says 1, libzmq
 * sends 0 (it never sets as-server); our codec follows the RFC, and libzmq ignores the octet.
 */
import { readFileSync } from "node:fs"
import { describe, expect, it } from "vitest"
import { nullMechanism, plainClient, plainServer, ZmtpConnection } from "../src/index.js"
import type { Mechanism, SocketType, ZmtpConnectionOptions } from "../src/index.js"
import { ascii, concat, drive, hex, splits, summarize, threeWaySplits, toHex } from "./helpers/chunking.js"
import type { EventSummary } from "./helpers/chunking.js"

// ── the vector file ──────────────────────────────────────────────────────────────────────────────────

interface UsSpec {
  readonly socketType: SocketType
  readonly routingId?: string
  readonly zmtpMinorVersion?: 0 | 1
  readonly mechanism: "NULL" | "PLAIN-server" | "PLAIN-client"
  readonly username?: string
  readonly password?: string
}

type ExpectedEvent =
  | { type: "message"; frames: string[] }
  | { type: "subscribe"; topic: string }
  | { type: "cancel"; topic: string }
  | { type: "ping"; ttl: number; context: string }
  | { type: "pong"; context: string }

interface Vector {
  readonly name: string
  readonly description: string
  readonly socketType: SocketType
  readonly direction: "libzmq->us"
  readonly role: string
  readonly libzmqOptions: Readonly<Record<string, string | number | boolean>>
  readonly us: UsSpec
  readonly hex: string
  readonly expected: {
    readonly ready: { socketType: string; routingId: string; zmtpVersion: string; mechanism: string }
    readonly events: readonly ExpectedEvent[]
  }
}

const file = JSON.parse(readFileSync(new URL("./vectors/libzmq.json", import.meta.url), "utf8")) as {
  libzmq: string
  vectors: Vector[]
}
const vectors = file.vectors

// ── building both ends ───────────────────────────────────────────────────────────────────────────────

function mechanismOf(kind: UsSpec["mechanism"], username = "", password = ""): Mechanism {
  switch (kind) {
    case "NULL":
      return nullMechanism()
    case "PLAIN-server":
      return plainServer({ authenticate: () => ({ allow: true }) })
    case "PLAIN-client":
      return plainClient({ username, password })
  }
}

/** Our end, as the recorder built it. */
function usOptions(us: UsSpec): ZmtpConnectionOptions {
  return {
    socketType: us.socketType,
    mechanism: mechanismOf(us.mechanism, us.username, us.password),
    ...(us.routingId === undefined ? {} : { routingId: us.routingId }),
    ...(us.zmtpMinorVersion === undefined ? {} : { zmtpMinorVersion: us.zmtpMinorVersion }),
  }
}

/** Our codec configured as libzmq's socket was: same type, routing id and mechanism role. */
function mirrorOptions(vector: Vector): ZmtpConnectionOptions {
  const { us, libzmqOptions } = vector
  const mechanism =
    us.mechanism === "PLAIN-server"
      ? plainClient({ username: String(libzmqOptions["plainUsername"]), password: String(libzmqOptions["plainPassword"]) })
      : us.mechanism === "PLAIN-client"
        ? plainServer({ authenticate: () => ({ allow: true }) })
        : nullMechanism()
  return { socketType: vector.socketType, mechanism, routingId: hex(vector.expected.ready.routingId) }
}

/** The decode expectation: `ready` first (metadata aside), then the recorded events. */
function expectedEvents(vector: Vector): EventSummary[] {
  return [{ type: "ready", ...vector.expected.ready, metadata: {} }, ...vector.expected.events]
}

/** `summarize` with the ready event's metadata left out (checked separately). */
function decoded(conn: ZmtpConnection, chunks: Iterable<Uint8Array>): EventSummary[] {
  return summarize(drive(conn, chunks)).map((e) => (e.type === "ready" ? { ...e, metadata: {} } : e))
}

/** Frames after the 64-octet greeting, read straight from the header octets (not through the codec). */
function framesOf(bytes: Uint8Array): { flags: number; body: Uint8Array; raw: Uint8Array }[] {
  const frames: { flags: number; body: Uint8Array; raw: Uint8Array }[] = []
  let pos = 64
  while (pos < bytes.length) {
    const flags = bytes[pos]!
    const long = (flags & 0x02) !== 0
    const size = long ? Number(new DataView(bytes.buffer, bytes.byteOffset + pos + 1, 8).getBigUint64(0)) : bytes[pos + 1]!
    const start = pos + (long ? 9 : 2)
    frames.push({ flags, body: bytes.subarray(start, start + size), raw: bytes.subarray(pos, start + size) })
    pos = start + size
  }
  expect(pos, "the recording ends on a frame boundary").toBe(bytes.length)
  return frames
}

function commandName(body: Uint8Array): string {
  return String.fromCharCode(...body.subarray(1, 1 + body[0]!))
}

/**
 * The mirror's whole output: greeting and handshake (pumped against an "us" connection until both are
 * ready), then the expected events re-sent through the public API. `handshakeEnd` marks where the data
 * phase starts.
 */
function reencode(vector: Vector): { bytes: Uint8Array; handshakeEnd: number } {
  const mirror = new ZmtpConnection(mirrorOptions(vector))
  const us = new ZmtpConnection(usOptions(vector.us))
  const out: Uint8Array[] = []
  const pump = (): void => {
    for (let round = 0; round < 16; round++) {
      const fromMirror = mirror.dataToSend()
      const fromUs = us.dataToSend()
      if (fromMirror.length === 0 && fromUs.length === 0) return
      if (fromMirror.length > 0) {
        out.push(fromMirror.slice())
        for (const event of us.receiveData(fromMirror)) expect(event.type).not.toBe("error")
      }
      if (fromUs.length > 0) {
        for (const event of mirror.receiveData(fromUs)) expect(event.type).not.toBe("error")
      }
    }
    throw new Error("pump did not settle")
  }
  pump()
  expect(mirror.state).toBe("ready")
  expect(us.state).toBe("ready")
  const handshakeEnd = concat(...out).length
  for (const event of vector.expected.events) {
    switch (event.type) {
      case "message":
        mirror.send(event.frames.map((f) => hex(f)))
        break
      case "subscribe":
      case "cancel":
        // libzmq's SUB turns ZMQ_SUBSCRIBE into a subscription; its XSUB passes the 0x01/0x00 message on.
        if (vector.socketType === "XSUB") {
          mirror.send([concat(Uint8Array.of(event.type === "subscribe" ? 1 : 0), hex(event.topic))])
        } else if (event.type === "subscribe") {
          mirror.subscribe(hex(event.topic))
        } else {
          mirror.cancel(hex(event.topic))
        }
        break
      case "ping":
        mirror.ping(event.ttl, hex(event.context))
        break
      case "pong":
        // A PONG answers our PING: make "us" ping the mirror with that context.
        us.ping(0, hex(event.context))
        break
    }
    pump()
  }
  return { bytes: concat(...out), handshakeEnd }
}

/** libzmq never sets the greeting's as-server octet; ours is 1 for a PLAIN server, as RFC 23 says. */
function libzmqIsPlainServer(vector: Vector): boolean {
  return vector.us.mechanism === "PLAIN-client"
}

// ── the tests ────────────────────────────────────────────────────────────────────────────────────────

describe(`libzmq ${file.libzmq} wire vectors`, () => {
  it("cover the socket types and roles the recorder promises", () => {
    const types = new Set(vectors.map((v) => v.socketType))
    for (const type of ["DEALER", "ROUTER", "REQ", "REP", "PUSH", "PULL", "PUB", "SUB", "XSUB", "XPUB", "PAIR"]) {
      expect(types, type).toContain(type)
    }
    expect(new Set(vectors.map((v) => v.role))).toEqual(new Set(["libzmq connects", "libzmq binds"]))
    expect(vectors.every((v) => v.direction === "libzmq->us")).toBe(true)
    expect(vectors.some((v) => v.us.mechanism === "PLAIN-server")).toBe(true)
    expect(vectors.some((v) => v.expected.events.some((e) => e.type === "ping"))).toBe(true)
  })

  it("libzmq sends SUBSCRIBE/CANCEL commands to a ZMTP 3.1 peer and 0x01/0x00 messages to a 3.0 peer", () => {
    const subscriptionFrames = (name: string): string[] =>
      framesOf(hex(vectors.find((v) => v.name === name)!.hex))
        .slice(1) // READY
        .map((f) => ((f.flags & 0x04) !== 0 ? `command ${commandName(f.body)}` : `message 0x${toHex(f.body.subarray(0, 1))}`))
    expect(subscriptionFrames("sub-zmtp31")).toEqual(["command SUBSCRIBE", "command SUBSCRIBE", "command CANCEL"])
    expect(subscriptionFrames("sub-zmtp30")).toEqual(["message 0x01", "message 0x01", "message 0x00"])
    // An XSUB forwards what the application sent, in either version.
    expect(subscriptionFrames("xsub-zmtp31")).toEqual(["message 0x01", "message 0x68" /* "hello-upstream" */, "message 0x00"])
    expect(subscriptionFrames("xsub-zmtp30")).toEqual(["message 0x01", "message 0x00"])
  })

  for (const vector of vectors) {
    describe(vector.name, () => {
      const bytes = hex(vector.hex)
      const expected = expectedEvents(vector)

      it("decodes to the expected events whole, bytewise, split at every index and in three", () => {
        let reference: string | undefined
        let chunkings = 0
        for (const { label, chunks } of [...splits(bytes), ...threeWaySplits(bytes)]) {
          const conn = new ZmtpConnection(usOptions(vector.us))
          conn.dataToSend() // our greeting
          expect(decoded(conn, chunks), label).toEqual(expected)
          expect(conn.state, label).toBe("ready")
          expect(conn.hasPartialMessage, label).toBe(false)
          // What we answer (READY, WELCOME, PONG...) does not depend on how the bytes were cut.
          const replies = toHex(conn.dataToSend())
          reference ??= replies
          expect(replies, label).toBe(reference)
          chunkings++
        }
        expect(chunkings).toBeGreaterThanOrEqual(bytes.length + 1) // whole, bytewise, every 2-way split
      })

      it("carries the peer's properties: Socket-Type, and Identity for REQ/DEALER/ROUTER", () => {
        const [ready] = drive(new ZmtpConnection(usOptions(vector.us)), [bytes])
        expect(ready?.type).toBe("ready")
        if (ready?.type !== "ready") return
        const names = [...ready.peer.metadata].map(([name]) => name)
        const withIdentity = ["REQ", "DEALER", "ROUTER"].includes(vector.socketType)
        expect(names).toEqual(withIdentity ? ["Socket-Type", "Identity"] : ["Socket-Type"])
        expect(ready.peer.metadata.getString("Socket-Type")).toBe(vector.socketType)
        expect(ready.peer.zmtpVersion).toEqual({ major: 3, minor: 1 })
      })

      it("greeting: ours is byte-identical (padding = routing id length + 1)", () => {
        const libzmq = bytes.subarray(0, 64)
        const ours = new ZmtpConnection(mirrorOptions(vector)).dataToSend().slice()
        const routingIdLength = vector.expected.ready.routingId.length / 2
        expect(toHex(libzmq.subarray(0, 10))).toBe(`ff${(routingIdLength + 1).toString(16).padStart(16, "0")}7f`)
        if (libzmqIsPlainServer(vector)) {
          expect(libzmq[32], "libzmq's as-server octet").toBe(0)
          expect(ours[32], "our as-server octet (RFC 23)").toBe(1)
          ours[32] = 0
        }
        expect(toHex(ours)).toBe(toHex(libzmq))
      })

      const reencoded = (): { bytes: Uint8Array; handshakeEnd: number } => {
        const result = reencode(vector)
        if (libzmqIsPlainServer(vector)) result.bytes[32] = 0
        return result
      }

      it("handshake commands (READY, or HELLO/INITIATE, WELCOME/READY): ours are byte-identical", () => {
        const ours = reencoded()
        const names = framesOf(bytes.subarray(0, ours.handshakeEnd)).map((f) => commandName(f.body))
        expect(names).toEqual(
          vector.us.mechanism === "PLAIN-server"
            ? ["HELLO", "INITIATE"]
            : vector.us.mechanism === "PLAIN-client"
              ? ["WELCOME", "READY"]
              : ["READY"],
        )
        expect(toHex(ours.bytes.subarray(64, ours.handshakeEnd))).toBe(toHex(bytes.subarray(64, ours.handshakeEnd)))
      })

      it("data phase: re-sending the expected events through our codec gives libzmq's bytes", () => {
        const ours = reencoded()
        expect(toHex(ours.bytes.subarray(ours.handshakeEnd))).toBe(toHex(bytes.subarray(ours.handshakeEnd)))
        expect(ours.bytes.length).toBe(bytes.length)
      })
    })
  }

  it("heartbeat: libzmq's PING carries the TTL in deciseconds; our PONG matches libzmq's PONG", () => {
    const vector = vectors.find((v) => v.name === "heartbeat")!
    const bytes = hex(vector.hex)
    const frames = framesOf(bytes)
    const ping = frames.find((f) => (f.flags & 0x04) !== 0 && commandName(f.body) === "PING")!
    const pong = frames.find((f) => (f.flags & 0x04) !== 0 && commandName(f.body) === "PONG")!
    expect(toHex(ping.raw)).toBe(toHex(hex("04 07 04 50494e47 0014"))) // TTL 20 ds = heartbeatTimeToLive 2000 ms
    expect(toHex(pong.raw)).toBe(toHex(concat(hex("04 0a 04 504f4e47"), ascii("ctx-1"))))

    // Fed libzmq's bytes, we answer its context-less PING with an empty PONG.
    const conn = new ZmtpConnection(usOptions(vector.us))
    conn.dataToSend()
    drive(conn, [bytes])
    const replies = conn.dataToSend()
    expect(toHex(replies.subarray(replies.length - 7))).toBe("040504504f4e47")

    // Asked the PING libzmq answered, we answer with libzmq's exact PONG.
    const ready = new ZmtpConnection(usOptions(vector.us))
    drive(ready, [bytes.subarray(0, bytes.length - ping.raw.length - pong.raw.length)])
    ready.dataToSend()
    const events = ready.receiveData(concat(hex("04 0c 04 50494e47 0000"), ascii("ctx-1")))
    expect(summarize(events)).toEqual([{ type: "ping", ttl: 0, context: toHex(ascii("ctx-1")) }])
    expect(toHex(ready.dataToSend())).toBe(toHex(pong.raw))
  })
})
