/**
 * Records the bytes a real libzmq (4.3.5, through the `zeromq` npm package) sends, and writes them as wire
 * vectors to `libzmq.json` next to this file. Run from packages/zmtp:
 *
 *   npx tsx --conditions=@zmq-ts/source test/vectors/record-libzmq.ts
 *
 * Each scenario puts a libzmq socket on one end of a TCP connection and our `ZmtpConnection` on the other:
 *
 *   libzmq socket ──TCP──▶ node:net socket ──receiveData()──▶ ZmtpConnection ("us")
 *                 ◀─────── write(dataToSend()) ◀─────────────┘
 *
 * libzmq stages its greeting and waits for ours between stages, so we must answer: our connection supplies
 * the greeting, READY (or the PLAIN commands) and PONGs. Every byte libzmq sends is recorded; when the
 * events the scenario expects have arrived, the recording is cut at the frame boundary after the last of
 * them (heartbeats would otherwise make it nondeterministic), and the decoded events are checked against
 * the expectation written here from what libzmq was told to do, not from what the codec decoded.
 *
 * The script exits non-zero if any vector does not decode to its expectation; the JSON is written anyway
 * so the difference can be inspected.
 */
import { writeFileSync } from "node:fs"
import * as net from "node:net"
import { fileURLToPath } from "node:url"
import * as zmq from "zeromq"
import { nullMechanism, plainClient, plainServer, ZmtpConnection } from "../../src/index.js"
import type { Mechanism, SocketType, ZmtpEvent } from "../../src/index.js"

// ── what a vector looks like (the test reads the same shape) ─────────────────────────────────────────

/** Our end of the connection: enough to rebuild a compatible `ZmtpConnection` in the test. */
interface UsSpec {
  readonly socketType: SocketType
  readonly routingId?: string
  readonly zmtpMinorVersion?: 0 | 1
  /** NULL, or PLAIN as server (accepting everyone) or as client with these credentials. */
  readonly mechanism: "NULL" | "PLAIN-server" | "PLAIN-client"
  readonly username?: string
  readonly password?: string
}

/** Events in a JSON-friendly form: byte strings as lowercase hex. */
type ExpectedEvent =
  | { type: "message"; frames: string[] }
  | { type: "subscribe" | "cancel"; topic: string }
  | { type: "ping"; ttl: number; context: string }
  | { type: "pong"; context: string }

interface ExpectedReady {
  socketType: string
  routingId: string
  zmtpVersion: string
  mechanism: string
}

interface Vector {
  name: string
  description: string
  /** libzmq's socket type. */
  socketType: string
  direction: "libzmq->us"
  /** Who connected: "libzmq connects" (we listened) or "libzmq binds" (we connected). */
  role: "libzmq connects" | "libzmq binds"
  /** libzmq's socket options that shape its bytes (routing id, PLAIN credentials, heartbeats). */
  libzmqOptions: Record<string, string | number | boolean>
  us: UsSpec
  hex: string
  expected: { ready: ExpectedReady; events: ExpectedEvent[] }
}

// ── helpers ──────────────────────────────────────────────────────────────────────────────────────────

const toHex = (bytes: Uint8Array | string): string =>
  Buffer.from(typeof bytes === "string" ? Buffer.from(bytes, "latin1") : bytes).toString("hex")

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

function mechanismFor(us: UsSpec): Mechanism {
  switch (us.mechanism) {
    case "NULL":
      return nullMechanism()
    case "PLAIN-server":
      return plainServer({ authenticate: () => ({ allow: true }) })
    case "PLAIN-client":
      return plainClient({ username: us.username ?? "", password: us.password ?? "" })
  }
}

function connectionFor(us: UsSpec): ZmtpConnection {
  return new ZmtpConnection({
    socketType: us.socketType,
    mechanism: mechanismFor(us),
    ...(us.routingId === undefined ? {} : { routingId: us.routingId }),
    ...(us.zmtpMinorVersion === undefined ? {} : { zmtpMinorVersion: us.zmtpMinorVersion }),
  })
}

/** Events other than `ready`, in the JSON form; `ready` and errors are reported separately. */
function summarize(event: ZmtpEvent): ExpectedEvent | { type: string; detail: string } {
  switch (event.type) {
    case "message":
      return { type: "message", frames: event.frames.map((f) => toHex(f)) }
    case "subscribe":
    case "cancel":
      return { type: event.type, topic: toHex(event.topic) }
    case "ping":
      return { type: "ping", ttl: event.ttl, context: toHex(event.context) }
    case "pong":
      return { type: "pong", context: toHex(event.context) }
    case "error":
      return { type: "error", detail: `${event.error.code}: ${event.error.message}` }
    default:
      return { type: event.type, detail: JSON.stringify(event) }
  }
}

function summarizeReady(event: ZmtpEvent): ExpectedReady | undefined {
  if (event.type !== "ready") return undefined
  const { peer } = event
  return {
    socketType: peer.socketType ?? "",
    routingId: toHex(peer.routingId),
    zmtpVersion: `${peer.zmtpVersion.major}.${peer.zmtpVersion.minor}`,
    mechanism: peer.mechanism,
  }
}

/**
 * Splits a recording into the greeting and whole frames by reading frame headers directly (not through the
 * codec), so the recording can be cut on a frame boundary and frame kinds can be reported.
 */
function frameBoundaries(bytes: Uint8Array): { end: number; flags: number; body: Uint8Array }[] {
  const frames: { end: number; flags: number; body: Uint8Array }[] = []
  let pos = 64
  while (pos < bytes.length) {
    const flags = bytes[pos]!
    let size: number
    let start: number
    if ((flags & 0x02) === 0) {
      if (pos + 2 > bytes.length) break
      size = bytes[pos + 1]!
      start = pos + 2
    } else {
      if (pos + 9 > bytes.length) break
      size = Number(Buffer.from(bytes.subarray(pos + 1, pos + 9)).readBigUInt64BE(0))
      start = pos + 9
    }
    if (start + size > bytes.length) break
    frames.push({ end: start + size, flags, body: bytes.subarray(start, start + size) })
    pos = start + size
  }
  return frames
}

/** The shortest prefix (greeting + whole frames) that a fresh connection decodes to `count` events. */
function cutAfterEvents(bytes: Uint8Array, us: UsSpec, count: number): Uint8Array {
  const conn = connectionFor(us)
  let seen = conn.receiveData(bytes.subarray(0, 64)).length
  let start = 64
  for (const frame of frameBoundaries(bytes)) {
    seen += conn.receiveData(bytes.subarray(start, frame.end)).length
    start = frame.end
    if (seen >= count) return bytes.subarray(0, frame.end)
  }
  return bytes
}

/** One live TCP connection between libzmq and our codec. */
class Session {
  readonly conn: ZmtpConnection
  readonly received: Buffer[] = []
  readonly events: ZmtpEvent[] = []
  readonly #tcp: net.Socket
  #waiters: Array<() => void> = []

  constructor(tcp: net.Socket, us: UsSpec) {
    this.#tcp = tcp
    this.conn = connectionFor(us)
    tcp.on("error", () => {})
    tcp.on("data", (chunk: Buffer) => {
      this.received.push(Buffer.from(chunk))
      if (this.conn.state === "failed" || this.conn.state === "closed") return
      this.events.push(...this.conn.receiveData(Uint8Array.from(chunk)))
      this.flush()
      for (const wake of this.#waiters) wake()
    })
    this.flush()
  }

  flush(): void {
    const out = this.conn.dataToSend()
    if (out.length > 0) this.#tcp.write(Uint8Array.from(out))
  }

  send(frames: (string | Uint8Array)[]): void {
    this.conn.send(frames.map((f) => (typeof f === "string" ? Buffer.from(f) : f)))
    this.flush()
  }

  async waitFor(what: string, predicate: (events: ZmtpEvent[]) => boolean, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs
    while (!predicate(this.events)) {
      const failed = this.events.find((e) => e.type === "error")
      if (failed !== undefined && failed.type === "error") throw new Error(`${what}: ${failed.error.message}`)
      const left = deadline - Date.now()
      if (left <= 0) throw new Error(`timed out waiting for ${what}; events: ${JSON.stringify(this.events.map(summarize))}`)
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left)
        this.#waiters.push(() => {
          clearTimeout(timer)
          resolve()
        })
      })
      this.#waiters = []
    }
  }

  ready(): Promise<void> {
    return this.waitFor("the handshake", (events) => events.some((e) => e.type === "ready"))
  }

  destroy(): void {
    this.#tcp.destroy()
  }
}

// ── scenarios ────────────────────────────────────────────────────────────────────────────────────────

interface Scenario {
  name: string
  description: string
  role: Vector["role"]
  libzmqOptions: Record<string, string | number | boolean>
  make(): zmq.Socket
  us: UsSpec
  ready: ExpectedReady
  events: ExpectedEvent[]
  /** Runs once both handshakes are done: make libzmq send what `events` expects. */
  run(socket: zmq.Socket, session: Session): Promise<void>
  /** Computes a finding from the recorded frames, appended to the description. */
  finding?(frames: ReturnType<typeof frameBoundaries>): string
}

const bytesOf = (n: number, seed: number): Buffer => Buffer.from(Array.from({ length: n }, (_, i) => (i * 7 + seed) & 0xff))
const FRAME_0 = Buffer.alloc(0)
const FRAME_1 = Buffer.from([0x2a])
const FRAME_255 = bytesOf(255, 1)
const FRAME_256 = bytesOf(256, 3)
const msg = (...frames: (string | Buffer)[]): ExpectedEvent => ({ type: "message", frames: frames.map((f) => toHex(f)) })
const ready = (socketType: string, routingId = "", mechanism = "NULL", zmtpVersion = "3.1"): ExpectedReady => ({
  socketType,
  routingId: toHex(routingId),
  zmtpVersion,
  mechanism,
})

/** The messages every "sends a variety" scenario has libzmq send: multipart, then 0, 1, 255, 256 bytes. */
const VARIETY: (string | Buffer)[][] = [["hello"], ["part-1", "", "part-3"], [FRAME_0], [FRAME_1], [FRAME_255], [FRAME_256]]
const VARIETY_DESCRIPTION = 'messages "hello", a 3-part message ("part-1", "", "part-3"), then single frames of 0, 1, 255 (short) and 256 bytes (long)'

async function sendAll(socket: zmq.Writable, messages: (string | Buffer)[][]): Promise<void> {
  for (const message of messages) await socket.send(message)
}

/** Describes how subscription frames went out: as commands or as 0x01/0x00-prefixed messages. */
function subscriptionForm(frames: ReturnType<typeof frameBoundaries>): string {
  const forms: string[] = []
  for (const frame of frames) {
    const body = frame.body
    if ((frame.flags & 0x04) !== 0) {
      const name = Buffer.from(body.subarray(1, 1 + body[0]!)).toString("latin1")
      if (name === "SUBSCRIBE" || name === "CANCEL") {
        forms.push(`${name} command ${JSON.stringify(Buffer.from(body.subarray(1 + body[0]!)).toString("latin1"))}`)
      }
    } else if (body.length > 0 && body[0]! <= 1) {
      forms.push(`message 0x0${body[0]} + ${JSON.stringify(Buffer.from(body.subarray(1)).toString("latin1"))}`)
    }
  }
  return forms.join(", ")
}

const scenarios: Scenario[] = [
  {
    name: "dealer-routing-id",
    description: `libzmq DEALER with routingId "client-1" connects to us (ROUTER) and sends ${VARIETY_DESCRIPTION}.`,
    role: "libzmq connects",
    libzmqOptions: { routingId: "client-1" },
    make: () => new zmq.Dealer({ routingId: "client-1", linger: 0 }),
    us: { socketType: "ROUTER", mechanism: "NULL" },
    ready: ready("DEALER", "client-1"),
    events: VARIETY.map((m) => msg(...m)),
    run: (socket) => sendAll(socket as zmq.Dealer, VARIETY),
  },
  {
    name: "router-bind",
    description:
      'libzmq ROUTER binds; we connect as DEALER with routingId "us-1" and send "hi"; the ROUTER answers to "us-1" with "reply" and a 3-part message. The routing id frame is not on the wire.',
    role: "libzmq binds",
    libzmqOptions: {},
    make: () => new zmq.Router({ linger: 0 }),
    us: { socketType: "DEALER", routingId: "us-1", mechanism: "NULL" },
    ready: ready("ROUTER"),
    events: [msg("reply"), msg("a", "b", FRAME_256)],
    async run(socket, session) {
      const router = socket as zmq.Router
      session.send(["hi"])
      const [id] = await router.receive()
      await router.send([id!, "reply"])
      await router.send([id!, "a", "b", FRAME_256])
    },
  },
  {
    name: "req",
    description:
      'libzmq REQ connects to us (REP) and sends "request-1": on the wire an empty delimiter frame (MORE) then the body.',
    role: "libzmq connects",
    libzmqOptions: {},
    make: () => new zmq.Request({ linger: 0 }),
    us: { socketType: "REP", mechanism: "NULL" },
    ready: ready("REQ"),
    events: [msg("", "request-1")],
    run: (socket) => (socket as zmq.Request).send("request-1"),
  },
  {
    name: "rep-bind",
    description:
      'libzmq REP binds; we connect as REQ and send ["", "question"]; the REP answers "answer", which travels with the empty delimiter echoed back.',
    role: "libzmq binds",
    libzmqOptions: {},
    make: () => new zmq.Reply({ linger: 0 }),
    us: { socketType: "REQ", mechanism: "NULL" },
    ready: ready("REP"),
    events: [msg("", "answer")],
    async run(socket, session) {
      const rep = socket as zmq.Reply
      session.send(["", "question"])
      await rep.receive()
      await rep.send("answer")
    },
  },
  {
    name: "push",
    description: `libzmq PUSH connects to us (PULL) and sends ${VARIETY_DESCRIPTION}.`,
    role: "libzmq connects",
    libzmqOptions: {},
    make: () => new zmq.Push({ linger: 0 }),
    us: { socketType: "PULL", mechanism: "NULL" },
    ready: ready("PUSH"),
    events: VARIETY.map((m) => msg(...m)),
    run: (socket) => sendAll(socket as zmq.Push, VARIETY),
  },
  {
    name: "pull-bind",
    description: "libzmq PULL binds; we connect as PUSH. A PULL never sends messages: only its greeting and READY.",
    role: "libzmq binds",
    libzmqOptions: {},
    make: () => new zmq.Pull({ linger: 0 }),
    us: { socketType: "PUSH", mechanism: "NULL" },
    ready: ready("PULL"),
    events: [],
    run: async () => {},
  },
  {
    name: "pub-bind",
    description:
      'libzmq PUB binds; we connect as SUB and subscribe to everything (SUBSCRIBE ""), then the PUB publishes "weather sunny" and a 2-part message ("sports", "goal").',
    role: "libzmq binds",
    libzmqOptions: {},
    make: () => new zmq.Publisher({ linger: 0 }),
    us: { socketType: "SUB", mechanism: "NULL" },
    ready: ready("PUB"),
    events: [msg("weather sunny"), msg("sports", "goal")],
    async run(socket, session) {
      session.conn.subscribe(new Uint8Array(0))
      session.flush()
      await sleep(150) // the PUB must have processed the subscription before it publishes
      await (socket as zmq.Publisher).send("weather sunny")
      await (socket as zmq.Publisher).send(["sports", "goal"])
    },
  },
  {
    name: "sub-zmtp31",
    description:
      'libzmq SUB connects to us (PUB, ZMTP 3.1); after the handshake it subscribes to "" and "weather", then unsubscribes from "weather".',
    role: "libzmq connects",
    libzmqOptions: {},
    make: () => new zmq.Subscriber({ linger: 0 }),
    us: { socketType: "PUB", mechanism: "NULL" },
    ready: ready("SUB"),
    events: [
      { type: "subscribe", topic: "" },
      { type: "subscribe", topic: toHex("weather") },
      { type: "cancel", topic: toHex("weather") },
    ],
    async run(socket) {
      const sub = socket as zmq.Subscriber
      sub.subscribe("")
      sub.subscribe("weather")
      sub.unsubscribe("weather")
    },
    finding: (frames) => `To a ZMTP 3.1 peer libzmq 4.3.5 sent: ${subscriptionForm(frames)}.`,
  },
  {
    name: "sub-zmtp30",
    description:
      'libzmq SUB connects to us (PUB advertising ZMTP 3.0, zmtpMinorVersion 0); after the handshake it subscribes to "" and "weather", then unsubscribes from "weather".',
    role: "libzmq connects",
    libzmqOptions: {},
    make: () => new zmq.Subscriber({ linger: 0 }),
    us: { socketType: "PUB", zmtpMinorVersion: 0, mechanism: "NULL" },
    ready: ready("SUB"),
    events: [
      { type: "subscribe", topic: "" },
      { type: "subscribe", topic: toHex("weather") },
      { type: "cancel", topic: toHex("weather") },
    ],
    async run(socket) {
      const sub = socket as zmq.Subscriber
      sub.subscribe("")
      sub.subscribe("weather")
      sub.unsubscribe("weather")
    },
    finding: (frames) => `To a ZMTP 3.0 peer libzmq 4.3.5 sent: ${subscriptionForm(frames)}.`,
  },
  {
    name: "xsub-zmtp31",
    description:
      'libzmq XSUB connects to us (PUB, ZMTP 3.1) and sends the messages 0x01 "news" (subscribe), "hello-upstream" (an ordinary message, passed upstream) and 0x00 "news" (cancel).',
    role: "libzmq connects",
    libzmqOptions: {},
    make: () => new zmq.XSubscriber({ linger: 0 }),
    us: { socketType: "PUB", mechanism: "NULL" },
    ready: ready("XSUB"),
    events: [{ type: "subscribe", topic: toHex("news") }, msg("hello-upstream"), { type: "cancel", topic: toHex("news") }],
    async run(socket) {
      const xsub = socket as zmq.XSubscriber
      await xsub.send(Buffer.from("\x01news", "latin1"))
      await xsub.send("hello-upstream")
      await xsub.send(Buffer.from("\x00news", "latin1"))
    },
    finding: (frames) => `To a ZMTP 3.1 peer libzmq 4.3.5's XSUB sent: ${subscriptionForm(frames)}.`,
  },
  {
    name: "xsub-zmtp30",
    description:
      'libzmq XSUB connects to us (PUB advertising ZMTP 3.0) and sends the messages 0x01 "news" and 0x00 "news".',
    role: "libzmq connects",
    libzmqOptions: {},
    make: () => new zmq.XSubscriber({ linger: 0 }),
    us: { socketType: "PUB", zmtpMinorVersion: 0, mechanism: "NULL" },
    ready: ready("XSUB"),
    events: [{ type: "subscribe", topic: toHex("news") }, { type: "cancel", topic: toHex("news") }],
    async run(socket) {
      const xsub = socket as zmq.XSubscriber
      await xsub.send(Buffer.from("\x01news", "latin1"))
      await xsub.send(Buffer.from("\x00news", "latin1"))
    },
    finding: (frames) => `To a ZMTP 3.0 peer libzmq 4.3.5's XSUB sent: ${subscriptionForm(frames)}.`,
  },
  {
    name: "xpub-bind",
    description:
      'libzmq XPUB binds; we connect as SUB and subscribe to "alerts"; the XPUB receives the subscription and publishes "alerts fire".',
    role: "libzmq binds",
    libzmqOptions: {},
    make: () => new zmq.XPublisher({ linger: 0 }),
    us: { socketType: "SUB", mechanism: "NULL" },
    ready: ready("XPUB"),
    events: [msg("alerts fire")],
    async run(socket, session) {
      const xpub = socket as zmq.XPublisher
      session.conn.subscribe(Buffer.from("alerts"))
      session.flush()
      await xpub.receive()
      await xpub.send("alerts fire")
    },
  },
  {
    name: "pair",
    description: `libzmq PAIR connects to us (PAIR) and sends "pair-1" and a 2-part message ("x", 256 bytes).`,
    role: "libzmq connects",
    libzmqOptions: {},
    make: () => new zmq.Pair({ linger: 0 }),
    us: { socketType: "PAIR", mechanism: "NULL" },
    ready: ready("PAIR"),
    events: [msg("pair-1"), msg("x", FRAME_256)],
    async run(socket) {
      await (socket as zmq.Pair).send("pair-1")
      await (socket as zmq.Pair).send(["x", FRAME_256])
    },
  },
  {
    name: "plain-client",
    description:
      'libzmq DEALER as PLAIN client (username "admin", password "secret") connects to us (ROUTER, PLAIN server that accepts everyone): greeting with mechanism PLAIN and as-server 0, HELLO, INITIATE, then the message "authenticated".',
    role: "libzmq connects",
    libzmqOptions: { plainUsername: "admin", plainPassword: "secret" },
    make: () => new zmq.Dealer({ plainUsername: "admin", plainPassword: "secret", linger: 0 }),
    us: { socketType: "ROUTER", mechanism: "PLAIN-server" },
    ready: ready("DEALER", "", "PLAIN"),
    events: [msg("authenticated")],
    run: (socket) => (socket as zmq.Dealer).send("authenticated"),
  },
  {
    name: "plain-server-bind",
    description:
      'libzmq ROUTER as PLAIN server binds (a ZAP handler on inproc://zeromq.zap.01 accepts "admin"/"secret"); we connect as DEALER with routingId "us-2", PLAIN client. libzmq sends its greeting (PLAIN, as-server 1), WELCOME and READY, then answers our "hi" with "welcome".',
    role: "libzmq binds",
    libzmqOptions: { plainServer: true },
    make: () => new zmq.Router({ plainServer: true, linger: 0 }),
    us: { socketType: "DEALER", routingId: "us-2", mechanism: "PLAIN-client", username: "admin", password: "secret" },
    ready: ready("ROUTER", "", "PLAIN"),
    events: [msg("welcome")],
    async run(socket, session) {
      const router = socket as zmq.Router
      session.send(["hi"])
      const [id] = await router.receive()
      await router.send([id!, "welcome"])
    },
  },
  {
    name: "heartbeat",
    description:
      'libzmq DEALER with heartbeatInterval 100 ms and heartbeatTimeToLive 2000 ms connects to us (ROUTER). Right after the handshake we send PING (ttl 0, context "ctx-1"); libzmq answers PONG "ctx-1", then sends its own PING with TTL 20 deciseconds and no context ~100 ms after the handshake. The recording is cut after that PING.',
    role: "libzmq connects",
    libzmqOptions: { heartbeatInterval: 100, heartbeatTimeToLive: 2000 },
    make: () => new zmq.Dealer({ heartbeatInterval: 100, heartbeatTimeToLive: 2000, linger: 0 }),
    us: { socketType: "ROUTER", mechanism: "NULL" },
    ready: ready("DEALER"),
    events: [
      { type: "pong", context: toHex("ctx-1") },
      { type: "ping", ttl: 2000, context: "" },
    ],
    async run(_socket, session) {
      session.conn.ping(0, Buffer.from("ctx-1"))
      session.flush()
    },
  },
]

// ── the runner ───────────────────────────────────────────────────────────────────────────────────────

/** Answers every ZAP request (RFC 27) with 200 for admin/secret and 400 otherwise. */
async function startZapHandler(): Promise<zmq.Router> {
  const zap = new zmq.Router({ linger: 0 })
  await zap.bind("inproc://zeromq.zap.01")
  void (async () => {
    try {
      for await (const frames of zap) {
        // [routing id, "", version, request id, domain, address, identity, mechanism, username, password]
        const [id, , version, requestId, , , , , username, password] = frames
        const ok = username?.toString() === "admin" && password?.toString() === "secret"
        await zap.send([id!, "", version!, requestId!, ok ? "200" : "400", ok ? "OK" : "denied", ok ? "admin" : "", ""])
      }
    } catch {
      // closed
    }
  })()
  return zap
}

async function record(scenario: Scenario): Promise<{ vector: Vector; ok: boolean }> {
  const socket = scenario.make()
  let server: net.Server | undefined
  let session: Session
  if (scenario.role === "libzmq connects") {
    const srv = net.createServer()
    server = srv
    const accepted = new Promise<net.Socket>((resolve) => srv.once("connection", resolve))
    await new Promise<void>((resolve) => srv.listen(0, "127.0.0.1", resolve))
    const { port } = srv.address() as net.AddressInfo
    socket.connect(`tcp://127.0.0.1:${port}`)
    session = new Session(await accepted, scenario.us)
  } else {
    await socket.bind("tcp://127.0.0.1:*")
    const port = Number(/:(\d+)$/.exec(socket.lastEndpoint ?? "")?.[1])
    const tcp = net.connect(port, "127.0.0.1")
    await new Promise<void>((resolve, reject) => {
      tcp.once("connect", resolve)
      tcp.once("error", reject)
    })
    session = new Session(tcp, scenario.us)
  }
  try {
    await session.ready()
    await scenario.run(socket, session)
    const want = 1 + scenario.events.length
    await session.waitFor(`${want} events`, (events) => events.length >= want)
    await sleep(30) // let anything unexpected arrive, so it is reported below
  } finally {
    socket.close()
    session.destroy()
    if (server !== undefined) await new Promise<void>((resolve) => server.close(() => resolve()))
  }

  const all = new Uint8Array(Buffer.concat(session.received))
  const bytes = cutAfterEvents(all, scenario.us, 1 + scenario.events.length)
  if (bytes.length < all.length) {
    console.log(`  ${scenario.name}: cut ${all.length - bytes.length} trailing bytes (${toHex(all.subarray(bytes.length))})`)
  }

  const decoded = connectionFor(scenario.us).receiveData(bytes)
  const gotReady = decoded[0] === undefined ? undefined : summarizeReady(decoded[0])
  const got = { ready: gotReady, events: decoded.slice(1).map(summarize) }
  const expected = { ready: scenario.ready, events: scenario.events }
  const ok = JSON.stringify(got) === JSON.stringify(expected)
  if (!ok) {
    console.error(`  ${scenario.name}: decoded events differ from the expectation`)
    console.error(`    expected ${JSON.stringify(expected)}`)
    console.error(`    decoded  ${JSON.stringify(got)}`)
  }

  const finding = scenario.finding?.(frameBoundaries(bytes))
  if (finding !== undefined) console.log(`  ${scenario.name}: ${finding}`)
  return {
    ok,
    vector: {
      name: scenario.name,
      description: finding === undefined ? scenario.description : `${scenario.description} ${finding}`,
      socketType: scenario.ready.socketType,
      direction: "libzmq->us",
      role: scenario.role,
      libzmqOptions: scenario.libzmqOptions,
      us: scenario.us,
      hex: toHex(bytes),
      expected,
    },
  }
}

/** Checks what libzmq put in its greetings across all vectors and says it in words. */
function greetingFindings(vectors: readonly Vector[]): string {
  const findings: string[] = []
  const greetings = vectors.map((v) => ({ v, g: Buffer.from(v.hex.slice(0, 128), "hex") }))
  const paddingIsIdLength = greetings.every(
    ({ v, g }) => g.readBigUInt64BE(1) === BigInt(v.expected.ready.routingId.length / 2 + 1),
  )
  findings.push(
    paddingIsIdLength
      ? "the 8 greeting padding octets always hold the routing id length + 1 as a 64-bit big-endian number (a ZMTP 1.0 relic: the length of the identity frame), e.g. 00..09 for \"client-1\" and 00..01 without a routing id."
      : "the greeting padding octets do NOT always hold the routing id length + 1 (see the vectors).",
  )
  const versions = new Set(greetings.map(({ g }) => `${g[10]}.${g[11]}`))
  findings.push(`libzmq always greets with version ${[...versions].join("/")}, also to a peer that greets with 3.0.`)
  const asServer = new Set(greetings.map(({ g }) => g[32]))
  const plainServer = greetings.find(({ v }) => v.libzmqOptions["plainServer"] === true)
  findings.push(
    `The as-server octet is ${[...asServer].map((b) => `0x0${b}`).join("/")} in every greeting` +
      (plainServer === undefined ? "." : `, including the PLAIN server's (0x0${plainServer.g[32]}): libzmq does not set as-server, so it cannot be used to detect two clients.`),
  )
  findings.push(
    "READY/INITIATE properties come in the order Socket-Type, then Identity (REQ, DEALER and ROUTER only, empty when no routing id is set).",
  )
  return findings.join(" ")
}

async function main(): Promise<void> {
  const watchdog = setTimeout(() => {
    console.error("record-libzmq: timed out")
    process.exit(2)
  }, 60_000)
  watchdog.unref()

  const zap = await startZapHandler()
  const vectors: Vector[] = []
  let failures = 0
  try {
    for (const scenario of scenarios) {
      console.log(`recording ${scenario.name}`)
      const { vector, ok } = await record(scenario)
      vectors.push(vector)
      if (!ok) failures++
    }
  } finally {
    zap.close()
  }

  const subscriptions = vectors
    .filter((v) => v.name.startsWith("sub-") || v.name.startsWith("xsub-"))
    .map((v) => v.description.replace(/^.*?(To a ZMTP)/, "$1"))
  const out = {
    description:
      "Bytes sent by a real libzmq peer, recorded over TCP by record-libzmq.ts. Each vector's hex is everything libzmq sent on one connection (greeting included), cut after the last expected event; `expected` is what those bytes must decode to. Byte strings are lowercase hex. " +
      `Findings: ${greetingFindings(vectors)} Subscriptions: ${subscriptions.join(" ")}`,
    libzmq: zmq.version,
    recordedWith: "zeromq (npm) 6.8.0",
    vectors,
  }
  const path = fileURLToPath(new URL("./libzmq.json", import.meta.url))
  writeFileSync(path, `${JSON.stringify(out, null, 2)}\n`)
  console.log(`wrote ${vectors.length} vectors to ${path}`)
  if (failures > 0) {
    console.error(`${failures} vector(s) did not decode as expected`)
    process.exitCode = 1
  }
}

await main()
