/**
 * Two `ZmtpConnection`s wired back to back in memory, for property tests.
 *
 *   a.dataToSend() ──chunker──▶ b.receiveData()
 *   b.dataToSend() ──chunker──▶ a.receiveData()
 *
 * `pump()` moves bytes both ways until neither side has anything left to say, re-chunking every write with
 * the pair's chunker so a property can explore any way TCP might split the stream. Events are collected per
 * side. Bytes for a side that has failed or closed are dropped, as a transport would after closing.
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
