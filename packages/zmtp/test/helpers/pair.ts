/**
 * Two `ZmtpConnection`s wired back to back in memory, for property tests.
 *
 *   a.dataToSend() ──chunker──▶ b.receiveData()
 *   b.dataToSend() ──chunker──▶ a.receiveData()
 *
 * `pump()` moves bytes both ways until neither side has anything left to say, re-chunking every write with
 * the pair's chunker so a property can explore any way TCP might split the stream. Events are collected per
 * side. Bytes for a side that has failed or closed are dropped, as a transport would after closing.
 *
 * Below it, a reference framer written from RFC 23 alone (not from `src/`), to build raw peer bytes and to
 * split a recorded stream into frames.
 */
import { ZmtpConnection } from "../../src/index.js"
import type { ZmtpConnectionOptions, ZmtpEvent } from "../../src/index.js"

/** Cuts one write into the chunks that reach the peer (their concatenation must be the write). */
export type Chunker = (bytes: Uint8Array) => Uint8Array[]

/** The whole write as one chunk. */
export const wholeChunks: Chunker = (bytes) => (bytes.length === 0 ? [] : [bytes])

/**
 * Cuts writes into chunks whose sizes cycle through `sizes` (each ≥ 1); the cycle carries on across writes,
 * so a short pattern still lands its cuts at different offsets of successive frames.
 */
export function cyclicChunker(sizes: readonly number[]): Chunker {
  if (sizes.length === 0 || sizes.some((size) => !Number.isInteger(size) || size < 1)) {
    throw new RangeError(`chunk sizes must be integers ≥ 1: ${JSON.stringify(sizes)}`)
  }
  let next = 0
  return (bytes) => {
    const chunks: Uint8Array[] = []
    let pos = 0
    while (pos < bytes.length) {
      const size = sizes[next % sizes.length]!
      next++
      chunks.push(bytes.subarray(pos, pos + size))
      pos += size
    }
    return chunks
  }
}

/** Cuts `bytes` before each of `points` (out-of-range and duplicate points are ignored). */
export function splitAt(bytes: Uint8Array, points: Iterable<number>): Uint8Array[] {
  const cuts = [...new Set(points)].filter((p) => p > 0 && p < bytes.length).sort((x, y) => x - y)
  const chunks: Uint8Array[] = []
  let start = 0
  for (const cut of cuts) {
    chunks.push(bytes.subarray(start, cut))
    start = cut
  }
  if (start < bytes.length) chunks.push(bytes.subarray(start))
  return chunks
}

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  let total = 0
  for (const part of parts) total += part.length
  const out = new Uint8Array(total)
  let pos = 0
  for (const part of parts) {
    out.set(part, pos)
    pos += part.length
  }
  return out
}

export type SideName = "a" | "b"

export interface Side {
  readonly name: SideName
  readonly connection: ZmtpConnection
  /** Every event this side emitted, in order (including those returned by `resolveAuthentication`). */
  readonly events: ZmtpEvent[]
  /** Bytes this side sent, in order, as they left `dataToSend*()` (before re-chunking). */
  readonly sent: Uint8Array[]
}

export interface PairOptions {
  /** How writes are cut before they reach the peer. Default: one chunk per write. */
  readonly chunker?: Chunker
  /** A chunker per direction (overrides `chunker`): `a` cuts what a sends, `b` what b sends. */
  readonly chunkers?: { readonly a: Chunker; readonly b: Chunker }
  /** Take bytes with `dataToSendSegments()` instead of `dataToSend()`. Default false. */
  readonly segments?: boolean
  /**
   * Called for each event as it is collected; may act on the connection (e.g. `resolveAuthentication`),
   * returning the events that produced, which are collected in turn.
   */
  readonly onEvent?: (side: Side, event: ZmtpEvent) => ZmtpEvent[] | void
}

/** How many pump rounds without quiescence count as a livelock. */
const MAX_ROUNDS = 1000

export class Pair {
  readonly a: Side
  readonly b: Side
  readonly #chunkers: { readonly a: Chunker; readonly b: Chunker }
  readonly #segments: boolean
  readonly #onEvent: PairOptions["onEvent"]

  constructor(a: ZmtpConnectionOptions, b: ZmtpConnectionOptions, options: PairOptions = {}) {
    this.a = { name: "a", connection: new ZmtpConnection(a), events: [], sent: [] }
    this.b = { name: "b", connection: new ZmtpConnection(b), events: [], sent: [] }
    const chunker = options.chunker ?? wholeChunks
    this.#chunkers = options.chunkers ?? { a: chunker, b: chunker }
    this.#segments = options.segments ?? false
    this.#onEvent = options.onEvent
  }

  /** Moves bytes both ways until both sides are quiet. Returns the number of bytes moved. */
  pump(): number {
    let moved = 0
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const step = this.#transfer(this.a, this.b) + this.#transfer(this.b, this.a)
      if (step === 0) return moved
      moved += step
    }
    throw new Error(`pair did not quiesce after ${MAX_ROUNDS} rounds`)
  }

  /** Moves what `from` has queued to its peer, once. Returns the number of bytes taken from `from`. */
  #transfer(from: Side, to: Side): number {
    const writes = this.#segments ? from.connection.dataToSendSegments() : [from.connection.dataToSend()]
    let taken = 0
    const chunker = this.#chunkers[from.name]
    for (const write of writes) {
      if (write.length === 0) continue
      taken += write.length
      from.sent.push(write)
      for (const chunk of chunker(write)) {
        if (!isOpen(to.connection)) break
        this.deliver(to, chunk)
      }
    }
    return taken
  }

  /** Feeds one chunk to a side and collects what it emits. */
  deliver(to: Side, chunk: Uint8Array): ZmtpEvent[] {
    const events = to.connection.receiveData(chunk)
    this.collect(to, events)
    return events
  }

  /** Collects events a side emitted outside `receiveData` (e.g. from `resolveAuthentication`). */
  collect(side: Side, events: readonly ZmtpEvent[]): void {
    for (const event of events) {
      side.events.push(event)
      const more = this.#onEvent?.(side, event)
      if (more !== undefined) this.collect(side, more)
    }
  }
}

/**
 * Moves bytes both ways until both are quiet, each write cut into pieces whose sizes cycle through `cuts`
 * (whole writes without them), as a WebSocket stream might be split; returns each side's events.
 */
export function pumpWithCuts(a: ZmtpConnection, b: ZmtpConnection, cuts: readonly number[] = []): [ZmtpEvent[], ZmtpEvent[]] {
  const events: [ZmtpEvent[], ZmtpEvent[]] = [[], []]
  let cut = 0
  for (let round = 0; round < 50; round++) {
    const ab = a.dataToSend().slice()
    const ba = b.dataToSend().slice()
    if (ab.length === 0 && ba.length === 0) break
    for (const [bytes, to, list] of [[ab, b, events[1]], [ba, a, events[0]]] as const) {
      let pos = 0
      while (pos < bytes.length && to.state !== "failed" && to.state !== "closed") {
        const size = 1 + ((cuts[cut++ % Math.max(1, cuts.length)] ?? bytes.length) % bytes.length)
        list.push(...to.receiveData(bytes.slice(pos, pos + size)))
        pos += size
      }
    }
  }
  return events
}

export function isOpen(connection: ZmtpConnection): boolean {
  return connection.state !== "failed" && connection.state !== "closed"
}

/** Events of one type, narrowed. */
export function eventsOf<T extends ZmtpEvent["type"]>(
  events: readonly ZmtpEvent[],
  type: T,
): Array<Extract<ZmtpEvent, { type: T }>> {
  return events.filter((event): event is Extract<ZmtpEvent, { type: T }> => event.type === type)
}

// ── A reference framer ─────────────────────────────────────────────────────────────────────────────
// Written independently of `src/` from RFC 23 §"Framing": it builds the raw bytes a peer might send
// (well-formed or not) and splits a known-good stream back into frames.
export const MORE = 0x01
export const LONG = 0x02
export const COMMAND = 0x04

/** A frame header claiming `size` bytes (any size up to 2⁶⁴−1 in long form). */
export function frameHeader(flags: number, size: bigint | number, long: boolean): Uint8Array {
  const claimed = BigInt(size)
  if (!long) {
    if (claimed > 255n) throw new RangeError(`short frame cannot claim ${claimed} bytes`)
    return Uint8Array.of(flags & ~LONG, Number(claimed))
  }
  const out = new Uint8Array(9)
  out[0] = flags | LONG
  new DataView(out.buffer).setBigUint64(1, claimed)
  return out
}

/** A whole frame; long form when the body needs it or `forceLong`. */
export function encodeFrame(flags: number, body: Uint8Array, forceLong = false): Uint8Array {
  const long = forceLong || body.length > 255
  const head = frameHeader(flags, body.length, long)
  const out = new Uint8Array(head.length + body.length)
  out.set(head, 0)
  out.set(body, head.length)
  return out
}

/** A command body: `OCTET name` then `data` (no validation: tests build invalid names on purpose). */
export function commandBody(name: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(1 + name.length + data.length)
  out[0] = name.length & 0xff
  for (let i = 0; i < name.length; i++) out[1 + i] = name.charCodeAt(i) & 0xff
  out.set(data, 1 + name.length)
  return out
}

/** The wire size of a frame with a `size`-byte body, as RFC 23 senders encode it (short form up to 255). */
export function wireSize(size: number): number {
  return (size > 255 ? 9 : 2) + size
}

export interface FrameInfo {
  /** Offset of the flags octet in the stream. */
  readonly offset: number
  readonly headerSize: number
  readonly flags: number
  readonly size: number
}

/** Splits a known-good stream (from `start`, e.g. 64 to skip the greeting) into frames. */
export function parseFrames(stream: Uint8Array, start: number): FrameInfo[] {
  const frames: FrameInfo[] = []
  const view = new DataView(stream.buffer, stream.byteOffset, stream.byteLength)
  let pos = start
  while (pos < stream.length) {
    const flags = stream[pos]!
    const long = (flags & LONG) !== 0
    const headerSize = long ? 9 : 2
    if (pos + headerSize > stream.length) throw new Error(`truncated header at ${pos}`)
    const size = long ? Number(view.getBigUint64(pos + 1)) : stream[pos + 1]!
    if (pos + headerSize + size > stream.length) throw new Error(`truncated body at ${pos}`)
    frames.push({ offset: pos, headerSize, flags, size })
    pos += headerSize + size
  }
  return frames
}

/** A 64-octet greeting built by hand (RFC 23 §"Greeting"), for feeding to a connection directly. */
export function greeting(mechanism: string, asServer: boolean, major = 3, minor = 1): Uint8Array {
  const out = new Uint8Array(64)
  out[0] = 0xff
  out[8] = 1
  out[9] = 0x7f
  out[10] = major
  out[11] = minor
  for (let i = 0; i < mechanism.length && i < 20; i++) out[12 + i] = mechanism.charCodeAt(i) & 0xff
  out[32] = asServer ? 1 : 0
  return out
}

/** Deterministic filler so large frames cost a loop, not a fast-check value per byte. */
export function filled(size: number, seed: number): Uint8Array {
  const out = new Uint8Array(size)
  let state = seed | 0 || 0x9e3779b9
  for (let i = 0; i < size; i++) {
    state ^= state << 13
    state ^= state >>> 17
    state ^= state << 5
    out[i] = state & 0xff
  }
  return out
}

export function sameBytes(x: Uint8Array, y: Uint8Array): boolean {
  if (x.length !== y.length) return false
  return Buffer.from(x.buffer, x.byteOffset, x.byteLength).equals(Buffer.from(y.buffer, y.byteOffset, y.byteLength))
}

export function hex(bytes: Uint8Array, max = 48): string {
  const shown = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, max)).toString("hex")
  return bytes.length > max ? `${shown}… (${bytes.length} bytes)` : `${shown} (${bytes.length} bytes)`
}

/** Throws with a readable difference unless the two message lists are equal frame by frame, byte by byte. */
export function assertSameMessages(actual: readonly Uint8Array[][], expected: readonly Uint8Array[][], what: string): void {
  if (actual.length !== expected.length) {
    throw new Error(`${what}: ${actual.length} messages delivered, ${expected.length} expected`)
  }
  for (let m = 0; m < expected.length; m++) {
    const got = actual[m]!
    const want = expected[m]!
    if (got.length !== want.length) {
      throw new Error(`${what}: message ${m} has ${got.length} frames, ${want.length} expected`)
    }
    for (let f = 0; f < want.length; f++) {
      const g = got[f]!
      if (!(g instanceof Uint8Array)) throw new Error(`${what}: message ${m} frame ${f} is not a Uint8Array`)
      if (!sameBytes(g, want[f]!)) {
        throw new Error(`${what}: message ${m} frame ${f} differs: got ${hex(g)}, expected ${hex(want[f]!)}`)
      }
    }
  }
}
