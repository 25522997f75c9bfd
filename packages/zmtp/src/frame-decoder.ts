import { remoteError, ZmtpErrorCode } from "./errors.js"
import { FLAG_COMMAND, FLAG_LONG, FLAG_MORE, RESERVED_FLAGS } from "./frame.js"

/** Receives each decoded frame. `body` is a view into the chunk when the frame lay inside it. */
export interface FrameSink {
  onFrame(flags: number, body: Uint8Array): void
}

/** Makes a view of `length` bytes of `buffer` from `byteOffset`. */
export type FrameView = (buffer: ArrayBufferLike, byteOffset: number, length: number) => Uint8Array

export interface FrameDecoderLimits {
  /** Largest message frame body accepted; -1 for no limit (libzmq's ZMQ_MAXMSGSIZE semantics: per frame). */
  readonly maxMessageSize: number
  /** Largest command frame body accepted. */
  readonly maxCommandSize: number
  /** Makes each frame's view; default `new Uint8Array(buffer, byteOffset, length)`. */
  readonly frameView?: FrameView
}

/** Split frames are gathered into a buffer that starts at most this big and doubles as bytes arrive. */
const INITIAL_GATHER_SIZE = 64 * 1024
/** Split frames up to this size are gathered into a shared pool instead of an array of their own. */
const POOLED_FRAME_MAX = 4 * 1024
const POOL_SIZE = 64 * 1024

/**
 * Turns a byte stream into frames (RFC 23 §"Framing"). Frames wholly inside a chunk are delivered as views
 * into that chunk; only a frame split across chunks is copied, into a buffer that grows with the bytes that
 * actually arrive, so a header claiming 2⁶³ bytes allocates nothing. Sizes are checked against the limits
 * from the header alone, before any body byte is stored.
 *
 * Performance notes (measured with `pnpm bench`; docs/decisions/0004-zmtp-codec-hot-paths.md):
 * - Views are made with `new Uint8Array(buffer, offset, size)`, 2× faster than `subarray`, which goes through
 *   the species constructor (a `Buffer` chunk's `subarray` even builds a `Buffer`). Every frame is therefore
 *   a plain `Uint8Array`, whatever the chunk's class.
 * - The loop over whole frames is its own method and ends in a bare `return`. V8 compiles a long loop on
 *   stack replacement during its first call, before the code after it has ever run; type-less code there
 *   made the compiled loop deoptimize at the end of every chunk.
 * - A split frame of up to 4 KiB is gathered into a 64 KiB pool, as Node pools small Buffers: an array of
 *   its own would cost a 1 µs allocation, once per chunk. A pooled frame keeps its pool alive, as a frame
 *   inside a chunk keeps the chunk alive.
 */
export class FrameDecoder {
  // Limits as plain numbers; no limit is Infinity so the hot path needs one comparison.
  readonly #maxMessageSize: number
  readonly #maxCommandSize: number
  #view: FrameView | undefined
  // A header split across chunks: at most 9 octets.
  readonly #header = new Uint8Array(9)
  #headerFill = 0
  // A body split across chunks.
  #body: Uint8Array | undefined
  #bodyFill = 0
  #bodySize = 0
  #bodyFlags = 0
  // Where small split frames are gathered; bytes before `poolUsed` belong to frames already delivered.
  #pool: Uint8Array | undefined
  #poolUsed = 0

  constructor(limits: FrameDecoderLimits) {
    this.#maxMessageSize = limits.maxMessageSize < 0 ? Infinity : limits.maxMessageSize
    this.#maxCommandSize = limits.maxCommandSize
    this.#view = limits.frameView
  }

  /**
   * Plain Uint8Array views from now on (no `frameView`): for frames that only a data transform reads (CURVE
   * opens each into a new body at once), a host view would be made for nothing.
   */
  usePlainViews(): void {
    this.#view = undefined
  }

  /** True when no partial frame is buffered, i.e. the stream ended on a frame boundary. */
  get idle(): boolean {
    return this.#headerFill === 0 && this.#body === undefined
  }

  feed(chunk: Uint8Array, sink: FrameSink): void {
    let pos = 0
    if (this.#body !== undefined) {
      pos = this.#continueBody(chunk, sink)
    } else if (this.#headerFill > 0) {
      pos = this.#continueHeader(chunk, sink)
    }
    pos = this.#deliverWholeFrames(chunk, pos, sink)
    if (pos < chunk.length) this.#keepPartialFrame(chunk, pos)
  }

  /** Delivers the frames that lie wholly in `chunk` from `pos` on; returns where the first partial one starts. */
  #deliverWholeFrames(chunk: Uint8Array, pos: number, sink: FrameSink): number {
    const length = chunk.length
    const buffer = chunk.buffer
    const offset = chunk.byteOffset
    const maxMessageSize = this.#maxMessageSize
    const view = this.#view
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
      if ((flags & FLAG_COMMAND) !== 0 || size > maxMessageSize) this.#checkSize(flags, size)
      if (bodyStart + size > length) break
      sink.onFrame(flags, view === undefined ? new Uint8Array(buffer, offset + bodyStart, size) : view(buffer, offset + bodyStart, size))
      pos = bodyStart + size
    }
    return pos
  }

  /** Stores the start of a frame that continues in the next chunk (its header is already checked if whole). */
  #keepPartialFrame(chunk: Uint8Array, pos: number): void {
    const flags = chunk[pos]!
    const headerSize = (flags & FLAG_LONG) === 0 ? 2 : 9
    if (pos + headerSize > chunk.length) {
      this.#header.set(chunk.subarray(pos), 0)
      this.#headerFill = chunk.length - pos
      return
    }
    const size = headerSize === 2 ? chunk[pos + 1]! : readSize(chunk, pos + 1)
    this.#startBody(flags, size, chunk, pos + headerSize)
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
      const start = chunk.byteOffset + take
      sink.onFrame(flags, this.#view === undefined ? new Uint8Array(chunk.buffer, start, size) : this.#view(chunk.buffer, start, size))
      return take + size
    }
    this.#startBody(flags, size, chunk, take)
    return chunk.length
  }

  #startBody(flags: number, size: number, chunk: Uint8Array, start: number): void {
    const available = chunk.length - start
    this.#body =
      size <= POOLED_FRAME_MAX
        ? this.#fromPool(size)
        : new Uint8Array(Math.min(size, Math.max(INITIAL_GATHER_SIZE, available * 2)))
    this.#body.set(chunk.subarray(start), 0)
    this.#bodyFill = available
    this.#bodySize = size
    this.#bodyFlags = flags
  }

  #fromPool(size: number): Uint8Array {
    if (this.#pool === undefined || this.#poolUsed + size > POOL_SIZE) {
      this.#pool = new Uint8Array(POOL_SIZE)
      this.#poolUsed = 0
    }
    const body = new Uint8Array(this.#pool.buffer, this.#poolUsed, size)
    this.#poolUsed += size
    return body
  }

  #continueBody(chunk: Uint8Array, sink: FrameSink): number {
    let body = this.#body!
    const take = Math.min(this.#bodySize - this.#bodyFill, chunk.length)
    const fill = this.#bodyFill + take
    if (fill > body.length) {
      const grown = new Uint8Array(Math.min(this.#bodySize, Math.max(fill, body.length * 2)))
      grown.set(body.subarray(0, this.#bodyFill), 0)
      body = grown
      this.#body = grown
    }
    body.set(chunk.subarray(0, take), this.#bodyFill)
    this.#bodyFill = fill
    if (fill < this.#bodySize) return chunk.length
    this.#body = undefined
    sink.onFrame(this.#bodyFlags, this.#view === undefined ? body : this.#view(body.buffer, body.byteOffset, body.length))
    return take
  }

  #checkSize(flags: number, size: number): void {
    if ((flags & FLAG_COMMAND) !== 0) {
      if ((flags & FLAG_MORE) !== 0) {
        throw remoteError(ZmtpErrorCode.MALFORMED_FRAME, "command frame has the MORE flag set")
      }
      if (size > this.#maxCommandSize) {
        throw remoteError(
          ZmtpErrorCode.MESSAGE_TOO_LARGE,
          `command frame of ${size} bytes exceeds maxCommandSize ${this.#maxCommandSize}`,
        )
      }
    } else if (size > this.#maxMessageSize) {
      throw remoteError(
        ZmtpErrorCode.MESSAGE_TOO_LARGE,
        `frame of ${size} bytes exceeds maxMessageSize ${this.#maxMessageSize}`,
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
