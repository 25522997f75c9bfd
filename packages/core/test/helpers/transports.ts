/**
 * The transport matrix: every pattern test runs once per transport, with fresh addresses each time.
 *
 *   tcp     bind tcp://127.0.0.1:*      ──lastEndpoint──▶  connect tcp://127.0.0.1:<port>
 *   ipc     bind ipc://<tmpdir>/<uniq>  ───────────────▶  connect the same path
 *   inproc  bind inproc://<uniq>        ───────────────▶  connect the same name (same Context)
 *
 * Plus the small waiting helpers the pattern tests share (events, timeouts, polling): tests never sleep
 * for a fixed time when they can wait for something observable instead.
 */
import { randomBytes } from "node:crypto"
import { rmSync } from "node:fs"
import { createServer } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { setTimeout as delay } from "node:timers/promises"
import { afterAll } from "vitest"
import type { Message, Socket, SocketEventOfType, SocketEventType } from "../../src/index.js"
import type { AnySocket } from "../../src/draft.js"
import { testPort, testPorts } from "../../../../test-support/ports.js"

export type TransportName = "tcp" | "ipc" | "inproc"

export interface Transport {
  readonly name: TransportName
  /** A fresh address to bind: `tcp://127.0.0.1:*`, a unique ipc path in the temp dir, a unique inproc name. */
  bindAddress(): string
  /** Where peers connect once `bound` has bound `bindAddress()`: its `lastEndpoint` (the `*` port resolved). */
  connectAddress(bound: AnySocket): string
  /** An address known before anything binds it, good for both bind and connect (connect-before-bind tests). */
  fixedAddress(): Promise<string>
}

let counter = 0
function unique(prefix: string): string {
  counter++
  return `${prefix}-${process.pid}-${counter}-${randomBytes(3).toString("hex")}`
}

/** Every monitor event type zeromq.js names (its Observer's `EventType`). */
export const EVENT_TYPES: readonly SocketEventType[] = [
  "accept",
  "accept:error",
  "bind",
  "bind:error",
  "connect",
  "connect:delay",
  "connect:retry",
  "close",
  "close:error",
  "disconnect",
  "end",
  "handshake",
  "handshake:error:protocol",
  "handshake:error:auth",
  "handshake:error:other",
]

/** Every ipc path handed out, removed after the test file (a child that binds one and exits or is killed
 * without closing leaves its socket file behind, as libzmq's would). */
const ipcPaths: string[] = []
afterAll(() => {
  for (const path of ipcPaths.splice(0)) rmSync(path, { force: true })
})

/** A unique ipc path in the temp dir (Unix socket paths must stay under ~107 bytes). */
export function ipcPath(): string {
  const path = join(tmpdir(), `${unique("zmqts")}.sock`)
  ipcPaths.push(path)
  return path
}

/** True when this host can listen on tcp ::1 (IPv6 cases skip where it cannot). */
export async function hasIpv6Loopback(): Promise<boolean> {
  const server = createServer()
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject)
      server.listen({ host: "::1", port: 0 }, () => resolve())
    })
    return true
  } catch {
    return false
  } finally {
    server.close()
  }
}

/**
 * A tcp port nothing listens on, for a bind or a refusal the test must name in advance: from the project's
 * test range, never the kernel's ephemeral one (test-support/ports.ts says why).
 */
export const freePort = testPort

/** `count` distinct such ports. */
export const freePorts = testPorts

function boundAddress(socket: AnySocket): string {
  const endpoint = socket.lastEndpoint
  if (endpoint === null) throw new Error(`${socket.constructor.name} socket has not bound anything`)
  return endpoint
}

export const TRANSPORTS: readonly Transport[] = [
  {
    name: "tcp",
    bindAddress: () => "tcp://127.0.0.1:*",
    connectAddress: boundAddress,
    fixedAddress: async () => `tcp://127.0.0.1:${await freePort()}`,
  },
  {
    name: "ipc",
    bindAddress: () => `ipc://${ipcPath()}`,
    connectAddress: boundAddress,
    fixedAddress: async () => `ipc://${ipcPath()}`,
  },
  {
    name: "inproc",
    bindAddress: () => `inproc://${unique("matrix")}`,
    connectAddress: boundAddress,
    fixedAddress: async () => `inproc://${unique("matrix")}`,
  },
]

/** Frames as UTF-8 strings, for readable assertions. */
export function text(message: Message[]): string[] {
  return message.map((frame) => frame.toString("utf8"))
}

/**
 * Resolves once `socket` has emitted `count` events of `type`. Call it before the action that causes them:
 * inproc emits `connect`/`accept`/`handshake` synchronously inside `connect()`/`bind()`.
 */
export function events<T extends SocketEventType>(
  socket: AnySocket,
  type: T,
  count = 1,
  timeoutMs = 5000,
): Promise<Array<SocketEventOfType<T>>> {
  return new Promise((resolve, reject) => {
    const seen: Array<SocketEventOfType<T>> = []
    const listener = (event: SocketEventOfType<T>): void => {
      seen.push(event)
      if (seen.length < count) return
      clearTimeout(timer)
      socket.events.off(type, listener)
      resolve(seen)
    }
    const timer = setTimeout(() => {
      socket.events.off(type, listener)
      reject(new Error(`${socket.constructor.name}: saw ${seen.length} of ${count} "${type}" events within ${timeoutMs} ms`))
    }, timeoutMs)
    socket.events.on(type, listener)
  })
}

/** The first event of `type` from `socket` (see `events`); register before the action. */
export async function nextEvent<T extends SocketEventType>(socket: AnySocket, type: T, timeoutMs = 5000): Promise<SocketEventOfType<T>> {
  const [event] = await events(socket, type, 1, timeoutMs)
  return event!
}

/** Every connection and handshake event type `socket` reports from now on, in order. */
export function recordEvents(socket: AnySocket): string[] {
  const seen: string[] = []
  const types = ["connect", "accept", "handshake", "handshake:error:protocol", "handshake:error:auth", "handshake:error:other", "disconnect"] as const
  for (const type of types) socket.events.on(type, (event) => seen.push(event.type))
  return seen
}

/**
 * Resolves once `socket` has completed `count` handshakes over `transport`. Over inproc at once: inproc has
 * no handshake and raises no events (as in libzmq); its peers are joined when connect() (or, for a connect
 * made first, bind()) returns. Call it before the action, as `events()`.
 */
export function handshakes(transport: Transport, socket: AnySocket, count = 1): Promise<unknown> {
  return transport.name === "inproc" ? Promise.resolve() : events(socket, "handshake", count)
}

/** True if `promise` settles (either way) within `ms`; never leaves a timer or an unhandled rejection behind. */
export async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms)
  })
  try {
    return await Promise.race([promise.then(() => true, () => true), timeout])
  } finally {
    clearTimeout(timer)
  }
}

/** Polls `condition` every few ms until it holds; throws after `timeoutMs`. */
export async function until(condition: () => boolean, timeoutMs = 5000, what = "condition"): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`${what} did not hold within ${timeoutMs} ms`)
    await delay(5)
  }
}

/** Receives exactly `count` messages from `socket` (each within `timeoutMs`). */
export async function receiveMany(socket: Socket, count: number, timeoutMs = 5000): Promise<Message[][]> {
  const out: Message[][] = []
  while (out.length < count) {
    const receiving = socket.receive()
    if (!(await settlesWithin(receiving, timeoutMs))) {
      throw new Error(`${socket.constructor.name}: received ${out.length} of ${count} messages, then nothing for ${timeoutMs} ms`)
    }
    out.push(await receiving)
  }
  return out
}
