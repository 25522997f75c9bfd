/**
 * Feeding wire bytes to a `ZmtpConnection` in every way TCP might deliver them (STYLE.md §5: all at once,
 * byte by byte, split at every index), hex converters, and a JSON-friendly view of events so two event
 * lists can be compared with `toEqual` and read in a failure diff.
 *
 *   const bytes = hex("ff 00000000 00000001 7f 03 01 ...")
 *   for (const { label, chunks } of splits(bytes)) {
 *     const conn = new ZmtpConnection({ socketType: "DEALER" })
 *     expect(summarize(drive(conn, chunks)), label).toEqual(expected)
 *   }
 */
import type { ZmtpConnection, ZmtpEvent } from "../../src/index.js"

/** Bytes from hex; whitespace, `|` and `_` are ignored so vectors can be laid out by field. */
export function hex(text: string): Uint8Array {
  const digits = text.replace(/[\s|_]/g, "")
  if (!/^(?:[0-9a-fA-F]{2})*$/.test(digits)) throw new Error(`not an even-length hex string: ${text}`)
  const out = new Uint8Array(digits.length / 2)
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(digits.slice(2 * i, 2 * i + 2), 16)
  return out
}

/** Lowercase hex without separators. */
export function toHex(bytes: Uint8Array): string {
  let out = ""
  for (const byte of bytes) out += byte.toString(16).padStart(2, "0")
  return out
}

/** Latin-1 text as bytes (protocol strings in tests are ASCII). */
export function ascii(text: string): Uint8Array {
  const out = new Uint8Array(text.length)
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i) & 0xff
  return out
}

export function concat(...parts: readonly Uint8Array[]): Uint8Array {
  let size = 0
  for (const part of parts) size += part.length
  const out = new Uint8Array(size)
  let pos = 0
  for (const part of parts) {
    out.set(part, pos)
    pos += part.length
  }
  return out
}

export interface Chunking {
  /** What the chunking is, for assertion messages: "whole", "bytewise", "split at 17", "split at 3+40". */
  readonly label: string
  /** Consecutive views into the bytes; their concatenation is the bytes. */
  readonly chunks: readonly Uint8Array[]
}

/** `bytes` cut before each of `cuts` (increasing, each strictly inside the bytes). */
export function cutAt(bytes: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const chunks: Uint8Array[] = []
  let start = 0
  for (const cut of cuts) {
    chunks.push(bytes.subarray(start, cut))
    start = cut
  }
  chunks.push(bytes.subarray(start))
  return chunks
}

/** The whole bytes as one chunk, then one chunk per byte, then every split into two non-empty chunks. */
export function* splits(bytes: Uint8Array): Generator<Chunking> {
  yield { label: "whole", chunks: [bytes] }
  if (bytes.length < 2) return
  yield { label: "bytewise", chunks: Array.from({ length: bytes.length }, (_, i) => bytes.subarray(i, i + 1)) }
  for (let i = 1; i < bytes.length; i++) yield { label: `split at ${i}`, chunks: cutAt(bytes, [i]) }
}

/**
 * `count` splits into three non-empty chunks, spread over the bytes by a fixed pseudo-random sequence (the
 * same cuts on every run), plus the cuts around the middle.
 */
export function* threeWaySplits(bytes: Uint8Array, count = 16): Generator<Chunking> {
  if (bytes.length < 3) return
  let seed = 0x2545f491 ^ bytes.length
  const next = (): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0
    return seed
  }
  const seen = new Set<string>()
  const middle = Math.floor(bytes.length / 2)
  const candidates: Array<[number, number]> = [[middle - 1 > 0 ? middle - 1 : 1, middle + 1 < bytes.length ? middle + 1 : bytes.length - 1]]
  for (let i = 0; i < count * 2; i++) {
    const a = 1 + (next() % (bytes.length - 1))
    const b = 1 + (next() % (bytes.length - 1))
    candidates.push([Math.min(a, b), Math.max(a, b)])
  }
  let yielded = 0
  for (const [a, b] of candidates) {
    if (a === b || yielded >= count || seen.has(`${a}+${b}`)) continue
    seen.add(`${a}+${b}`)
    yielded++
    yield { label: `split at ${a}+${b}`, chunks: cutAt(bytes, [a, b]) }
  }
}

/**
 * Feeds `chunks` in order and returns all events. Stops after an `error` event: a failed connection throws
 * on every later call, and a transport would have closed.
 */
export function drive(conn: ZmtpConnection, chunks: Iterable<Uint8Array>): ZmtpEvent[] {
  const events: ZmtpEvent[] = []
  for (const chunk of chunks) {
    for (const event of conn.receiveData(chunk)) events.push(event)
    if (events.at(-1)?.type === "error") break
  }
  return events
}

/** An event as plain data: byte strings as hex, the peer reduced to what the handshake learnt. */
export type EventSummary =
  | {
      type: "ready"
      socketType: string
      routingId: string
      zmtpVersion: string
      mechanism: string
      userId?: string
      metadata: Record<string, string>
    }
  | { type: "message"; frames: string[] }
  | { type: "subscribe" | "cancel"; topic: string }
  | { type: "ping"; ttl: number; context: string }
  | { type: "pong"; context: string }
  | { type: "join" | "leave"; group: string }
  | { type: "command"; name: string; data: string }
  | { type: "authenticate"; mechanism: string; username?: string; password?: string }
  | { type: "error"; code: string; origin: string; reason?: string }

export function summarizeEvent(event: ZmtpEvent): EventSummary {
  switch (event.type) {
    case "ready": {
      const { peer } = event
      const metadata: Record<string, string> = {}
      for (const [name, value] of peer.metadata) metadata[name] = toHex(value)
      return {
        type: "ready",
        socketType: peer.socketType ?? "",
        routingId: toHex(peer.routingId),
        zmtpVersion: `${peer.zmtpVersion.major}.${peer.zmtpVersion.minor}`,
        mechanism: peer.mechanism,
        ...(peer.userId === undefined ? {} : { userId: peer.userId }),
        metadata,
      }
    }
    case "message":
      return { type: "message", frames: event.frames.map(toHex) }
    case "subscribe":
    case "cancel":
      return { type: event.type, topic: toHex(event.topic) }
    case "ping":
      return { type: "ping", ttl: event.ttl, context: toHex(event.context) }
    case "pong":
      return { type: "pong", context: toHex(event.context) }
    case "join":
    case "leave":
      return { type: event.type, group: toHex(event.group) }
    case "command":
      return { type: "command", name: event.name, data: toHex(event.data) }
    case "authenticate": {
      const { request } = event
      return {
        type: "authenticate",
        mechanism: request.mechanism,
        ...(request.username === undefined ? {} : { username: request.username }),
        ...(request.password === undefined ? {} : { password: request.password }),
      }
    }
    case "error":
      return {
        type: "error",
        code: event.error.code,
        origin: event.error.origin,
        ...(event.error.reason === undefined ? {} : { reason: event.error.reason }),
      }
  }
}

export function summarize(events: readonly ZmtpEvent[]): EventSummary[] {
  return events.map(summarizeEvent)
}
