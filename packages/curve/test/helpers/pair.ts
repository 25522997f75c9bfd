/**
 * Two `ZmtpConnection`s back to back in memory, and raw ZMTP framing written from RFC 23 for crafted bytes.
 *
 *   client.dataToSend() ──▶ server.receiveData()
 *   server.dataToSend() ──▶ client.receiveData()
 *
 * `pump()` moves bytes both ways until neither side has more to say; every write is recorded per side, so
 * tests can look at the exact commands on the wire. Bytes for a failed or closed side are dropped, as a
 * transport would after closing.
 */
import { ZmtpConnection, type Mechanism, type ZmtpConnectionOptions, type ZmtpEvent } from "@zmq-ts/zmtp"
import { concat as joinBytes } from "../../src/wire.js"

export interface Side {
  readonly connection: ZmtpConnection
  readonly events: ZmtpEvent[]
  /** Everything this side wrote, concatenated (greeting included). */
  sent(): Uint8Array
}

/** Answers events as they are collected (e.g. `authenticate`); returns the events the answer caused. */
export type EventHook = (side: "client" | "server", event: ZmtpEvent, connection: ZmtpConnection) => ZmtpEvent[] | void

export interface PairOptions {
  readonly onEvent?: EventHook
  /** Rewrites what one side sends before the other sees it (for corruption tests). */
  readonly tamper?: (from: "client" | "server", bytes: Uint8Array) => Uint8Array
}

export class Pair {
  readonly client: Side
  readonly server: Side
  readonly #written = { client: [] as Uint8Array[], server: [] as Uint8Array[] }
  readonly #options: PairOptions

  constructor(client: ZmtpConnectionOptions, server: ZmtpConnectionOptions, options: PairOptions = {}) {
    this.#options = options
    this.client = this.#side("client", new ZmtpConnection(client))
    this.server = this.#side("server", new ZmtpConnection(server))
  }

  /** Moves bytes both ways until both sides are quiet. */
  pump(): this {
    for (let round = 0; round < 100; round++) {
      const moved = this.#move("client", "server") + this.#move("server", "client")
      if (moved === 0) return this
    }
    throw new Error("pair did not quiesce in 100 rounds")
  }

  /** Feeds `bytes` to one side as if the other had sent them. */
  inject(to: "client" | "server", bytes: Uint8Array): ZmtpEvent[] {
    const side = this[to]
    const events = side.connection.receiveData(bytes)
    this.#collect(to, events)
    return events
  }

  #side(name: "client" | "server", connection: ZmtpConnection): Side {
    const written = this.#written[name]
    return { connection, events: [], sent: () => concat(written) }
  }

  #move(from: "client" | "server", to: "client" | "server"): number {
    const source = this[from].connection
    let bytes = source.dataToSend()
    if (bytes.length === 0) return 0
    bytes = new Uint8Array(bytes) // ours: the encoder's slab may be reused
    this.#written[from].push(bytes)
    const target = this[to].connection
    if (target.state === "failed" || target.state === "closed") return 0
    const delivered = this.#options.tamper?.(from, bytes) ?? bytes
    this.#collect(to, target.receiveData(delivered))
    return bytes.length
  }

  #collect(name: "client" | "server", events: readonly ZmtpEvent[]): void {
    const side = this[name]
    for (const event of events) {
      side.events.push(event)
      const more = this.#options.onEvent?.(name, event, side.connection)
      if (more) this.#collect(name, more)
    }
  }
}

/** Auto-answers every `authenticate` event with `allow` (core's behaviour without a ZAP handler). */
export const allowAll: EventHook = (_side, event, connection) =>
  event.type === "authenticate" ? connection.resolveAuthentication({ allow: true }) : undefined

/** The package's own `concat` (src/wire.ts), taking an array. */
export function concat(parts: readonly Uint8Array[]): Uint8Array {
  return joinBytes(...parts)
}

export function ascii(text: string): Uint8Array {
  const out = new Uint8Array(text.length)
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i) & 0xff
  return out
}

export function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex")
}

export interface Frame {
  readonly flags: number
  readonly body: Uint8Array
  /** Bytes of the frame header: 2 (short) or 9 (long). */
  readonly headerSize: number
}

/** Splits a stream into frames (RFC 23 §"Framing"), from `start` (64 skips the greeting). */
export function parseFrames(stream: Uint8Array, start = 64): Frame[] {
  const frames: Frame[] = []
  const view = new DataView(stream.buffer, stream.byteOffset, stream.byteLength)
  let at = start
  while (at < stream.length) {
    const flags = stream[at]!
    const long = (flags & 0x02) !== 0
    const headerSize = long ? 9 : 2
    const size = long ? Number(view.getBigUint64(at + 1)) : stream[at + 1]!
    frames.push({ flags, headerSize, body: stream.subarray(at + headerSize, at + headerSize + size) })
    at += headerSize + size
  }
  return frames
}

/** One frame's bytes: short form up to 255 bytes, long form beyond (RFC 23). */
export function frame(flags: number, body: Uint8Array): Uint8Array {
  if (body.length <= 255) return concat([Uint8Array.of(flags, body.length), body])
  const header = new Uint8Array(9)
  header[0] = flags | 0x02
  new DataView(header.buffer).setBigUint64(1, BigInt(body.length))
  return concat([header, body])
}

/** A command frame: name-size, name, data. */
export function command(name: string, data: Uint8Array): Uint8Array {
  return frame(0x04, concat([Uint8Array.of(name.length), ascii(name), data]))
}

/** The 64-octet greeting of a CURVE peer (RFC 23 §"Greeting"). */
export function curveGreeting(asServer: boolean, minor = 1): Uint8Array {
  const out = new Uint8Array(64)
  out[0] = 0xff
  out[8] = 1
  out[9] = 0x7f
  out[10] = 3
  out[11] = minor
  out.set(ascii("CURVE"), 12)
  out[32] = asServer ? 1 : 0
  return out
}

/** Deterministic bytes that differ from frame to frame. */
export function pattern(size: number, seed: number): Uint8Array {
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

export interface SpiedFrame {
  readonly flags: number
  readonly body: Uint8Array
}

/**
 * Wraps a mechanism so that a test sees the frames its data-phase transform is given to wrap and the frames
 * it unwraps, i.e. the plaintext side of every MESSAGE, with their inner flags.
 */
export function spy(mechanism: Mechanism): { mechanism: Mechanism; wrapped: SpiedFrame[]; unwrapped: SpiedFrame[] } {
  const wrapped: SpiedFrame[] = []
  const unwrapped: SpiedFrame[] = []
  const spied: Mechanism = {
    name: mechanism.name,
    asServer: mechanism.asServer,
    start: (host) => mechanism.start(host),
    processCommand: (name, data, host) => mechanism.processCommand(name, data, host),
    resolveAuthentication: (result, host) => mechanism.resolveAuthentication!(result, host),
    dispose: () => mechanism.dispose?.(),
    dataTransform: () => {
      const transform = mechanism.dataTransform!()!
      return {
        wrap: (flags, body) => {
          wrapped.push({ flags, body: new Uint8Array(body) })
          return transform.wrap(flags, body)
        },
        unwrap: (flags, body) => {
          const inner = transform.unwrap(flags, body)
          if (inner !== undefined) unwrapped.push({ flags: inner.flags, body: new Uint8Array(inner.body) })
          return inner
        },
      }
    },
  }
  return { mechanism: spied, wrapped, unwrapped }
}
