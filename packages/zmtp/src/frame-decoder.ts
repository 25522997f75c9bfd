import { remoteError, ZmtpErrorCode } from "./errors.js"
import { FLAG_COMMAND, FLAG_LONG, FLAG_MORE, RESERVED_FLAGS } from "./frame.js"

/** Receives each decoded frame. `body` is a view into the chunk when the frame lay inside it. */
export interface FrameSink {
  onFrame(flags: number, body: Uint8Array): void
}

export interface FrameDecoderLimits {
  /** Largest message frame body accepted; -1 for no limit (libzmq's ZMQ_MAXMSGSIZE semantics: per frame). */
  readonly maxMessageSize: number
  /** Largest command frame body accepted. */
  readonly maxCommandSize: number
}

/** Split frames are gathered into a buffer that starts at most this big and doubles as bytes arrive. */
const INITIAL_GATHER_SIZE = 64 * 1024

/**
 * Turns a byte stream into frames (RFC 23 §"Framing"). Frames wholly inside a chunk are delivered as views
 * into that chunk; only a frame split across chunks is copied, into a buffer that grows with the bytes that
 * actually arrive, so a header claiming 2⁶³ bytes allocates nothing. Sizes are checked against the limits
 * from the header alone, before any body byte is stored.
 */
export class FrameDecoder {
  readonly #limits: FrameDecoderLimits
  // A header split across chunks: at most 9 octets.
  readonly #header = new Uint8Array(9)
  #headerFill = 0
  // A body split across chunks.
  #body: Uint8Array | undefined
  #bodyFill = 0
  #bodySize = 0
  #bodyFlags = 0

  constructor(limits: FrameDecoderLimits) {
    this.#limits = limits
  }

  /** True when no partial frame is buffered, i.e. the stream ended on a frame boundary. */
  get idle(): boolean {
    return this.#headerFill === 0 && this.#body === undefined
  }

  feed(chunk: Uint8Array, sink: FrameSink): void {
    let pos = 0
    const length = chunk.length
    if (this.#body !== undefined) {
      pos = this.#continueBody(chunk, 0, sink)
    } else if (this.#headerFill > 0) {
      pos = this.#continueHeader(chunk, sink)
    }
    while (pos < length) {
      const flags = chunk[pos]!
      if ((flags & RESERVED_FLAGS) !== 0) throw reservedBits(flags)
      let size: number
      let bodyStart: number
      if ((flags & FLAG_LONG) === 0) {
        if (pos + 2 > length) break
        size = chunk[pos + 1]!
        bodyStart = pos + 2
      } else {
        if (pos + 9 > length) break
        size = readSize(chunk, pos + 1)
        bodyStart = pos + 9
      }
      this.#checkSize(flags, size)
      const bodyEnd = bodyStart + size
      if (bodyEnd <= length) {
        sink.onFrame(flags, chunk.subarray(bodyStart, bodyEnd))
        pos = bodyEnd
      } else {
        this.#startBody(flags, size, chunk, bodyStart)
        return
      }
    }
    if (pos < length) {
      this.#header.set(chunk.subarray(pos), 0)
      this.#headerFill = length - pos
    }
  }

  #continueHeader(chunk: Uint8Array, sink: FrameSink): number {
    const header = this.#header
    const flags = header[0]!
    const need = (flags & FLAG_LONG) === 0 ? 2 : 9
    const take = Math.min(need - this.#headerFill, chunk.length)
    header.set(chunk.subarray(0, take), this.#headerFill)
    this.#headerFill += take
    if (this.#headerFill < need) return chunk.length
    this.#headerFill = 0
    const size = need === 2 ? header[1]! : readSize(header, 1)
    this.#checkSize(flags, size)
    if (take + size <= chunk.length) {
      sink.onFrame(flags, chunk.subarray(take, take + size))
      return take + size
    }
    this.#startBody(flags, size, chunk, take)
    return chunk.length
  }

  #startBody(flags: number, size: number, chunk: Uint8Array, start: number): void {
    const available = chunk.length - start
    this.#body = new Uint8Array(Math.min(size, Math.max(INITIAL_GATHER_SIZE, available * 2)))
    this.#body.set(chunk.subarray(start), 0)
    this.#bodyFill = available
    this.#bodySize = size
    this.#bodyFlags = flags
  }

  #continueBody(chunk: Uint8Array, start: number, sink: FrameSink): number {
    let body = this.#body!
    const take = Math.min(this.#bodySize - this.#bodyFill, chunk.length - start)
    const fill = this.#bodyFill + take
    if (fill > body.length) {
      const grown = new Uint8Array(Math.min(this.#bodySize, Math.max(fill, body.length * 2)))
      grown.set(body.subarray(0, this.#bodyFill), 0)
      body = grown
      this.#body = grown
    }
    body.set(chunk.subarray(start, start + take), this.#bodyFill)
    this.#bodyFill = fill
    if (fill < this.#bodySize) return chunk.length
    this.#body = undefined
    sink.onFrame(this.#bodyFlags, body)
    return start + take
  }

  #checkSize(flags: number, size: number): void {
    if ((flags & FLAG_COMMAND) !== 0) {
      if ((flags & FLAG_MORE) !== 0) {
        throw remoteError(ZmtpErrorCode.MALFORMED_FRAME, "command frame has the MORE flag set")
      }
      if (size > this.#limits.maxCommandSize) {
        throw remoteError(
          ZmtpErrorCode.MESSAGE_TOO_LARGE,
          `command frame of ${size} bytes exceeds maxCommandSize ${this.#limits.maxCommandSize}`,
        )
      }
    } else if (this.#limits.maxMessageSize >= 0 && size > this.#limits.maxMessageSize) {
      throw remoteError(
        ZmtpErrorCode.MESSAGE_TOO_LARGE,
        `frame of ${size} bytes exceeds maxMessageSize ${this.#limits.maxMessageSize}`,
      )
    }
  }
}

/** An 8-octet network-order size. Sizes beyond 2⁵³−1 cannot be represented, let alone buffered. */
function readSize(bytes: Uint8Array, at: number): number {
  const high = ((bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!) >>> 0
  const low = ((bytes[at + 4]! << 24) | (bytes[at + 5]! << 16) | (bytes[at + 6]! << 8) | bytes[at + 7]!) >>> 0
  if (high > 0x1fffff) {
    throw remoteError(
      ZmtpErrorCode.MESSAGE_TOO_LARGE,
      `frame of ${BigInt(high) * 4294967296n + BigInt(low)} bytes exceeds the largest supported size`,
    )
  }
  return high * 4294967296 + low
}

function reservedBits(flags: number): Error {
  return remoteError(
    ZmtpErrorCode.MALFORMED_FRAME,
    `frame flags 0x${flags.toString(16).padStart(2, "0")} have reserved bits set`,
  )
}
