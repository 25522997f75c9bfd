/**
 * Property tests for the codec (fast-check): what users rely on, over inputs nobody would write by hand.
 *
 *   ┌──────────────┐  dataToSend[Segments]() ─ cut at random points ─▶  ┌──────────────┐
 *   │ ZmtpConnection│                                                     │ ZmtpConnection│
 *   │      a       │  ◀─ cut at random points ─ dataToSend[Segments]()   │      b       │
 *   └──────────────┘                                                     └──────────────┘
 *
 * 1. round trips under any chunking, both directions, 3.0 or 3.1 on either side, copy or vectored output;
 * 2. random bytes (fresh or ready connection) only ever end in a remote ZmtpError event;
 * 3. mutated valid streams: the same, and the untouched prefix still delivers exactly what was sent;
 * 4. size limits are enforced from the header alone, and unlimited huge frames allocate nothing up front;
 * 6. subscriptions arrive intact as commands (3.1) or 0x01/0x00 messages (3.0);
 * 7. PING/PONG carry ttl and context.
 * (5, the handshake matrix, lives in handshake-matrix.test.ts.)
 *
 * No fixed seed: every run explores new inputs; a failure prints the seed and counterexample to replay.
 */
import { describe, expect, it } from "vitest"
import fc from "fast-check"
import { nullMechanism, plainClient, plainServer, ZmtpConnection, ZmtpError, ZmtpErrorCode } from "../src/index.js"
import type { SocketType, ZmtpConnectionOptions, ZmtpEvent } from "../src/index.js"
import {
  assertSameMessages,
  COMMAND,
  commandBody,
  concat,
  cyclicChunker,
  encodeFrame,
  eventsOf,
  filled,
  frameHeader,
  greeting,
  isOpen,
  MORE,
  Pair,
  parseFrames,
  sameBytes,
  splitAt,
  wireSize,
} from "./helpers/pair.js"
import type { Side } from "./helpers/pair.js"

const KIB = 1024
const REMOTE_CODES: ReadonlySet<string> = new Set(Object.values(ZmtpErrorCode))

function check(condition: boolean, message: () => string): asserts condition {
  if (!condition) throw new Error(message())
}

// ── arbitraries ──────────────────────────────────────────────────────────────────────────────────

const minorVersion = fc.constantFrom<0 | 1>(0, 1)

/** Frame bodies: mostly small, the 255/256 short/long boundary, the 16 KiB zero-copy and 64 KiB gather
 * boundaries, up to ~100 KiB, and now and then ~300 KiB. Large bodies are filled from a seed. */
const seeded = (size: fc.Arbitrary<number>): fc.Arbitrary<Uint8Array> =>
  fc.tuple(size, fc.integer()).map(([n, seed]) => filled(n, seed))
const frameBody: fc.Arbitrary<Uint8Array> = fc.oneof(
  { weight: 12, arbitrary: fc.uint8Array({ maxLength: 300 }) },
  {
    weight: 4,
    arbitrary: seeded(fc.constantFrom(0, 1, 254, 255, 256, 257, 16 * KIB - 1, 16 * KIB, 16 * KIB + 1, 64 * KIB - 1, 64 * KIB, 64 * KIB + 1)),
  },
  { weight: 3, arbitrary: seeded(fc.integer({ min: 301, max: 100 * KIB })) },
  { weight: 1, arbitrary: seeded(fc.integer({ min: 100 * KIB, max: 300 * KIB })) },
)
const smallFrameBody: fc.Arbitrary<Uint8Array> = fc.oneof(
  { weight: 8, arbitrary: fc.uint8Array({ maxLength: 300 }) },
  { weight: 1, arbitrary: seeded(fc.integer({ min: 301, max: 70 * KIB })) },
)
const messageOf = (body: fc.Arbitrary<Uint8Array>): fc.Arbitrary<Uint8Array[]> =>
  fc.array(body, { minLength: 1, maxLength: 8 })
/** A few messages of any size, or a burst of many small ones (which fills the encoder's 64 KiB slabs). */
const messageList: fc.Arbitrary<Uint8Array[][]> = fc.oneof(
  { weight: 3, arbitrary: fc.array(messageOf(frameBody), { maxLength: 6 }) },
  {
    weight: 1,
    arbitrary: fc
      .record({ count: fc.integer({ min: 1, max: 250 }), largest: fc.integer({ min: 1, max: 4000 }), seed: fc.integer() })
      .map(({ count, largest, seed }) => {
        // Shapes from the seed's own bytes: 1–3 frames of 0..largest bytes each.
        const shape = filled(count * 6, seed)
        return Array.from({ length: count }, (_, m) =>
          Array.from({ length: 1 + (shape[6 * m]! % 3) }, (_, f) =>
            filled(((shape[6 * m + 1 + f]! << 8) | shape[6 * m + 4 + (f % 2)]!) % (largest + 1), seed + m * 3 + f),
          ),
        )
      }),
  },
)

/**
 * Where a stream is cut, as a function of its length: random points, a window cut at every byte (so headers
 * get split at every offset), every byte of a small stream, or fixed-size chunks.
 */
type Cuts = (length: number) => number[]
const fraction = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true })
const cuts: fc.Arbitrary<Cuts> = fc.oneof(
  fc
    .record({
      points: fc.array(fraction, { maxLength: 40 }),
      window: fc.option(fc.record({ start: fraction, length: fc.integer({ min: 1, max: 1500 }) }), { nil: undefined }),
    })
    .map(({ points, window }) => (length: number) => {
      const out = points.map((p) => Math.floor(p * length))
      if (window !== undefined) {
        const start = Math.floor(window.start * length)
        for (let i = start; i < Math.min(length, start + window.length); i++) out.push(i)
      }
      return out
    }),
  // Every byte, for streams small enough that this stays cheap; otherwise 1-byte chunks at the start.
  fc.constant((length: number) => Array.from({ length: Math.min(length, 20 * KIB) }, (_, i) => i)),
  fc.integer({ min: 1, max: 9000 }).map((size) => (length: number) => {
    const out: number[] = []
    for (let i = size; i < length && out.length < 50_000; i += size) out.push(i)
    return out
  }),
)

/** Cuts each segment where `points` (offsets in the concatenated stream) fall inside it. */
function cutSegments(segments: readonly Uint8Array[], points: readonly number[]): Uint8Array[] {
  const sorted = [...new Set(points)].sort((x, y) => x - y)
  const chunks: Uint8Array[] = []
  let offset = 0
  let next = 0
  for (const segment of segments) {
    const local: number[] = []
    while (next < sorted.length && sorted[next]! < offset + segment.length) {
      if (sorted[next]! > offset) local.push(sorted[next]! - offset)
      next++
    }
    chunks.push(...splitAt(segment, local))
    offset += segment.length
  }
  return chunks
}

const chunkSizes = fc.array(fc.integer({ min: 1, max: 100 }), { minLength: 1, maxLength: 6 })

// ── 1. round trip ────────────────────────────────────────────────────────────────────────────────

/** Pairs whose receivers deliver every message as a message (PUB/XPUB turn 0x00/0x01 ones into subscriptions). */
const messagingPairs: ReadonlyArray<readonly [SocketType, SocketType]> = [
  ["DEALER", "ROUTER"],
  ["DEALER", "DEALER"],
  ["ROUTER", "ROUTER"],
  ["REQ", "REP"],
  ["DEALER", "REP"],
  ["PAIR", "PAIR"],
  ["PUSH", "PULL"],
  ["CLIENT", "SERVER"],
  ["SCATTER", "GATHER"],
  ["PEER", "PEER"],
  ["CHANNEL", "CHANNEL"],
]

function readyPair(
  types: readonly [SocketType, SocketType],
  minors: readonly [0 | 1, 0 | 1],
  handshakeChunks: readonly number[],
  extra: { a?: Partial<ZmtpConnectionOptions>; b?: Partial<ZmtpConnectionOptions> } = {},
): Pair {
  const pair = new Pair(
    { socketType: types[0], zmtpMinorVersion: minors[0], ...extra.a },
    { socketType: types[1], zmtpMinorVersion: minors[1], ...extra.b },
    { chunker: cyclicChunker(handshakeChunks) },
  )
  pair.pump()
  check(pair.a.connection.state === "ready" && pair.b.connection.state === "ready", () => "handshake did not complete")
  return pair
}

/**
 * Sends `messages` from `from`, cuts what it produces with `cut` and feeds it to `to`, checking that each
 * message is delivered by the very chunk that holds its last byte (no sooner, no later) and nothing else is.
 * Returns the delivered frames, to be compared once every later write has happened (frames are views).
 */
function transfer(
  from: Side,
  to: Side,
  messages: readonly Uint8Array[][],
  segments: boolean,
  cut: Cuts,
  handedOut: Array<readonly [Uint8Array, Uint8Array]>,
): Uint8Array[][] {
  for (const message of messages) from.connection.send(message)
  const ends: number[] = []
  let expectedLength = 0
  for (const message of messages) {
    for (const body of message) expectedLength += wireSize(body.length)
    ends.push(expectedLength)
  }
  check(from.connection.pendingBytes === expectedLength, () => `pendingBytes ${from.connection.pendingBytes} ≠ ${expectedLength}`)
  const writes = segments ? from.connection.dataToSendSegments() : [from.connection.dataToSend()]
  check(from.connection.pendingBytes === 0, () => "bytes still pending after taking them")
  // The encoder must never touch bytes once handed out: remember them to check after later writes.
  for (const write of writes) handedOut.push([write, write.slice()])
  const total = writes.reduce((sum, w) => sum + w.length, 0)
  check(total === expectedLength, () => `stream of ${total} bytes, ${expectedLength} expected`)
  const delivered: Uint8Array[][] = []
  let fed = 0
  for (const chunk of cutSegments(writes, cut(total))) {
    for (const event of to.connection.receiveData(chunk)) {
      check(event.type === "message", () => `unexpected ${event.type} event`)
      delivered.push(event.frames)
    }
    fed += chunk.length
    const due = ends.filter((end) => end <= fed).length
    check(delivered.length === due, () => `after ${fed} bytes ${delivered.length} messages delivered, ${due} due`)
  }
  check(!to.connection.hasPartialMessage, () => "receiver still holds a partial message")
  return delivered
}

describe("round trip under any chunking", () => {
  it("delivers exactly the messages sent, in order, whole — both directions, 3.0 or 3.1, copy or segments", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...messagingPairs),
        fc.tuple(minorVersion, minorVersion),
        chunkSizes,
        messageList,
        messageList,
        fc.boolean(),
        cuts,
        cuts,
        (types, minors, handshakeChunks, toB, toA, segments, cutAB, cutBA) => {
          const pair = readyPair(types, minors, handshakeChunks)
          expect(pair.a.connection.peer?.zmtpVersion).toEqual({ major: 3, minor: minors[1] })
          expect(pair.b.connection.peer?.zmtpVersion).toEqual({ major: 3, minor: minors[0] })
          // Two rounds, so that frames delivered in the first must survive the encoders' later writes.
          const half = (list: Uint8Array[][]) => [list.slice(0, list.length >> 1), list.slice(list.length >> 1)] as const
          const [toB1, toB2] = half(toB)
          const [toA1, toA2] = half(toA)
          const handedOut: Array<readonly [Uint8Array, Uint8Array]> = []
          const atB = transfer(pair.a, pair.b, toB1, segments, cutAB, handedOut)
          const atA = transfer(pair.b, pair.a, toA1, segments, cutBA, handedOut)
          atB.push(...transfer(pair.a, pair.b, toB2, !segments, cutAB, handedOut))
          atA.push(...transfer(pair.b, pair.a, toA2, !segments, cutBA, handedOut))
          assertSameMessages(atB, toB, "a → b")
          assertSameMessages(atA, toA, "b → a")
          handedOut.forEach(([bytes, copy], i) => check(sameBytes(bytes, copy), () => `write ${i} changed after it was taken`))
          expect(pair.pump()).toBe(0)
        },
      ),
      { numRuns: 60 },
    )
  })
})

// ── 2. random bytes ──────────────────────────────────────────────────────────────────────────────

/**
 * Checks one batch of events against the receive-path contract: any error is a remote ZmtpError with a known
 * code, is the last event, and leaves the connection failed (and only an error does). Returns true on error.
 */
function checkBatch(connection: ZmtpConnection, events: readonly ZmtpEvent[]): boolean {
  let failed = false
  events.forEach((event, i) => {
    check(!failed, () => "event after an error event")
    switch (event.type) {
      case "error":
        check(ZmtpError.isInstance(event.error), () => `error event carries ${String(event.error)}`)
        check(event.error.origin === "remote", () => `error of origin ${event.error.origin}: ${event.error.message}`)
        check(REMOTE_CODES.has(event.error.code), () => `unknown code ${event.error.code}`)
        check(i === events.length - 1, () => "error is not the last event")
        check(connection.state === "failed", () => `state ${connection.state} after an error event`)
        check(connection.error === event.error, () => "connection.error is not the error event's error")
        failed = true
        break
      case "message":
        check(Array.isArray(event.frames) && event.frames.length > 0, () => "message without frames")
        for (const frame of event.frames) check(frame instanceof Uint8Array, () => "frame is not a Uint8Array")
        break
      default:
    }
  })
  if (!failed) check(connection.state !== "failed", () => "connection failed without an error event")
  return failed
}

/** Feeds chunks until the connection fails; a throw propagates and fails the property. */
function feedChecked(
  connection: ZmtpConnection,
  chunks: readonly Uint8Array[],
  onBatch?: (events: readonly ZmtpEvent[]) => readonly ZmtpEvent[],
): ZmtpEvent[] {
  const all: ZmtpEvent[] = []
  for (const chunk of chunks) {
    if (!isOpen(connection)) break
    const events = connection.receiveData(chunk)
    all.push(...events)
    if (checkBatch(connection, events)) break
    const more = onBatch?.(events) ?? []
    all.push(...more)
    if (checkBatch(connection, more)) break
  }
  if (connection.state === "failed") {
    // The connection is done: further input is a local misuse, reported by a throw.
    let thrown: unknown
    try {
      connection.receiveData(new Uint8Array(1))
    } catch (error) {
      thrown = error
    }
    check(ZmtpError.isInstance(thrown) && thrown.code === "EFSM" && thrown.origin === "local", () => "no EFSM after failure")
  }
  return all
}

const commandNames = ["READY", "ERROR", "HELLO", "WELCOME", "INITIATE", "SUBSCRIBE", "CANCEL", "PING", "PONG", "JOIN", "LEAVE", "MESSAGE", "X"]
const metadataBytes: fc.Arbitrary<Uint8Array> = fc
  .array(
    fc.record({
      name: fc.oneof(fc.constantFrom("Socket-Type", "Identity", "socket-type", "X-A"), fc.string({ maxLength: 12 })),
      value: fc.oneof(fc.constantFrom("DEALER", "ROUTER", "PUB", "SUB", "PAIR", "NOPE"), fc.string({ maxLength: 12 })),
      lie: fc.integer({ min: -2, max: 2 }),
    }),
    { maxLength: 3 },
  )
  .map((properties) =>
    concat(
      properties.map(({ name, value, lie }) => {
        const v = Buffer.from(value)
        const out = new Uint8Array(1 + name.length + 4 + v.length)
        out[0] = name.length
        out.set(Buffer.from(name, "latin1"), 1)
        new DataView(out.buffer).setUint32(1 + name.length, Math.max(0, v.length + lie))
        out.set(v, 5 + name.length)
        return out
      }),
    ),
  )
const commandData: fc.Arbitrary<Uint8Array> = fc.oneof(
  fc.uint8Array({ maxLength: 40 }),
  metadataBytes,
  // short strings (ERROR reason, PLAIN username/password), sometimes lying about their length
  fc.array(fc.uint8Array({ maxLength: 10 }), { maxLength: 3 }).chain((strings) =>
    fc.integer({ min: -1, max: 1 }).map((lie) => concat(strings.map((s) => concat([Uint8Array.of(Math.max(0, s.length + lie)), s])))),
  ),
)
/** Tokens that look enough like ZMTP to get past the first checks: raw bytes, frames, commands. */
const token: fc.Arbitrary<Uint8Array> = fc.oneof(
  fc.uint8Array({ maxLength: 24 }),
  fc
    .record({
      flags: fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 0, max: 7 }) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 255 }) }),
      body: fc.uint8Array({ maxLength: 40 }),
      long: fc.boolean(),
      lie: fc.integer({ min: -3, max: 3 }),
    })
    .map(({ flags, body, long, lie }) => concat([frameHeader(flags, Math.max(0, body.length + lie), long), body])),
  fc
    .record({
      name: fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...commandNames) }, { weight: 1, arbitrary: fc.string({ maxLength: 8 }) }),
      data: commandData,
      long: fc.boolean(),
    })
    .map(({ name, data, long }) => encodeFrame(COMMAND, commandBody(name, data), long)),
)
const greetingPrefix: fc.Arbitrary<Uint8Array> = fc.oneof(
  fc.constant(new Uint8Array(0)),
  fc
    .record({
      mechanism: fc.oneof(fc.constantFrom("NULL", "PLAIN", "CURVE"), fc.string({ maxLength: 21 })),
      asServer: fc.boolean(),
      major: fc.oneof(fc.constant(3), fc.integer({ min: 0, max: 255 })),
      minor: fc.integer({ min: 0, max: 255 }),
      patch: fc.option(fc.tuple(fc.integer({ min: 0, max: 63 }), fc.integer({ min: 0, max: 255 })), { nil: undefined }),
    })
    .map(({ mechanism, asServer, major, minor, patch }) => {
      const g = greeting(mechanism, asServer, major, minor)
      if (patch !== undefined) g[patch[0]] = patch[1]
      return g
    }),
)

type Receiver = "null" | "plain-server-allow" | "plain-server-deny" | "plain-server-async" | "plain-client"
const receiverKind = fc.constantFrom<Receiver>("null", "plain-server-allow", "plain-server-deny", "plain-server-async", "plain-client")
const anySocketType = fc.constantFrom<SocketType>(
  "PAIR", "PUB", "SUB", "REQ", "REP", "DEALER", "ROUTER", "PULL", "PUSH", "XPUB", "XSUB", "SERVER", "CLIENT", "RADIO", "DISH", "GATHER", "SCATTER", "PEER", "CHANNEL",
)

function receiverOptions(kind: Receiver, socketType: SocketType, minor: 0 | 1): ZmtpConnectionOptions {
  const mechanism =
    kind === "null"
      ? nullMechanism()
      : kind === "plain-client"
        ? plainClient({ username: "user", password: "pass" })
        : plainServer(
            kind === "plain-server-async"
              ? {}
              : { authenticate: () => (kind === "plain-server-allow" ? { allow: true, userId: "u" } : { allow: false }) },
          )
  return { socketType, mechanism, zmtpMinorVersion: minor, maxMessageSize: 64 * KIB, maxCommandSize: 4 * KIB }
}

/** Answers an async authentication request, if the batch holds one and the connection still waits. */
const answerAuthentication =
  (connection: ZmtpConnection, allow: boolean) =>
  (events: readonly ZmtpEvent[]): readonly ZmtpEvent[] =>
    events.some((e) => e.type === "authenticate") && connection.state === "handshake"
      ? connection.resolveAuthentication(allow ? { allow: true } : { allow: false, statusCode: 500 })
      : []

describe("random bytes", () => {
  it("a fresh connection only ever yields events or a final remote ZmtpError", () => {
    fc.assert(
      fc.property(
        receiverKind,
        anySocketType,
        minorVersion,
        greetingPrefix,
        fc.array(token, { maxLength: 12 }),
        chunkSizes,
        fc.boolean(),
        (kind, socketType, minor, prefix, tokens, sizes, allow) => {
          const connection = new ZmtpConnection(receiverOptions(kind, socketType, minor))
          const stream = concat([prefix, ...tokens])
          feedChecked(connection, cyclicChunker(sizes)(stream), answerAuthentication(connection, allow))
        },
      ),
      { numRuns: 400 },
    )
  })

  it("a ready connection only ever yields events or a final remote ZmtpError", () => {
    fc.assert(
      fc.property(
        fc.constantFrom<readonly [SocketType, SocketType]>(...messagingPairs, ["PUB", "SUB"], ["XPUB", "XSUB"], ["SUB", "PUB"], ["RADIO", "DISH"]),
        fc.tuple(minorVersion, minorVersion),
        fc.array(token, { minLength: 1, maxLength: 16 }),
        chunkSizes,
        (types, minors, tokens, sizes) => {
          const pair = readyPair(types, minors, [64], { b: { maxMessageSize: 64 * KIB, maxCommandSize: 4 * KIB } })
          feedChecked(pair.b.connection, cyclicChunker(sizes)(concat(tokens)))
        },
      ),
      { numRuns: 400 },
    )
  })

  it("pure noise, whatever the state, only ever yields a final remote ZmtpError", () => {
    fc.assert(
      fc.property(
        fc.boolean(),
        fc.array(fc.uint8Array({ minLength: 1, maxLength: 64 }), { minLength: 1, maxLength: 8 }),
        (ready, chunks) => {
          const connection = ready
            ? readyPair(["DEALER", "ROUTER"], [1, 1], [1000]).b.connection
            : new ZmtpConnection({ socketType: "DEALER" })
          feedChecked(connection, chunks)
        },
      ),
      { numRuns: 300 },
    )
  })
})

// ── 3. mutated valid streams ─────────────────────────────────────────────────────────────────────

type Mechanisms = "null" | "plain-client-sends" | "plain-server-sends"

interface RecordedStream {
  /** Everything the sender wrote: greeting, handshake, messages. */
  readonly stream: Uint8Array
  /** Offset just past each message's last byte. */
  readonly messageEnds: number[]
  /** [start, end) of every message frame body. */
  readonly bodies: Array<readonly [number, number]>
  /** Offset of every frame header. */
  readonly headers: number[]
  /** Options for a fresh connection to play the receiver again. */
  readonly receiver: () => ZmtpConnectionOptions
}

/** Runs a real handshake and records what the sender wrote, then splits it with the reference framer. */
function recordStream(
  types: readonly [SocketType, SocketType],
  minors: readonly [0 | 1, 0 | 1],
  mechanisms: Mechanisms,
  messages: readonly Uint8Array[][],
): RecordedStream {
  const client = () => plainClient({ username: "admin", password: "secret" })
  const server = () => plainServer({ authenticate: () => ({ allow: true, userId: "admin" }) })
  const mechanism = (side: "sender" | "receiver") =>
    mechanisms === "null"
      ? nullMechanism()
      : (mechanisms === "plain-client-sends") === (side === "sender")
        ? client()
        : server()
  const receiver = (): ZmtpConnectionOptions => ({ socketType: types[1], zmtpMinorVersion: minors[1], mechanism: mechanism("receiver") })
  const pair = new Pair({ socketType: types[0], zmtpMinorVersion: minors[0], mechanism: mechanism("sender") }, receiver())
  pair.pump()
  check(pair.a.connection.state === "ready" && pair.b.connection.state === "ready", () => "handshake did not complete")
  for (const message of messages) pair.a.connection.send(message)
  pair.pump()
  const stream = concat(pair.a.sent)
  const messageEnds: number[] = []
  const bodies: Array<readonly [number, number]> = []
  const headers: number[] = []
  for (const frame of parseFrames(stream, 64)) {
    headers.push(frame.offset)
    if ((frame.flags & COMMAND) !== 0) continue
    const start = frame.offset + frame.headerSize
    bodies.push([start, start + frame.size])
    if ((frame.flags & MORE) === 0) messageEnds.push(start + frame.size)
  }
  check(messageEnds.length === messages.length, () => "reference framer disagrees on the message count")
  return { stream, messageEnds, bodies, headers, receiver }
}

interface Mutation {
  readonly kind: "flip" | "insert" | "delete"
  /** Where: a fraction of the stream, or (header) the n-th frame header plus a small offset. */
  readonly at: { readonly anywhere: number } | { readonly header: number; readonly offset: number }
  readonly value: number
  readonly count: number
}
const mutation: fc.Arbitrary<Mutation> = fc.record({
  kind: fc.constantFrom<Mutation["kind"]>("flip", "insert", "delete"),
  at: fc.oneof(
    fraction.map((anywhere) => ({ anywhere })),
    fc.record({ header: fraction, offset: fc.integer({ min: 0, max: 9 }) }),
  ),
  value: fc.integer({ min: 1, max: 255 }),
  count: fc.integer({ min: 1, max: 4 }),
})

/** Applies mutations in turn; returns the result and the first offset that may differ from `stream`. */
function mutate(stream: Uint8Array, headers: readonly number[], mutations: readonly Mutation[]): { bytes: Uint8Array; clean: number } {
  let bytes = stream
  let clean = stream.length
  for (const m of mutations) {
    const limit = m.kind === "insert" ? bytes.length + 1 : bytes.length
    if (limit === 0) continue
    const wanted = "anywhere" in m.at ? Math.floor(m.at.anywhere * limit) : headers[Math.floor(m.at.header * headers.length)]! + m.at.offset
    const at = Math.min(wanted, limit - 1)
    if (m.kind === "flip") {
      bytes = bytes.slice()
      bytes[at]! ^= m.value
    } else if (m.kind === "insert") {
      const inserted = Uint8Array.from({ length: m.count }, (_, i) => (m.value * (i + 1)) & 0xff)
      bytes = concat([bytes.subarray(0, at), inserted, bytes.subarray(at)])
    } else {
      bytes = concat([bytes.subarray(0, at), bytes.subarray(at + m.count)])
    }
    clean = Math.min(clean, at)
  }
  return { bytes, clean }
}

const mechanismsArb = fc.constantFrom<Mechanisms>("null", "plain-client-sends", "plain-server-sends")

describe("mutated valid streams", () => {
  it("only ever yield events or a final remote ZmtpError, and the untouched prefix delivers what was sent", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...messagingPairs),
        fc.tuple(minorVersion, minorVersion),
        mechanismsArb,
        fc.array(messageOf(smallFrameBody), { minLength: 1, maxLength: 8 }),
        fc.array(mutation, { minLength: 1, maxLength: 4 }),
        cuts,
        (types, minors, mechanisms, messages, mutations, cut) => {
          const recorded = recordStream(types, minors, mechanisms, messages)
          const { bytes, clean } = mutate(recorded.stream, recorded.headers, mutations)
          const connection = new ZmtpConnection(recorded.receiver())
          const events = feedChecked(connection, splitAt(bytes, cut(bytes.length)))
          const delivered = eventsOf(events, "message").map((e) => e.frames)
          // Messages that end before the first changed byte were decided by the original bytes alone: they
          // must all arrive, exactly as sent. What follows the corruption may be anything well-typed.
          const untouched = recorded.messageEnds.filter((end) => end <= clean).length
          check(delivered.length >= untouched, () => `${delivered.length} messages delivered, ${untouched} untouched`)
          assertSameMessages(delivered.slice(0, untouched), messages.slice(0, untouched), "untouched prefix")
        },
      ),
      { numRuns: 300 },
    )
  })

  it("flipped bits inside message bodies change those bytes and nothing else", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...messagingPairs),
        fc.tuple(minorVersion, minorVersion),
        mechanismsArb,
        fc.array(messageOf(smallFrameBody), { minLength: 1, maxLength: 8 }),
        fc.array(fc.tuple(fraction, fraction, fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 6 }),
        cuts,
        (types, minors, mechanisms, messages, flips, cut) => {
          const recorded = recordStream(types, minors, mechanisms, messages)
          const bytes = recorded.stream.slice()
          const expected = messages.map((message) => message.map((frame) => frame.slice()))
          const flat = expected.flat()
          for (const [which, where, mask] of flips) {
            const index = Math.floor(which * recorded.bodies.length)
            const [start, end] = recorded.bodies[index]!
            if (end === start) continue
            const offset = Math.floor(where * (end - start))
            bytes[start + offset]! ^= mask
            flat[index]![offset]! ^= mask
          }
          const connection = new ZmtpConnection(recorded.receiver())
          const events = feedChecked(connection, splitAt(bytes, cut(bytes.length)))
          check(connection.state === "ready", () => `state ${connection.state}`)
          assertSameMessages(eventsOf(events, "message").map((e) => e.frames), expected, "flipped bodies")
        },
      ),
      { numRuns: 150 },
    )
  })
})

// ── 4. size limits ───────────────────────────────────────────────────────────────────────────────

const TWO_64 = 2n ** 64n
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER)

/** A size claim above `limit`, biased towards the limit and the 2⁵³/2⁶³/2⁶⁴ edges. */
const claimAbove = (limit: bigint): fc.Arbitrary<bigint> =>
  fc.oneof(
    fc.bigInt({ min: limit + 1n, max: limit + 300n }),
    fc.bigInt({ min: limit + 1n, max: TWO_64 - 1n }),
    fc.constantFrom(255n, 256n, 2n ** 31n, 2n ** 32n, MAX_SAFE, MAX_SAFE + 1n, 2n ** 63n, TWO_64 - 1n).filter((n) => n > limit),
  )

/** Cuts `bytes` into non-empty chunks at the given fractions. */
const cutBy = (bytes: Uint8Array, points: readonly number[]): Uint8Array[] =>
  splitAt(bytes, points.map((p) => Math.floor(p * bytes.length)))

/** A connection in `state` whose limits are given, plus a function to feed it as its peer would. */
function connectionIn(state: "handshake" | "ready", limits: Partial<ZmtpConnectionOptions>): ZmtpConnection {
  if (state === "ready") return readyPair(["DEALER", "ROUTER"], [1, 1], [1000], { b: limits }).b.connection
  const connection = new ZmtpConnection({ socketType: "ROUTER", ...limits })
  check(connection.receiveData(greeting("NULL", false)).length === 0, () => "greeting produced events")
  check(connection.state === "handshake", () => `state ${connection.state}`)
  return connection
}

function expectTooLarge(connection: ZmtpConnection, head: Uint8Array, prefix: Uint8Array, points: readonly number[]): void {
  if (prefix.length > 0) check(connection.receiveData(prefix).length === 0, () => "prefix produced events")
  const chunks = cutBy(head, points)
  chunks.forEach((chunk, i) => {
    const events = connection.receiveData(chunk)
    if (i < chunks.length - 1) {
      check(events.length === 0, () => `events before the header was complete: ${events.map((e) => e.type).join()}`)
      return
    }
    check(events.length === 1 && events[0]!.type === "error", () => `events ${events.map((e) => e.type).join()}`)
    const event = events[0] as Extract<ZmtpEvent, { type: "error" }>
    expect(event.error.code).toBe("EMSGSIZE")
    expect(event.error.origin).toBe("remote")
    expect(connection.state).toBe("failed")
  })
}

describe("size limits", () => {
  const limitAndClaim = fc
    .oneof(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: 4 * 1024 * KIB }))
    .chain((limit) => fc.tuple(fc.constant(limit), claimAbove(BigInt(limit))))

  it("a message frame claiming more than maxMessageSize fails with EMSGSIZE as soon as its header is complete", () => {
    fc.assert(
      fc.property(
        fc.constantFrom<"handshake" | "ready">("handshake", "ready"),
        limitAndClaim,
        fc.boolean(),
        fc.boolean(),
        fc.array(fraction, { maxLength: 8 }),
        fc.array(fc.nat(), { maxLength: 3 }),
        (state, [limit, claim], more, forceLong, points, earlierParts) => {
          const connection = connectionIn(state, { maxMessageSize: limit })
          // Earlier frames of the same message, within the limit, change nothing (only once ready).
          const prefix =
            state === "ready" ? concat(earlierParts.map((n) => encodeFrame(MORE, filled(Math.min(n % 300, limit), n)))) : new Uint8Array(0)
          expectTooLarge(connection, frameHeader(more ? MORE : 0, claim, forceLong || claim > 255n), prefix, points)
        },
      ),
      { numRuns: 300 },
    )
  })

  it("a command frame claiming more than maxCommandSize fails with EMSGSIZE, in the handshake or after", () => {
    fc.assert(
      fc.property(
        // A ready connection has accepted the peer's READY (~40 bytes), so its limit is at least that.
        fc.constantFrom<"handshake" | "ready">("handshake", "ready").chain((state) => {
          const min = state === "ready" ? 100 : 0
          return fc
            .oneof(fc.integer({ min, max: 300 }), fc.integer({ min, max: 4 * 1024 * KIB }))
            .chain((limit) => fc.tuple(fc.constant(state), fc.constant(limit), claimAbove(BigInt(limit))))
        }),
        fc.boolean(),
        fc.array(fraction, { maxLength: 8 }),
        ([state, limit, claim], forceLong, points) => {
          const connection = connectionIn(state, { maxCommandSize: limit })
          expectTooLarge(connection, frameHeader(COMMAND, claim, forceLong || claim > 255n), new Uint8Array(0), points)
        },
      ),
      { numRuns: 300 },
    )
  })

  it("without a limit, a huge frame's header and first bytes are buffered at once, allocating nothing up front", () => {
    fc.assert(
      fc.property(
        fc.constantFrom<"message" | "command">("message", "command"),
        fc.oneof(fc.bigInt({ min: 1n << 20n, max: MAX_SAFE }), fc.constantFrom(MAX_SAFE, 2n ** 52n, 2n ** 40n, 2n ** 32n)),
        fc.integer({ min: 0, max: 3000 }),
        fc.array(fraction, { maxLength: 10 }),
        (kind, claim, received, points) => {
          // maxCommandSize must be a safe integer: the largest one is as good as none.
          const limits = kind === "message" ? { maxMessageSize: -1 } : { maxCommandSize: Number.MAX_SAFE_INTEGER }
          const connection = connectionIn("ready", limits)
          const body = filled(received, received)
          if (kind === "command") body.set(commandBody("PING", new Uint8Array(0)).subarray(0, received))
          const bytes = concat([frameHeader(kind === "message" ? MORE : COMMAND, claim, true), body])
          const started = performance.now()
          for (const chunk of cutBy(bytes, points)) {
            const events = connection.receiveData(chunk)
            check(events.length === 0, () => `events ${events.map((e) => e.type).join()}`)
          }
          const elapsed = performance.now() - started
          expect(connection.state).toBe("ready")
          expect(connection.hasPartialMessage).toBe(true)
          check(elapsed < 1000, () => `feeding ${bytes.length} bytes took ${elapsed} ms`)
        },
      ),
      { numRuns: 100 },
    )
  })

  it("without a limit, a size beyond 2^53-1 (which no buffer can hold) fails with EMSGSIZE from the header", () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.bigInt({ min: MAX_SAFE + 1n, max: TWO_64 - 1n }), fc.constantFrom(MAX_SAFE + 1n, 2n ** 63n, TWO_64 - 1n)),
        fc.constantFrom(0, MORE, COMMAND),
        fc.array(fraction, { maxLength: 8 }),
        (claim, flags, points) => {
          const connection = connectionIn("ready", { maxMessageSize: -1, maxCommandSize: Number.MAX_SAFE_INTEGER })
          expectTooLarge(connection, frameHeader(flags, claim, true), new Uint8Array(0), points)
        },
      ),
      { numRuns: 100 },
    )
  })
})

// ── 6. subscriptions ─────────────────────────────────────────────────────────────────────────────

const topic: fc.Arbitrary<Uint8Array> = fc.oneof(
  fc.constant(new Uint8Array(0)),
  fc.uint8Array({ maxLength: 40 }),
  fc.tuple(fc.constantFrom(0, 1), fc.uint8Array({ maxLength: 20 })).map(([first, rest]) => concat([Uint8Array.of(first), rest])),
  seeded(fc.integer({ min: 250, max: 600 })),
)

describe("subscriptions", () => {
  it("subscribe/cancel from SUB/XSUB arrive at PUB/XPUB with the same topic bytes, whatever the versions", () => {
    fc.assert(
      fc.property(
        fc.constantFrom<SocketType>("PUB", "XPUB"),
        fc.constantFrom<SocketType>("SUB", "XSUB"),
        fc.tuple(minorVersion, minorVersion),
        fc.array(fc.tuple(fc.constantFrom<"subscribe" | "cancel">("subscribe", "cancel"), topic), { maxLength: 12 }),
        chunkSizes,
        (publisher, subscriber, [publisherMinor, subscriberMinor], operations, sizes) => {
          const pair = new Pair(
            { socketType: subscriber, zmtpMinorVersion: subscriberMinor },
            { socketType: publisher, zmtpMinorVersion: publisherMinor },
            { chunker: cyclicChunker(sizes) },
          )
          pair.pump()
          const handshakeBytes = concat(pair.a.sent).length
          for (const [operation, bytes] of operations) pair.a.connection[operation](bytes)
          pair.pump()
          const received = pair.b.events.filter((e) => e.type !== "ready")
          expect(received.map((e) => e.type)).toEqual(operations.map(([operation]) => operation))
          received.forEach((event, i) => {
            const sent = operations[i]![1]
            const got = event.type === "subscribe" || event.type === "cancel" ? event.topic : undefined
            check(got !== undefined && sameBytes(got, sent), () => `topic ${i} differs`)
          })
          // On the wire: SUBSCRIBE/CANCEL commands when both speak 3.1, else 0x01/0x00 messages (RFC 29).
          const frames = parseFrames(concat(pair.a.sent), 64).filter((f) => f.offset >= handshakeBytes)
          expect(frames.length).toBe(operations.length)
          const commands = publisherMinor === 1 && subscriberMinor === 1
          for (const frame of frames) expect((frame.flags & COMMAND) !== 0).toBe(commands)
        },
      ),
      { numRuns: 200 },
    )
  })
})

// ── 7. PING/PONG ─────────────────────────────────────────────────────────────────────────────────

const ttl: fc.Arbitrary<number> = fc.oneof(
  fc.integer({ min: 0, max: 6_553_500 }),
  fc.double({ min: 0, max: 6_553_500, noNaN: true }),
  fc.constantFrom(0, 49, 50, 51, 99, 100, 149, 150, 151, 6_553_449, 6_553_450, 6_553_500),
)

describe("PING/PONG", () => {
  it("the peer sees the ttl rounded to deciseconds and the context, and answers PONG with the same context", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...messagingPairs),
        fc.boolean(),
        fc.array(fc.tuple(ttl, fc.uint8Array({ maxLength: 16 })), { minLength: 1, maxLength: 5 }),
        chunkSizes,
        (types, fromA, pings, sizes) => {
          const pair = new Pair({ socketType: types[0] }, { socketType: types[1] }, { chunker: cyclicChunker(sizes) })
          pair.pump()
          const [pinger, pinged] = fromA ? [pair.a, pair.b] : [pair.b, pair.a]
          for (const [ms, context] of pings) pinger.connection.ping(ms, context)
          pair.pump()
          const seen = eventsOf(pinged.events, "ping")
          const answered = eventsOf(pinger.events, "pong")
          expect(seen.length).toBe(pings.length)
          expect(answered.length).toBe(pings.length)
          pings.forEach(([ms, context], i) => {
            const event = seen[i]!
            check(event.ttl % 100 === 0 && Math.abs(event.ttl - ms) <= 50, () => `ttl ${ms} ms arrived as ${event.ttl}`)
            expect(event.ttl).toBe(Math.round(ms / 100) * 100)
            check(sameBytes(event.context, context), () => `ping context ${i} differs`)
            check(sameBytes(answered[i]!.context, context), () => `pong context ${i} differs`)
          })
          expect(pinged.events.filter((e) => e.type !== "ready" && e.type !== "ping")).toEqual([])
          expect(pinger.events.filter((e) => e.type !== "ready" && e.type !== "pong")).toEqual([])
        },
      ),
      { numRuns: 150 },
    )
  })

  it("ping when either side speaks ZMTP 3.0 is refused locally with ENOTSUP", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...messagingPairs),
        fc.constantFrom<readonly [0 | 1, 0 | 1]>([1, 0], [0, 1], [0, 0]),
        ttl,
        (types, minors, ms) => {
        const pair = readyPair(types, minors, [1000])
        let thrown: unknown
        try {
          pair.a.connection.ping(ms)
        } catch (error) {
          thrown = error
        }
        check(ZmtpError.isInstance(thrown) && thrown.code === "ENOTSUP" && thrown.origin === "local", () => "no ENOTSUP")
        expect(pair.a.connection.pendingBytes).toBe(0)
      }),
      { numRuns: 20 },
    )
  })
})
