/**
 * The oracle for every target that feeds a `ZmtpConnection` (greeting, frames, PLAIN, ZWS here; CURVE in
 * packages/curve/test/fuzz): what the receive path promises whatever the peer sends.
 *
 * - nothing is thrown: a fault of the peer's is one `error` event, the batch's last, carrying a remote
 *   `ZmtpError` with a documented code, and the connection is `failed` then (and only then);
 * - after failure, further input is refused with a local EFSM throw;
 * - no frame is larger than `maxMessageSize`, and the input makes the process keep no more memory than a
 *   small multiple of its own size (a length field never drives allocation);
 * - each chunk is handled quickly (no hang, no quadratic blow-up);
 * - delivered messages are whole: the caller compares them with its reference decoding of the same bytes.
 */
import { ZmtpConnection, ZmtpError, ZmtpErrorCode, type ZmtpEvent } from "../../src/index.js"
import { arrayBufferBytes, check } from "./fuzz-kit.js"

const REMOTE_CODES: ReadonlySet<string> = new Set(Object.values(ZmtpErrorCode))
/** What an input may make the process keep beyond 4× its size: slack for V8 and the event objects. */
const MEMORY_SLACK = 8 * 1024 * 1024
/** One receiveData() call on a few KiB takes well under a millisecond; this bound only catches hangs and
 * blow-ups, with room for a GC pause on a machine the fuzz shares with other work. */
const CHUNK_TIME_LIMIT_MS = 2000

export interface FeedResult {
  readonly events: readonly ZmtpEvent[]
  readonly messages: readonly Uint8Array[][]
  readonly error: ZmtpError | undefined
}

export interface FeedOptions {
  /** The connection's maxMessageSize (-1 or absent: none). */
  readonly maxMessageSize?: number
  /** Called after each batch, e.g. to answer `authenticate` or to flush `dataToSend()`. */
  readonly onEvents?: (events: readonly ZmtpEvent[]) => readonly ZmtpEvent[]
}

/** Feeds `chunks` to `connection` and checks the receive-path contract above. */
export function feedChecked(connection: ZmtpConnection, chunks: readonly Uint8Array[], options: FeedOptions = {}): FeedResult {
  const limit = options.maxMessageSize === undefined || options.maxMessageSize < 0 ? Infinity : options.maxMessageSize
  const events: ZmtpEvent[] = []
  const messages: Uint8Array[][] = []
  let error: ZmtpError | undefined
  const fed = chunks.reduce((sum, c) => sum + c.length, 0)
  const before = arrayBufferBytes()
  const take = (batch: readonly ZmtpEvent[]): void => {
    batch.forEach((event, i) => {
      check(error === undefined, () => `${event.type} event after the error event`)
      events.push(event)
      if (event.type === "error") {
        const e = event.error
        check(ZmtpError.isInstance(e), () => `error event carries ${String(e)}`)
        check(e.origin === "remote", () => `error of origin ${e.origin}: ${e.code} ${e.message}`)
        check(REMOTE_CODES.has(e.code), () => `undocumented code ${e.code}`)
        check(i === batch.length - 1, () => "the error event is not the batch's last")
        check(connection.state === "failed", () => `state ${connection.state} after an error event`)
        error = e
      } else if (event.type === "message") {
        check(event.frames.length > 0, () => "a message without frames")
        for (const frame of event.frames) {
          check(frame instanceof Uint8Array, () => "a frame that is not a Uint8Array")
          check(frame.length <= limit, () => `a frame of ${frame.length} bytes passed maxMessageSize ${limit}`)
        }
        messages.push(event.frames.map((frame) => frame.slice()))
      }
    })
  }
  for (const chunk of chunks) {
    if (error !== undefined || connection.state === "closed") break
    const started = performance.now()
    let batch: ZmtpEvent[]
    try {
      batch = connection.receiveData(chunk)
    } catch (thrown) {
      throw new Error(`receiveData threw ${describe(thrown)}`, { cause: thrown })
    }
    const elapsed = performance.now() - started
    check(elapsed < CHUNK_TIME_LIMIT_MS, () => `receiveData of ${chunk.length} bytes took ${elapsed.toFixed(0)} ms`)
    take(batch)
    if (error === undefined) check(connection.state !== "failed", () => "failed without an error event")
    if (error === undefined && options.onEvents !== undefined) take(options.onEvents(batch))
  }
  const kept = arrayBufferBytes() - before
  check(kept <= 4 * fed + MEMORY_SLACK, () => `${fed} bytes of input left ${kept} bytes of ArrayBuffers allocated`)
  if (error !== undefined) {
    let thrown: unknown
    try {
      connection.receiveData(Uint8Array.of(0))
    } catch (e) {
      thrown = e
    }
    check(ZmtpError.isInstance(thrown) && thrown.code === "EFSM" && thrown.origin === "local", () => `input after failure gave ${describe(thrown)}`)
  }
  return { events, messages, error }
}

function describe(value: unknown): string {
  if (ZmtpError.isInstance(value)) return `ZmtpError ${value.code} (${value.origin}): ${value.message}`
  if (value instanceof Error) return `${value.name}: ${value.message}`
  return String(value)
}

/** Checks `delivered` is a prefix of `reference` (both whole messages, frame by frame). */
export function checkPrefix(delivered: readonly Uint8Array[][], reference: readonly Uint8Array[][]): void {
  check(delivered.length <= reference.length, () => `${delivered.length} messages delivered, the bytes hold ${reference.length} whole ones`)
  delivered.forEach((message, m) => {
    const expected = reference[m]!
    check(message.length === expected.length, () => `message ${m}: ${message.length} frames delivered, ${expected.length} sent`)
    message.forEach((frame, f) => {
      const want = expected[f]!
      check(frame.length === want.length && frame.every((b, i) => b === want[i]), () => `message ${m} frame ${f} differs from the bytes sent`)
    })
  })
}

/**
 * An independent reading of a ZMTP byte stream (RFC 23 §"Framing"), from `start` (after the greeting):
 * the whole messages it holds, commands skipped, stopping at the first truncated frame. With `subscriptions`,
 * SUBSCRIBE/CANCEL are read as what a socket then receives: "as-messages" the 0x01/0x00 + topic messages a
 * publisher's pipe carries, "as-commands" the command's body, which any other socket gets (libzmq's
 * session_base_t::push_msg). A codec that delivers anything else delivered a partial or invented message.
 */
export function referenceMessages(
  stream: Uint8Array,
  start = 64,
  options: { readonly subscriptions?: "as-messages" | "as-commands" } = {},
): Uint8Array[][] {
  const messages: Uint8Array[][] = []
  let current: Uint8Array[] = []
  let pos = start
  while (pos < stream.length) {
    const flags = stream[pos]!
    const long = (flags & 0x02) !== 0
    if (pos + (long ? 9 : 2) > stream.length) break
    let size = stream[pos + 1]!
    if (long) {
      const high = new DataView(stream.buffer, stream.byteOffset + pos + 1, 8).getUint32(0)
      if (high !== 0) break // ≥ 4 GiB: never whole in a fuzz input
      size = new DataView(stream.buffer, stream.byteOffset + pos + 5, 4).getUint32(0)
    }
    const body = pos + (long ? 9 : 2)
    if (body + size > stream.length) break
    if ((flags & 0x04) === 0) {
      current.push(stream.subarray(body, body + size))
      if ((flags & 0x01) === 0) {
        messages.push(current)
        current = []
      }
    } else if (options.subscriptions !== undefined) {
      const command = stream.subarray(body, body + size)
      const name = String.fromCharCode(...command.subarray(1, 1 + (command[0] ?? 0)))
      if ((name === "SUBSCRIBE" || name === "CANCEL") && options.subscriptions === "as-commands") {
        messages.push([command])
      } else if (name === "SUBSCRIBE" || name === "CANCEL") {
        const topic = command.subarray(1 + name.length)
        const message = new Uint8Array(1 + topic.length)
        message[0] = name === "SUBSCRIBE" ? 1 : 0
        message.set(topic, 1)
        messages.push([message])
      }
    }
    pos = body + size
  }
  return messages
}
