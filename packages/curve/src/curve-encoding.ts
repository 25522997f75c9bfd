import { FLAG_COMMAND, FLAG_MORE, ZmtpError, ZmtpErrorCode, type FrameTransform, type FrameView, type WireFrame } from "@zmq-ts/zmtp"
import { MAC_BYTES, openMessage, sealMessage, type OpenedMessage } from "./primitives.js"
import { MESSAGE_NAME, readUint32, SHORT_NONCE_BYTES, writeShortNonce, type ShortNonce } from "./wire.js"

/** `\x07MESSAGE`, short nonce, then the box: MAC and at least the flags octet (libzmq's minimum, 33). */
const HEADER_BYTES = MESSAGE_NAME.length + SHORT_NONCE_BYTES
const MIN_MESSAGE_BYTES = HEADER_BYTES + MAC_BYTES + 1

/**
 * Frames up to SLAB_PIECE_MAX bytes, sent or received, are carved out of slabs (1 KiB, doubling to 64 KiB), one per connection and
 * direction, as the frame decoder pools small frames: an ArrayBuffer of their own cost ~0.3–0.9 µs each here,
 * as much as the box of a 64-byte message. A slab's bytes are handed out once and never written again, so a
 * frame given to the application stays intact; and a slab holds one connection's frames only (core tags
 * received frames' message properties per ArrayBuffer: stream-engine.ts). A kept frame keeps its slab alive.
 */
const SLAB_BYTES = 64 * 1024
const SLAB_PIECE_MAX = 4 * 1024

/** A connection's first slab; each next one is twice the last, up to SLAB_BYTES (short connections stay cheap). */
const FIRST_SLAB_BYTES = 1024

class Slab {
  #slab: Uint8Array | undefined
  #used = 0
  #next = FIRST_SLAB_BYTES
  /** Makes the pieces (the host's byte type, FrameTransform.useFrameView); plain subarrays without it. */
  view: FrameView | undefined

  /** `size` fresh bytes, zero-filled, never handed out again. */
  readonly allocate = (size: number): Uint8Array => {
    if (size > SLAB_PIECE_MAX) return this.view === undefined ? new Uint8Array(size) : this.view(new ArrayBuffer(size), 0, size)
    let slab = this.#slab
    if (slab === undefined || this.#used + size > slab.length) {
      // A connection that sends one message (a handshake, a request) need not zero 64 KiB for it.
      const next = this.#next
      if (next < SLAB_BYTES) this.#next = next * 2
      slab = new Uint8Array(Math.max(next, size))
      this.#slab = slab
      this.#used = 0
    }
    const piece = this.view === undefined ? slab.subarray(this.#used, this.#used + size) : this.view(slab.buffer, slab.byteOffset + this.#used, size)
    this.#used += size
    return piece
  }
}

/** The flags octet inside a MESSAGE box (RFC 26 §"MESSAGE", libzmq curve_mechanism_base.cpp). */
const INNER_MORE = 0x01
const INNER_COMMAND = 0x02

/**
 * The data phase of a CURVE connection (RFC 26 §"MESSAGE"; libzmq's curve_encoding_t): every frame, message
 * or command (PING, PONG, SUBSCRIBE, CANCEL, …), travels as
 *
 *   body = "\x07MESSAGE" short-nonce Box[flags payload](C'→S' or S'→C')
 *
 * where flags carries MORE (bit 0) and COMMAND (bit 1), and the outer ZMTP frame has flags 0, as libzmq
 * sends it (its receiver ignores the outer flags; so does this one: only the boxed flags are authentic).
 * Short nonces count up from where the handshake left off; a received one must exceed the last, else
 * INVALID_SEQUENCE. Each frame is one crypto_box_easy_afternm on the key precomputed at the handshake.
 */
export class CurveMessageTransform implements FrameTransform {
  readonly #key: Uint8Array
  readonly #sendNonce = new Uint8Array(24)
  readonly #receiveNonce = new Uint8Array(24)
  #sendCounter: number
  #peerHigh: number
  #peerLow: number
  #disposed = false
  // One result object per direction, refilled per call: the connection reads it at once.
  readonly #wrapped: { flags: number; body: Uint8Array } = { flags: 0, body: new Uint8Array(0) }
  readonly #unwrapped: { flags: number; body: Uint8Array } = { flags: 0, body: new Uint8Array(0) }
  readonly #opened: OpenedMessage = { flags: 0, body: new Uint8Array(0) }
  readonly #sendSlab = new Slab()
  readonly #receiveSlab = new Slab()

  /**
   * Takes ownership of `key` (zeroed by `dispose()`). `nextNonce` is our next short nonce, `peerNonce` the
   * last one the peer used in the handshake.
   */
  constructor(key: Uint8Array, sendPrefix: Uint8Array, receivePrefix: Uint8Array, nextNonce: number, peerNonce: ShortNonce) {
    this.#key = key
    this.#sendNonce.set(sendPrefix, 0)
    this.#receiveNonce.set(receivePrefix, 0)
    this.#sendCounter = nextNonce
    this.#peerHigh = peerNonce.high
    this.#peerLow = peerNonce.low
  }

  wrap(flags: number, body: Uint8Array): WireFrame {
    if (this.#disposed) throw disposedError()
    const counter = this.#sendCounter++
    const nonce = this.#sendNonce
    writeShortNonce(nonce, 16, counter)
    const out = this.#sendSlab.allocate(MIN_MESSAGE_BYTES + body.length)
    out.set(MESSAGE_NAME, 0)
    for (let i = 0; i < SHORT_NONCE_BYTES; i++) out[MESSAGE_NAME.length + i] = nonce[16 + i]!
    const inner = ((flags & FLAG_MORE) !== 0 ? INNER_MORE : 0) | ((flags & FLAG_COMMAND) !== 0 ? INNER_COMMAND : 0)
    sealMessage(out, HEADER_BYTES, inner, body, nonce, this.#key)
    const wrapped = this.#wrapped
    wrapped.body = out
    return wrapped
  }

  unwrap(_flags: number, body: Uint8Array): WireFrame | undefined {
    if (this.#disposed) throw disposedError()
    const size = body.length
    // libzmq's check_basic_command_structure, then curve_encoding_t::check_validity, in that order.
    if (size <= 1 || size <= body[0]!) {
      throw this.#fail(ZmtpErrorCode.MALFORMED_COMMAND, `data frame of ${size} bytes is not a CURVE MESSAGE command`)
    }
    for (let i = 0; i < MESSAGE_NAME.length; i++) {
      if (body[i] !== MESSAGE_NAME[i]) throw this.#fail(ZmtpErrorCode.UNEXPECTED_COMMAND, "data frame is not a CURVE MESSAGE command")
    }
    if (size < MIN_MESSAGE_BYTES) {
      throw this.#fail(ZmtpErrorCode.MALFORMED_COMMAND_MESSAGE, `CURVE MESSAGE of ${size} bytes is shorter than ${MIN_MESSAGE_BYTES}`)
    }
    const high = readUint32(body, MESSAGE_NAME.length)
    const low = readUint32(body, MESSAGE_NAME.length + 4)
    if (high < this.#peerHigh || (high === this.#peerHigh && low <= this.#peerLow)) {
      throw this.#fail(ZmtpErrorCode.INVALID_SEQUENCE, `CURVE MESSAGE nonce ${nonceText(high, low)} is not above the last, ${nonceText(this.#peerHigh, this.#peerLow)}`)
    }
    this.#peerHigh = high
    this.#peerLow = low
    const nonce = this.#receiveNonce
    for (let i = 0; i < SHORT_NONCE_BYTES; i++) nonce[16 + i] = body[MESSAGE_NAME.length + i]!
    const opened = this.#opened
    if (!openMessage(opened, body, HEADER_BYTES, nonce, this.#key, this.#receiveSlab.allocate)) {
      throw this.#fail(ZmtpErrorCode.CRYPTOGRAPHIC, "CURVE MESSAGE box does not verify")
    }
    const inner = opened.flags
    const unwrapped = this.#unwrapped
    unwrapped.flags = ((inner & INNER_MORE) !== 0 ? FLAG_MORE : 0) | ((inner & INNER_COMMAND) !== 0 ? FLAG_COMMAND : 0)
    unwrapped.body = opened.body
    opened.body = EMPTY // the transform keeps no reference to a frame it handed out
    return unwrapped
  }

  /** Received bodies are made with `view` (the connection's frame type), so that it need not wrap them again. */
  useFrameView(view: FrameView): void {
    this.#receiveSlab.view = view
  }

  /** Zeroes the session key and nonces; the transform refuses every later frame. Idempotent. */
  dispose(): void {
    this.#disposed = true
    this.#key.fill(0)
    this.#sendNonce.fill(0)
    this.#receiveNonce.fill(0)
  }

  /** A frame that fails verification ends the connection: the key is zeroed at once. */
  #fail(code: ZmtpErrorCode, message: string): ZmtpError {
    this.dispose()
    return new ZmtpError(code, "remote", message)
  }
}

const EMPTY = new Uint8Array(0)

function nonceText(high: number, low: number): string {
  return (BigInt(high) * 4294967296n + BigInt(low)).toString()
}

function disposedError(): ZmtpError {
  return new ZmtpError(ZmtpErrorCode.INVALID_STATE, "local", "the CURVE session has been disposed")
}
