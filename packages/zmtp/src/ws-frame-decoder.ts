import { remoteError, ZmtpErrorCode } from "./errors.js"
import type { ZmtpError } from "./errors.js"
import { WS_MAX_CONTROL_PAYLOAD, WS_MAX_HEADER_SIZE, WsOpcode } from "./ws-frame.js"
import type { WsRole } from "./ws-frame.js"
import { maskWsInPlace, maskWsPayload } from "./ws-mask.js"

/**
 * A split payload's first buffer, grown as bytes arrive: a 64 KiB ZMTP body and its flags byte fit in one
 * (as FrameDecoder's 64 KiB), where starting at 4 KiB cost four allocations and copies per 64 KiB message.
 */
const INITIAL_GATHER_SIZE = 64 * 1024 + 1

/** Receives each decoded WebSocket frame. Payloads are views into the read chunk when the frame lay inside it. */
export interface WsFrameSink {
  /**
   * A binary message (one FIN frame, never empty): for ZWS, the flags byte and the ZMTP frame body. The payload
   * is `bytes[start, start + length)`, the read chunk itself when the frame lay inside it (so no view is made
   * per message; decision 0017, round 2), valid during the call only.
   */
  onMessage(bytes: Uint8Array, start: number, length: number): void
  /** RFC 6455 §5.5.2: the peer asks for a pong carrying the same payload. */
  onPing(payload: Uint8Array): void
  /** RFC 6455 §5.5.3. */
  onPong(payload: Uint8Array): void
  /** RFC 6455 §5.5.1: `code` is undefined when the close frame carried no status. Nothing follows a close. */
  onClose(code: number | undefined, reason: Uint8Array): void
}

export interface WsFrameDecoderOptions {
  /** Our role: a server receives masked frames only, a client unmasked ones only (RFC 6455 §5.1). */
  readonly role: WsRole
  /**
   * Largest ZMTP frame body accepted (the binary payload less its flags byte); -1 for no limit, as libzmq's
   * ZMQ_MAXMSGSIZE. Checked from the header, before any payload byte is stored.
   */
  readonly maxMessageSize: number
}

/**
 * Turns the byte stream after the upgrade into WebSocket frames, as ZWS 2.0 allows them (RFC 45 §"Framing";
 * libzmq's ws_decoder.cpp refuses the same things). Frames wholly inside a chunk are delivered as views into
 * it, unmasked in place (the decoder owns the chunks it is fed, as the ZMTP FrameDecoder does); a frame split
 * across chunks is gathered into a buffer that grows with the bytes that actually arrive, so a header claiming
 * 2^63 bytes allocates nothing. Any refusal throws a remote `ZmtpError` and the connection must be dropped.
 */
export class WsFrameDecoder {
  readonly #mustBeMasked: boolean
  readonly #maxPayload: number
  // A header split across chunks.
  readonly #header = new Uint8Array(WS_MAX_HEADER_SIZE)
  #headerFill = 0
  // The frame being read: its opcode, payload length and masking key.
  #opcode = 0
  #length = 0
  #mask: Uint8Array | undefined
  // A payload split across chunks.
  #body: Uint8Array | undefined
  #bodyFill = 0
  #closed = false
  readonly #fastMask = new Uint8Array(4)

  constructor(options: WsFrameDecoderOptions) {
    this.#mustBeMasked = options.role === "server"
    // +1: the flags byte. No limit is Infinity, yet a length must still be a safe integer (see #parse).
    this.#maxPayload = options.maxMessageSize < 0 ? Infinity : options.maxMessageSize + 1
  }

  /** True when no partial frame is buffered. */
  get idle(): boolean {
    return this.#headerFill === 0 && this.#body === undefined
  }

  feed(chunk: Uint8Array, sink: WsFrameSink): void {
    let pos = 0
    const end = chunk.length
    while (pos < end && !this.#closed) {
      if (this.#body !== undefined) {
        pos = this.#continueBody(chunk, pos, sink)
        continue
      }
      if (this.#headerFill === 0) {
        pos = this.#deliverShortFrames(chunk, pos, sink)
        if (pos >= end) return
      }
      let headerSize: number
      let source: Uint8Array
      let start: number
      if (this.#headerFill > 0) {
        // Complete the split header a byte at a time: at most 13 bytes, once per split.
        const header = this.#header
        while (pos < end && (headerSize = needed(header, this.#headerFill)) > this.#headerFill) {
          header[this.#headerFill++] = chunk[pos++]!
        }
        headerSize = needed(header, this.#headerFill)
        if (headerSize > this.#headerFill) return
        this.#headerFill = 0
        source = header
        start = 0
      } else {
        headerSize = needed(chunk, end - pos, pos)
        if (headerSize > end - pos) {
          this.#header.set(chunk.subarray(pos), 0)
          this.#headerFill = end - pos
          // Check what can already be checked (opcode, FIN, mask bit) so bad input fails at once.
          if (this.#headerFill >= 2) this.#checkFirstBytes(this.#header, 0)
          return
        }
        source = chunk
        start = pos
        pos += headerSize
      }
      this.#parse(source, start)
      const length = this.#length
      if (end - pos >= length) {
        // Unmasked through the chunk itself, which keeps the word view of its buffer cached across frames.
        if (this.#mask !== undefined) maskWsInPlace(chunk, pos, length, this.#mask, 0)
        const at = pos
        pos += length
        this.#deliver(chunk, at, length, sink)
      } else {
        // Grow with what arrives, never to the claimed length up front.
        const available = end - pos
        this.#body = new Uint8Array(Math.min(length, Math.max(INITIAL_GATHER_SIZE, available * 2)))
        // Unmasked as it is gathered, piece by piece: one pass over bytes just read, none at the end.
        if (this.#mask !== undefined) maskWsPayload(chunk.subarray(pos), this.#body, 0, this.#mask, 0)
        else this.#body.set(chunk.subarray(pos), 0)
        this.#bodyFill = available
        pos = end
      }
    }
  }

  #continueBody(chunk: Uint8Array, pos: number, sink: WsFrameSink): number {
    let body = this.#body!
    const take = Math.min(this.#length - this.#bodyFill, chunk.length - pos)
    const fill = this.#bodyFill + take
    if (fill > body.length) {
      const grown = new Uint8Array(Math.min(this.#length, Math.max(fill, body.length * 2)))
      grown.set(body.subarray(0, this.#bodyFill), 0)
      body = grown
      this.#body = grown
    }
    if (this.#mask !== undefined) maskWsPayload(chunk.subarray(pos, pos + take), body, this.#bodyFill, this.#mask, this.#bodyFill)
    else body.set(chunk.subarray(pos, pos + take), this.#bodyFill)
    this.#bodyFill = fill
    if (fill < this.#length) return pos + take
    this.#body = undefined
    this.#deliver(body, 0, this.#length, sink)
    return pos + take
  }

  /**
   * The common frames first, what a burst of small messages is: FIN binary with no RSV bit (0x82), masked as
   * our role wants, a short non-empty length within the limit, wholly in this chunk. Returns where the first
   * other frame starts; that one takes the general path in `feed`, which checks (and refuses) it in full. Its
   * own method ending in a bare return, as FrameDecoder's (decision 0004: a loop compiled on stack replacement
   * must not share a body with code that has not run yet).
   */
  #deliverShortFrames(chunk: Uint8Array, pos: number, sink: WsFrameSink): number {
    const end = chunk.length
    const mustBeMasked = this.#mustBeMasked
    const maxPayload = this.#maxPayload
    const mask = this.#fastMask
    while (end - pos >= 2 && chunk[pos] === 0x82) {
      const b1 = chunk[pos + 1]!
      const length = b1 & 0x7f
      const masked = (b1 & 0x80) !== 0
      const start = pos + (masked ? 6 : 2)
      if (length === 0 || length >= 126 || masked !== mustBeMasked || length > maxPayload || start + length > end) break
      if (masked) {
        mask[0] = chunk[pos + 2]!
        mask[1] = chunk[pos + 3]!
        mask[2] = chunk[pos + 4]!
        mask[3] = chunk[pos + 5]!
        maskWsInPlace(chunk, start, length, mask, 0)
      }
      pos = start + length
      sink.onMessage(chunk, start, length)
    }
    return pos
  }

  #deliver(bytes: Uint8Array, start: number, length: number, sink: WsFrameSink): void {
    if (this.#opcode === WsOpcode.BINARY) {
      sink.onMessage(bytes, start, length)
      return
    }
    const payload = new Uint8Array(bytes.buffer, bytes.byteOffset + start, length)
    switch (this.#opcode) {
      case WsOpcode.PING:
        sink.onPing(payload)
        return
      case WsOpcode.PONG:
        sink.onPong(payload)
        return
      default: {
        // CLOSE (the only other opcode #parse lets through).
        this.#closed = true
        if (payload.length === 1) throw malformed("close frame with a 1-byte payload (RFC 6455 §5.5.1)")
        const code = payload.length >= 2 ? (payload[0]! << 8) | payload[1]! : undefined
        sink.onClose(code, payload.subarray(2))
      }
    }
  }

  #checkFirstBytes(bytes: Uint8Array, at: number): void {
    const b0 = bytes[at]!
    const b1 = bytes[at + 1]!
    const opcode = b0 & 0x0f
    if ((b0 & 0x70) !== 0) throw malformed("RSV bits set, but no extension was negotiated (RFC 6455 §5.2)")
    if (opcode === WsOpcode.TEXT) throw malformed("text frame (ZWS 2.0 carries binary messages only)")
    if (opcode === WsOpcode.CONTINUATION) throw malformed("continuation frame (ZWS 2.0 does not fragment)")
    if (opcode !== WsOpcode.BINARY && opcode !== WsOpcode.CLOSE && opcode !== WsOpcode.PING && opcode !== WsOpcode.PONG) {
      throw malformed(`unknown opcode 0x${opcode.toString(16)} (RFC 6455 §5.2)`)
    }
    if ((b0 & 0x80) === 0) throw malformed("fragmented message (FIN clear; ZWS 2.0 does not fragment)")
    const masked = (b1 & 0x80) !== 0
    if (masked !== this.#mustBeMasked) {
      throw malformed(masked ? "masked frame from the server (RFC 6455 §5.1)" : "unmasked frame from the client (RFC 6455 §5.1)")
    }
    const short = b1 & 0x7f
    if (opcode >= 0x8 && short > WS_MAX_CONTROL_PAYLOAD) throw malformed("control frame over 125 bytes (RFC 6455 §5.5)")
    if (opcode === WsOpcode.BINARY && short === 0) throw malformed("empty binary message (ZWS 2.0 needs the flags byte)")
  }

  /** Reads and checks a whole header at `bytes[at]`. */
  #parse(bytes: Uint8Array, at: number): void {
    this.#checkFirstBytes(bytes, at)
    const b1 = bytes[at + 1]!
    let length = b1 & 0x7f
    let next = at + 2
    if (length === 126) {
      length = (bytes[at + 2]! << 8) | bytes[at + 3]!
      next = at + 4
    } else if (length === 127) {
      // §5.2: the most significant bit must be 0. Lengths past 2^53 cannot be stored anyway (EMSGSIZE, as
      // libzmq's size_t check).
      const high = ((bytes[at + 2]! << 24) | (bytes[at + 3]! << 16) | (bytes[at + 4]! << 8) | bytes[at + 5]!) >>> 0
      const low = ((bytes[at + 6]! << 24) | (bytes[at + 7]! << 16) | (bytes[at + 8]! << 8) | bytes[at + 9]!) >>> 0
      if (high >= 0x200000) throw tooLarge(high * 0x100000000 + low, this.#maxPayload)
      length = high * 0x100000000 + low
      next = at + 10
    }
    const opcode = bytes[at]! & 0x0f
    if (opcode === WsOpcode.BINARY) {
      if (length === 0) throw malformed("empty binary message (ZWS 2.0 needs the flags byte)")
      if (length > this.#maxPayload) throw tooLarge(length, this.#maxPayload)
    }
    this.#opcode = opcode
    this.#length = length
    if ((b1 & 0x80) !== 0) {
      this.#mask = this.#mask ?? new Uint8Array(4)
      this.#mask[0] = bytes[next]!
      this.#mask[1] = bytes[next + 1]!
      this.#mask[2] = bytes[next + 2]!
      this.#mask[3] = bytes[next + 3]!
    } else {
      this.#mask = undefined
    }
  }
}

/**
 * How long the header starting at `bytes[at]` is, from the `have` bytes available there (2 when fewer than 2
 * are known yet, so the caller asks again).
 */
function needed(bytes: Uint8Array, have: number, at = 0): number {
  if (have < 2) return 2
  const b1 = bytes[at + 1]!
  const short = b1 & 0x7f
  return 2 + (short === 126 ? 2 : short === 127 ? 8 : 0) + ((b1 & 0x80) !== 0 ? 4 : 0)
}

function malformed(why: string): ZmtpError {
  return remoteError(ZmtpErrorCode.WS_MALFORMED_FRAME, `WebSocket: ${why}`)
}

function tooLarge(length: number, maxPayload: number): ZmtpError {
  const limit = maxPayload === Infinity ? "what can be stored" : `maxMessageSize ${maxPayload - 1}`
  return remoteError(ZmtpErrorCode.MESSAGE_TOO_LARGE, `WebSocket message of ${length} bytes exceeds ${limit}`)
}
