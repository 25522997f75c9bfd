/**
 * What the tests against a real libzmq peer (zeromq.js 6.8's bundled libzmq 4.3.5) share: our sockets and
 * zeromq.js's behind one `Peer` shape, sockets and ipc paths cleaned up after each test, patterned frames
 * compared byte for byte, one conversation per socket-type pair, and waits on either library's events.
 */
import { createHash } from "node:crypto"
import { rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { setTimeout as sleep } from "node:timers/promises"
import { expect } from "vitest"
import * as zmq from "zeromq"
import {
  Dealer,
  Pair,
  Publisher,
  Pull,
  Push,
  Reply,
  Request,
  Router,
  Subscriber,
  XPublisher,
  XSubscriber,
  type Socket,
} from "../../src/index.js"
import { afterThisTest, track } from "./cleanup.js"

export { afterThisTest, track }
export { nextEvent, recordEvents, until } from "./transports.js"

export type SocketTypeName = "PAIR" | "PUSH" | "PULL" | "REQ" | "REP" | "DEALER" | "ROUTER" | "PUB" | "SUB" | "XPUB" | "XSUB"
export type Library = "ours" | "libzmq"
export type PeerTransport = "tcp" | "ipc"

export const TIMEOUT = 5000

/** The part of the zeromq.js v6 API the tests use; both libraries' sockets have it. */
export interface Peer {
  readonly library: Library
  readonly type: SocketTypeName
  /** The routing id this peer announces (set on every socket that can have one). */
  readonly routingId: string
  readonly socket: Socket | zmq.Socket
  send(message: Buffer[]): Promise<void>
  receive(): Promise<Buffer[]>
}

const OUR_CLASSES = {
  PAIR: Pair,
  PUSH: Push,
  PULL: Pull,
  REQ: Request,
  REP: Reply,
  DEALER: Dealer,
  ROUTER: Router,
  PUB: Publisher,
  SUB: Subscriber,
  XPUB: XPublisher,
  XSUB: XSubscriber,
}
const THEIR_CLASSES = {
  PAIR: zmq.Pair,
  PUSH: zmq.Push,
  PULL: zmq.Pull,
  REQ: zmq.Request,
  REP: zmq.Reply,
  DEALER: zmq.Dealer,
  ROUTER: zmq.Router,
  PUB: zmq.Publisher,
  SUB: zmq.Subscriber,
  XPUB: zmq.XPublisher,
  XSUB: zmq.XSubscriber,
}

const SENDS: ReadonlySet<SocketTypeName> = new Set(["PAIR", "PUSH", "REQ", "REP", "DEALER", "ROUTER", "PUB", "XPUB", "XSUB"])
const RECEIVES: ReadonlySet<SocketTypeName> = new Set(["PAIR", "PULL", "REQ", "REP", "DEALER", "ROUTER", "SUB", "XPUB", "XSUB"])

/** Timeouts so a broken case fails instead of hanging; zeromq.js refuses the option of a direction it lacks. */
function baseOptions(type: SocketTypeName, library: Library): Record<string, unknown> {
  return {
    ...(library === "libzmq" ? { linger: 0 } : {}),
    ...(SENDS.has(type) && type !== "PUB" ? { sendTimeout: TIMEOUT } : {}),
    ...(RECEIVES.has(type) ? { receiveTimeout: TIMEOUT } : {}),
    ...(type === "ROUTER" ? { mandatory: true } : {}),
    ...(type === "REQ" || type === "DEALER" || type === "ROUTER" ? { routingId: routingIdOf(library, type) } : {}),
  }
}

export function routingIdOf(library: Library, type: SocketTypeName): string {
  return `${library}-${type.toLowerCase()}`
}

interface Endpoints {
  bind(address: string): Promise<void>
  connect(address: string): void
  readonly lastEndpoint: string | null
  close(): void
}

/** Options over the defaults above; `undefined` removes a default (zeromq.js refuses `routingId: null`). */
function merge(base: Record<string, unknown>, options: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries({ ...base, ...options }).filter(([, value]) => value !== undefined))
}

export function ours(type: SocketTypeName, options: Record<string, unknown> = {}): Socket {
  const Class = OUR_CLASSES[type] as unknown as new (options: Record<string, unknown>) => Socket
  return track(new Class(merge(baseOptions(type, "ours"), options)))
}

export function theirs(type: SocketTypeName, options: Record<string, unknown> = {}): zmq.Socket {
  const Class = THEIR_CLASSES[type] as unknown as new (options: Record<string, unknown>) => zmq.Socket
  return track(new Class(merge(baseOptions(type, "libzmq"), options)))
}

/** A socket of `library` as a `Peer`. */
export function peer(library: Library, type: SocketTypeName, options: Record<string, unknown> = {}): Peer {
  return asPeer(library === "ours" ? ours(type, options) : theirs(type, options), library, type)
}

export function asPeer(socket: Socket | zmq.Socket, library: Library, type: SocketTypeName): Peer {
  const duplex = socket as unknown as Pick<Peer, "send" | "receive">
  return {
    library,
    type,
    routingId: routingIdOf(library, type),
    socket,
    send: (message) => duplex.send(message),
    receive: () => duplex.receive(),
  }
}

// ── resources: every socket and ipc path a test opens is closed/removed after it ───────────────────

let ipcCounter = 0

export function ipcAddress(): string {
  const path = join(tmpdir(), `zmq-ts-interop-${process.pid}-${++ipcCounter}-${Math.random().toString(36).slice(2, 8)}.sock`)
  afterThisTest(() => rmSync(path, { force: true }))
  return `ipc://${path}`
}

/** An address for `bind` that gives its real endpoint in `lastEndpoint`. */
export function bindAddress(transport: PeerTransport): string {
  return transport === "tcp" ? "tcp://127.0.0.1:*" : ipcAddress()
}

export async function bindAndConnect(binder: Endpoints, connecter: Endpoints, transport: PeerTransport): Promise<void> {
  await binder.bind(bindAddress(transport))
  const endpoint = binder.lastEndpoint
  if (endpoint === null) throw new Error("bound socket has no lastEndpoint")
  connecter.connect(endpoint)
}

// ── messages ───────────────────────────────────────────────────────────────────────────────────────

export const SIZES = [0, 1, 255, 256, 64 * 1024, 1024 * 1024] as const
export const EMPTY = Buffer.alloc(0)

/** Deterministic bytes that differ from one frame to the next and do not repeat every 256 bytes. */
export function pattern(size: number, seed: number): Buffer {
  const out = Buffer.alloc(size)
  for (let i = 0; i < size; i++) out[i] = (i * 31 + (i >>> 8) * 7 + seed * 101 + 1) & 0xff
  return out
}

/** The a→b message (sizes ascending) and the b→a message (descending, other content). */
export const FORWARD: readonly Buffer[] = SIZES.map((size, i) => pattern(size, i + 1))
export const BACKWARD: readonly Buffer[] = [...SIZES].reverse().map((size, i) => pattern(size, i + 50))

function describeFrame(frame: Buffer): string {
  if (frame.length <= 16) return `${frame.length} B 0x${frame.toString("hex")}`
  return `${frame.length} B sha256:${createHash("sha256").update(frame).digest("hex").slice(0, 16)}`
}

/** Exact bytes, frame by frame (large frames compared by length and SHA-256 for a readable failure). */
export function expectFrames(actual: readonly Buffer[], expected: readonly Buffer[]): void {
  expect(actual.map((frame) => frame.length), "frame sizes").toEqual(expected.map((frame) => frame.length))
  expected.forEach((frame, i) => {
    expect(describeFrame(actual[i]!), `frame ${i}`).toBe(describeFrame(frame))
    expect(actual[i]!.equals(frame), `frame ${i} bytes`).toBe(true)
  })
}

export function text(value: string): Buffer {
  return Buffer.from(value, "utf8")
}

// ── the conversations, per pair ────────────────────────────────────────────────────────────────────

/** PAIR/PAIR, DEALER/DEALER: no envelopes either way. */
export async function exchangeSymmetric(a: Peer, b: Peer): Promise<void> {
  await a.send([...FORWARD])
  expectFrames(await b.receive(), FORWARD)
  await b.send([...BACKWARD])
  expectFrames(await a.receive(), BACKWARD)
}

export async function exchangePushPull(push: Peer, pull: Peer): Promise<void> {
  await push.send([...FORWARD])
  await push.send([...BACKWARD])
  expectFrames(await pull.receive(), FORWARD)
  expectFrames(await pull.receive(), BACKWARD)
}

export async function exchangeRequestReply(request: Peer, reply: Peer): Promise<void> {
  await request.send([...FORWARD])
  expectFrames(await reply.receive(), FORWARD)
  await reply.send([...BACKWARD])
  expectFrames(await request.receive(), BACKWARD)
}

/** The ROUTER sees [REQ's routing id, empty delimiter, body] and must put the same envelope on the reply. */
export async function exchangeRequestRouter(request: Peer, router: Peer): Promise<void> {
  await request.send([...FORWARD])
  const received = await router.receive()
  expectFrames(received.slice(0, 2), [text(request.routingId), EMPTY])
  expectFrames(received.slice(2), FORWARD)
  await router.send([received[0]!, EMPTY, ...BACKWARD])
  expectFrames(await request.receive(), BACKWARD)
}

/** A DEALER talking to REP writes and reads the empty delimiter itself. */
export async function exchangeDealerReply(dealer: Peer, reply: Peer): Promise<void> {
  await dealer.send([EMPTY, ...FORWARD])
  expectFrames(await reply.receive(), FORWARD)
  await reply.send([...BACKWARD])
  expectFrames(await dealer.receive(), [EMPTY, ...BACKWARD])
}

export async function exchangeDealerRouter(dealer: Peer, router: Peer): Promise<void> {
  await dealer.send([...FORWARD])
  const received = await router.receive()
  expectFrames(received.slice(0, 1), [text(dealer.routingId)])
  expectFrames(received.slice(1), FORWARD)
  await router.send([received[0]!, ...BACKWARD])
  expectFrames(await dealer.receive(), BACKWARD)
}

/** Both ROUTERs know each other's explicit routing id once the handshake is done. */
export async function exchangeRouterRouter(a: Peer, b: Peer): Promise<void> {
  await sendWhenRoutable(a, [text(b.routingId), ...FORWARD])
  const atB = await b.receive()
  expectFrames(atB.slice(0, 1), [text(a.routingId)])
  expectFrames(atB.slice(1), FORWARD)
  await b.send([text(a.routingId), ...BACKWARD])
  const atA = await a.receive()
  expectFrames(atA.slice(0, 1), [text(b.routingId)])
  expectFrames(atA.slice(1), BACKWARD)
}

/** One compatible pair: `a` and `b` are its two socket types; `exchange` drives a conversation and checks it. */
export interface PatternCase {
  readonly a: SocketTypeName
  readonly b: SocketTypeName
  readonly exchange: (a: Peer, b: Peer) => Promise<void>
}

/** The request-reply, pipeline and exclusive-pair socket-type pairs, each with its conversation. */
export const PATTERNS: readonly PatternCase[] = [
  { a: "PAIR", b: "PAIR", exchange: exchangeSymmetric },
  { a: "PUSH", b: "PULL", exchange: exchangePushPull },
  { a: "REQ", b: "REP", exchange: exchangeRequestReply },
  { a: "REQ", b: "ROUTER", exchange: exchangeRequestRouter },
  { a: "DEALER", b: "REP", exchange: exchangeDealerReply },
  { a: "DEALER", b: "ROUTER", exchange: exchangeDealerRouter },
  { a: "DEALER", b: "DEALER", exchange: exchangeSymmetric },
  { a: "ROUTER", b: "ROUTER", exchange: exchangeRouterRouter },
]

/** A mandatory ROUTER fails with EHOSTUNREACH until the handshake has told it the peer's routing id. */
export async function sendWhenRoutable(router: Pick<Peer, "send">, message: Buffer[]): Promise<void> {
  const deadline = Date.now() + TIMEOUT
  for (;;) {
    try {
      await router.send(message)
      return
    } catch (error) {
      if ((error as { code?: unknown }).code !== "EHOSTUNREACH" || Date.now() > deadline) throw error
      await sleep(5)
    }
  }
}

// ── observers ──────────────────────────────────────────────────────────────────────────────────────

/** Resolves with the first event of `type` from a zeromq.js socket; register before bind/connect. */
export function nextTheirEvent(socket: zmq.Socket, type: zmq.EventType): Promise<zmq.Event> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no libzmq ${type} event within ${TIMEOUT} ms`)), TIMEOUT)
    const listener = (event: zmq.Event): void => {
      clearTimeout(timer)
      socket.events.off(type, listener)
      resolve(event)
    }
    socket.events.on(type, listener)
  })
}

export async function expectNoMessage(receive: () => Promise<Buffer[]>): Promise<void> {
  await expect(receive()).rejects.toMatchObject({ code: "EAGAIN" })
}

/** Every event a zeromq.js socket reports from now on. */
export function recordTheirEvents(socket: zmq.Socket): zmq.Event[] {
  const seen: zmq.Event[] = []
  void (async () => {
    try {
      for await (const event of socket.events) seen.push(event)
    } catch {
      // the observer ends with its socket
    }
  })()
  return seen
}
