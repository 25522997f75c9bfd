/**
 * The handshake matrix: every pair of socket types × every mechanism pairing, two connections driven against
 * each other in memory under random chunking (fast-check picks the chunk sizes, versions, routing ids,
 * metadata, credentials).
 *
 *   a ──greeting, READY | HELLO/INITIATE──▶ b
 *   a ◀──greeting, READY | WELCOME/READY/ERROR── b
 *
 * Either both sides end `ready` (iff the socket types are compatible and the mechanisms agree), or each side
 * ends as RFC 23/24 say it must: failed with the right code, or (a PLAIN client whose server refused its
 * Socket-Type without an ERROR) still waiting for a READY that will never come, until the transport closes.
 */
import { describe, expect, it } from "vitest"
import fc from "fast-check"
import { nullMechanism, plainClient, plainServer, SocketType, ZmtpErrorCode } from "../src/index.js"
import type {
  AuthenticationRequest,
  AuthenticationResult,
  Mechanism,
  PeerInfo,
  ZmtpConnectionOptions,
  ZmtpEvent,
} from "../src/index.js"
import { cyclicChunker, eventsOf, Pair, sameBytes } from "./helpers/pair.js"
import type { Side } from "./helpers/pair.js"

// ── RFC 23 §"Socket Semantics" (+ the draft types of RFC 41/48/49/51/52), restated independently ─────

const ALL_TYPES: readonly SocketType[] = [
  "PAIR", "PUB", "SUB", "REQ", "REP", "DEALER", "ROUTER", "PULL", "PUSH", "XPUB", "XSUB",
  "SERVER", "CLIENT", "RADIO", "DISH", "GATHER", "SCATTER", "PEER", "CHANNEL",
]

/** The valid pairs, each listed once, in either order. */
const VALID_PAIRS: ReadonlyArray<readonly [SocketType, SocketType]> = [
  ["PAIR", "PAIR"],
  ["PUB", "SUB"],
  ["PUB", "XSUB"],
  ["XPUB", "SUB"],
  ["XPUB", "XSUB"],
  ["REQ", "REP"],
  ["REQ", "ROUTER"],
  ["DEALER", "REP"],
  ["DEALER", "DEALER"],
  ["DEALER", "ROUTER"],
  ["ROUTER", "ROUTER"],
  ["PUSH", "PULL"],
  ["CLIENT", "SERVER"],
  ["RADIO", "DISH"],
  ["SCATTER", "GATHER"],
  ["PEER", "PEER"],
  ["CHANNEL", "CHANNEL"],
]

function compatible(x: SocketType, y: SocketType): boolean {
  return VALID_PAIRS.some(([p, q]) => (p === x && q === y) || (p === y && q === x))
}

/** Types whose READY carries `Identity` (libzmq: REQ, DEALER, ROUTER). */
const SENDS_IDENTITY: ReadonlySet<SocketType> = new Set<SocketType>(["REQ", "DEALER", "ROUTER"])

// ── scenarios ────────────────────────────────────────────────────────────────────────────────────

const SCENARIOS = [
  "NULL / NULL",
  "PLAIN client / PLAIN server, allowed by a sync authenticator",
  "PLAIN client / PLAIN server, allowed via the authenticate event",
  "PLAIN client / PLAIN server, denied by a sync authenticator",
  "PLAIN client / PLAIN server, denied via the authenticate event",
  "PLAIN client / PLAIN client",
  "PLAIN server / PLAIN server",
  "NULL / PLAIN client",
  "NULL / PLAIN server",
] as const
type Scenario = (typeof SCENARIOS)[number]

interface Input {
  readonly minors: readonly [0 | 1, 0 | 1]
  readonly chunkSizes: readonly [readonly number[], readonly number[]]
  readonly routingIds: readonly [Uint8Array, Uint8Array]
  readonly metadata: readonly [Record<string, string | Uint8Array>, Record<string, string | Uint8Array>]
  /** Which side plays the first role of the scenario (the PLAIN client, or NULL in "NULL / PLAIN"). */
  readonly swap: boolean
  readonly username: string | Uint8Array
  readonly password: string | Uint8Array
  readonly userId: string | undefined
  readonly statusCode: 300 | 400 | 500 | undefined
  readonly peerAddress: string | undefined
  /** Answer the authenticate event from inside the event loop (true) or once the pair is quiet (false). */
  readonly answerAtOnce: boolean
}

const propertyName = fc.stringMatching(/^[Xx]-[A-Za-z0-9_.+-]{0,16}$/)
const propertyValue: fc.Arbitrary<string | Uint8Array> = fc.oneof(
  fc.string({ unit: "binary", maxLength: 20 }),
  fc.uint8Array({ maxLength: 300 }),
)
const metadata = fc
  .uniqueArray(fc.tuple(propertyName, propertyValue), { selector: ([name]) => name.toLowerCase(), maxLength: 4 })
  .map((entries) => Object.fromEntries(entries))
/** PLAIN credentials: ≤ 50 code points of up to 4 UTF-8 bytes, or raw bytes (≤ 255 either way). */
const credential: fc.Arbitrary<string | Uint8Array> = fc.oneof(
  fc.string({ unit: "binary", maxLength: 50 }),
  fc.uint8Array({ maxLength: 255 }),
)
const chunkSizes = fc.array(fc.integer({ min: 1, max: 70 }), { minLength: 1, maxLength: 5 })

const input: fc.Arbitrary<Input> = fc.record({
  minors: fc.tuple(fc.constantFrom<0 | 1>(0, 1), fc.constantFrom<0 | 1>(0, 1)),
  chunkSizes: fc.tuple(chunkSizes, chunkSizes),
  routingIds: fc.tuple(fc.uint8Array({ maxLength: 255 }), fc.uint8Array({ maxLength: 255 })),
  metadata: fc.tuple(metadata, metadata),
  swap: fc.boolean(),
  username: credential,
  password: credential,
  userId: fc.option(fc.string({ maxLength: 12 }), { nil: undefined }),
  statusCode: fc.constantFrom<300 | 400 | 500 | undefined>(300, 400, 500, undefined),
  peerAddress: fc.option(fc.constantFrom("tcp://127.0.0.1:5555", "ipc:///tmp/x", "inproc://y"), { nil: undefined }),
  answerAtOnce: fc.boolean(),
})

/** What a side must end as. */
type Outcome =
  | { readonly state: "ready" }
  | { readonly state: "failed"; readonly code: string; readonly reason?: string }
  | { readonly state: "handshake" }

const ready: Outcome = { state: "ready" }
const failed = (code: string, reason?: string): Outcome =>
  reason === undefined ? { state: "failed", code } : { state: "failed", code, reason }

/** Expected outcomes for the scenario's first role and second role (before any swap). */
function expected(scenario: Scenario, types: readonly [SocketType, SocketType], statusCode: number | undefined): [Outcome, Outcome] {
  const fits = compatible(types[0], types[1])
  switch (scenario) {
    case "NULL / NULL":
      return fits ? [ready, ready] : [failed(ZmtpErrorCode.INCOMPATIBLE_SOCKET_TYPE), failed(ZmtpErrorCode.INCOMPATIBLE_SOCKET_TYPE)]
    case "PLAIN client / PLAIN server, allowed by a sync authenticator":
    case "PLAIN client / PLAIN server, allowed via the authenticate event":
      // The server judges the client's INITIATE and closes without ERROR (as libzmq does); the client, having
      // sent INITIATE, waits for a READY until its transport reports the close.
      return fits ? [ready, ready] : [{ state: "handshake" }, failed(ZmtpErrorCode.INCOMPATIBLE_SOCKET_TYPE)]
    case "PLAIN client / PLAIN server, denied by a sync authenticator":
    case "PLAIN client / PLAIN server, denied via the authenticate event": {
      const reason = String(statusCode ?? 400)
      return [failed(ZmtpErrorCode.PEER_ERROR, reason), failed(ZmtpErrorCode.AUTHENTICATION_FAILED, reason)]
    }
    case "PLAIN client / PLAIN client":
      // libzmq sends as-server 0 even as a PLAIN server, so two clients pass the greeting; each then fails on
      // the other's HELLO.
      return [failed(ZmtpErrorCode.UNEXPECTED_COMMAND), failed(ZmtpErrorCode.UNEXPECTED_COMMAND)]
    case "PLAIN server / PLAIN server":
    case "NULL / PLAIN client":
    case "NULL / PLAIN server":
      return [failed(ZmtpErrorCode.MECHANISM_MISMATCH), failed(ZmtpErrorCode.MECHANISM_MISMATCH)]
  }
}

const utf8 = (value: string | Uint8Array): Uint8Array => (typeof value === "string" ? new TextEncoder().encode(value) : value)
/** What the server's authenticator must see: the credential as UTF-8, malformed sequences replaced. */
const asText = (value: string | Uint8Array): string => new TextDecoder().decode(utf8(value))

function runScenario(scenario: Scenario, types: readonly [SocketType, SocketType], input: Input): void {
  const requests: AuthenticationRequest[] = []
  const allow = scenario.includes("allowed")
  const decision = (): AuthenticationResult =>
    allow
      ? input.userId === undefined
        ? { allow: true }
        : { allow: true, userId: input.userId }
      : input.statusCode === undefined
        ? { allow: false, statusText: "go away" }
        : { allow: false, statusCode: input.statusCode }
  const client = (): Mechanism => plainClient({ username: input.username, password: input.password })
  const server = (): Mechanism =>
    plainServer(
      scenario.includes("sync")
        ? {
            authenticate: (request) => {
              requests.push(request)
              return decision()
            },
          }
        : {},
    )
  const mechanisms: [Mechanism, Mechanism] =
    scenario === "NULL / NULL"
      ? [nullMechanism(), nullMechanism()]
      : scenario === "PLAIN client / PLAIN client"
        ? [client(), client()]
        : scenario === "PLAIN server / PLAIN server"
          ? [server(), server()]
          : scenario === "NULL / PLAIN client"
            ? [nullMechanism(), client()]
            : scenario === "NULL / PLAIN server"
              ? [nullMechanism(), server()]
              : [client(), server()]
  const outcomes = expected(scenario, types, input.statusCode)
  // Side a plays role 0 unless swapped; the socket types stay with the sides.
  const role = (side: 0 | 1): 0 | 1 => ((input.swap ? 1 - side : side) as 0 | 1)
  const options = (side: 0 | 1): ZmtpConnectionOptions => ({
    socketType: types[side],
    mechanism: mechanisms[role(side)],
    zmtpMinorVersion: input.minors[side],
    routingId: input.routingIds[side],
    metadata: input.metadata[side],
    ...(input.peerAddress === undefined ? {} : { peerAddress: input.peerAddress }),
  })

  const pending: Side[] = []
  const pair = new Pair(options(0), options(1), {
    chunkers: { a: cyclicChunker(input.chunkSizes[0]), b: cyclicChunker(input.chunkSizes[1]) },
    onEvent: (side, event) => {
      if (event.type !== "authenticate") return
      requests.push(event.request)
      if (!input.answerAtOnce) {
        pending.push(side)
        return
      }
      return side.connection.resolveAuthentication(decision())
    },
  })
  pair.pump()
  for (const side of pending.splice(0)) {
    expect(side.connection.state).toBe("handshake")
    pair.collect(side, side.connection.resolveAuthentication(decision()))
    pair.pump()
  }

  // The authenticator (sync or async) saw the client's credentials and our peerAddress, once.
  if (scenario.startsWith("PLAIN client / PLAIN server")) {
    expect(requests.length).toBe(1)
    const request = requests[0]!
    expect(request.mechanism).toBe("PLAIN")
    expect(request.username).toBe(asText(input.username))
    expect(request.password).toBe(asText(input.password))
    expect(request.peerAddress).toBe(input.peerAddress)
  } else {
    expect(requests).toEqual([])
  }

  const sides = [pair.a, pair.b] as const
  for (const side of [0, 1] as const) {
    const self = sides[side]
    const other = (1 - side) as 0 | 1
    const outcome = outcomes[role(side)]
    const { connection, events } = self
    const where = `side ${self.name} (${types[side]}, ${mechanisms[role(side)]!.name})`
    expect(connection.state, where).toBe(outcome.state)
    const errors = eventsOf(events, "error")
    const readies = eventsOf(events, "ready")
    // Only the handshake's own events: ready or error, and authenticate on an async PLAIN server.
    for (const event of events) expect(["ready", "error", "authenticate"], where).toContain(event.type)
    if (outcome.state === "ready") {
      expect(errors, where).toEqual([])
      expect(readies.length, where).toBe(1)
      checkPeer(connection.peer, readies[0]!, types[other], input, other, mechanisms[role(side)]!, {
        userId: mechanisms[role(side)]!.asServer && input.userId !== undefined ? input.userId : undefined,
      })
    } else if (outcome.state === "failed") {
      expect(readies, where).toEqual([])
      expect(errors.length, where).toBe(1)
      const error = errors[0]!.error
      expect(events[events.length - 1], where).toBe(errors[0])
      expect(connection.error, where).toBe(error)
      expect(error.origin, where).toBe("remote")
      expect(error.code, where).toBe(outcome.code)
      if (outcome.reason !== undefined) expect(error.reason, where).toBe(outcome.reason)
      expect(connection.peer, where).toBeUndefined()
    } else {
      expect(events, where).toEqual([])
      expect(connection.peer, where).toBeUndefined()
    }
  }
}

function checkPeer(
  peer: PeerInfo | undefined,
  event: Extract<ZmtpEvent, { type: "ready" }>,
  peerType: SocketType,
  input: Input,
  peerSide: 0 | 1,
  mechanism: Mechanism,
  expectedAuth: { userId: string | undefined },
): void {
  expect(peer).toBeDefined()
  expect(event.peer).toBe(peer)
  if (peer === undefined) return
  expect(peer.socketType).toBe(peerType)
  expect(peer.mechanism).toBe(mechanism.name)
  expect(peer.zmtpVersion).toEqual({ major: 3, minor: input.minors[peerSide] })
  expect(peer.userId).toBe(expectedAuth.userId)
  const routingId = SENDS_IDENTITY.has(peerType) ? input.routingIds[peerSide] : new Uint8Array(0)
  expect(sameBytes(peer.routingId, routingId)).toBe(true)
  expect(peer.metadata.has("Identity")).toBe(SENDS_IDENTITY.has(peerType))
  expect(new TextDecoder().decode(peer.metadata.get("socket-type"))).toBe(peerType)
  expect(new TextDecoder().decode(peer.metadata.get("SOCKET-TYPE"))).toBe(peerType)
  const sent = Object.entries(input.metadata[peerSide])
  for (const [name, value] of sent) {
    const want = utf8(value)
    const swapped = [...name].map((c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase())).join("")
    for (const spelling of [name, name.toLowerCase(), name.toUpperCase(), swapped]) {
      const got = peer.metadata.get(spelling)
      expect(got !== undefined && sameBytes(got, want), `metadata ${spelling}`).toBe(true)
    }
  }
  // Socket-Type, Identity (for some types) and what the application set: nothing else.
  expect(peer.metadata.size).toBe(1 + (SENDS_IDENTITY.has(peerType) ? 1 : 0) + sent.length)
}

// ── the matrix ───────────────────────────────────────────────────────────────────────────────────

describe("handshake matrix", () => {
  it("the restated table covers exactly the 19 socket types", () => {
    expect([...ALL_TYPES].sort()).toEqual(Object.values(SocketType).sort())
    for (const [x, y] of VALID_PAIRS) expect(ALL_TYPES.includes(x) && ALL_TYPES.includes(y)).toBe(true)
  })

  const allPairs = ALL_TYPES.flatMap((x) => ALL_TYPES.map((y) => [x, y] as const))

  for (const scenario of SCENARIOS) {
    it(`${scenario}: all 19×19 socket type pairs, random chunking`, () => {
      for (const types of allPairs) {
        fc.assert(
          fc.property(fc.constant(scenario), fc.constant(types), input, (s, t, i) => runScenario(s, t, i)),
          { numRuns: 2 },
        )
      }
    })
  }

  it("any scenario, any pair, any chunking (fast-check picks everything)", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...SCENARIOS),
        fc.tuple(fc.constantFrom(...ALL_TYPES), fc.constantFrom(...ALL_TYPES)),
        input,
        (scenario, types, i) => runScenario(scenario, types, i),
      ),
      { numRuns: 300 },
    )
  })

  it("compatible pairs only (where the interesting checks happen)", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...SCENARIOS.filter((s) => s === "NULL / NULL" || s.startsWith("PLAIN client / PLAIN server"))),
        fc.constantFrom(...VALID_PAIRS).chain(([x, y]) => fc.constantFrom<readonly [SocketType, SocketType]>([x, y], [y, x])),
        input,
        (scenario, types, i) => runScenario(scenario, types, i),
      ),
      { numRuns: 300 },
    )
  })
})

// ── regressions (shrunk counterexamples of the properties above) ─────────────────────────────────

describe("regressions found by the handshake matrix", () => {
  it("a synchronous PLAIN authenticator gets peerAddress, as the authenticate event does", () => {
    const seen: AuthenticationRequest[] = []
    const pair = new Pair(
      { socketType: "PAIR", mechanism: plainClient({ username: "", password: "" }) },
      {
        socketType: "PAIR",
        peerAddress: "tcp://127.0.0.1:5555",
        mechanism: plainServer({
          authenticate: (request) => {
            seen.push(request)
            return { allow: true }
          },
        }),
      },
    )
    pair.pump()
    expect(pair.b.connection.state).toBe("ready")
    expect(seen).toEqual([{ mechanism: "PLAIN", username: "", password: "", peerAddress: "tcp://127.0.0.1:5555" }])
  })

  it("a PLAIN password of truncated UTF-8 (e0 a0) reaches the authenticator as one U+FFFD, as TextDecoder has it", () => {
    const pair = new Pair(
      { socketType: "PAIR", mechanism: plainClient({ username: Uint8Array.of(0xe0, 0xa0), password: Uint8Array.of(0xe0, 0xa0, 0x41) }) },
      { socketType: "PAIR", mechanism: plainServer() },
    )
    pair.pump()
    const [event] = eventsOf(pair.b.events, "authenticate")
    expect(event?.request.username).toBe("\ufffd")
    expect(event?.request.password).toBe("\ufffdA")
  })
})
