import { remoteError, ZmtpErrorCode } from "./errors.js"
import { FLAG_COMMAND, FLAG_MORE } from "./frame.js"
import type { FrameSink, FrameView } from "./frame-decoder.js"
import { COPY_THRESHOLD, FrameEncoder } from "./frame-encoder.js"
import { maskWsInPlace } from "./ws-mask.js"
import { maskWsPayload, wsClosePayload, wsHeaderSize, WsOpcode, WS_MAX_HEADER_SIZE, writeWsHeader } from "./ws-frame.js"
import type { WsRole } from "./ws-frame.js"
import { WsFrameDecoder } from "./ws-frame-decoder.js"
import type { WsFrameSink } from "./ws-frame-decoder.js"

/**
 * ZWS 2.0 framing (RFC 45 §"Framing"): one ZMTP frame per binary WebSocket message, whose payload is a flags
 * byte (0x00 last, 0x01 more, 0x02 command) and then the body. These two classes give `ZmtpConnection` the
 * interface of its FrameDecoder and FrameEncoder over that wire, so the state machine above stays one.
 */

/** What ZWS framing options a `ZmtpConnection` takes: our WebSocket role, and for a client its masking keys. */
export interface ZwsFraming {
  readonly role: WsRole
  /**
   * A fresh 4-byte masking key per frame (RFC 6455 §5.3: unpredictable). Required for a client that frames
   * the WebSocket itself; the host supplies it (crypto.getRandomValues), this package has no random source.
   */
  readonly maskKey?: () => Uint8Array
  /**
   * Bare "ZWS2.0" (RFC 45, libzmq's ws_engine when the chosen subprotocol is "ZWS2.0"): no mechanism, no
   * READY; the first message each way is the sender's routing id, then data. NULL only.
   */
  readonly bare?: boolean
  /**
   * Message mode: the host's WebSocket (a browser's) does the RFC 6455 framing. Each `receiveData()` input is
   * one whole binary message's payload (flags byte + body), and `dataToSendMessages()` returns whole
   * payloads to send one per message. No masking, pings or close frames here: the platform owns them.
   */
  readonly messages?: boolean
}

/** Where the decoder sends what is not a ZMTP frame: pings, pongs, the close. */
export interface ZwsControlSink {
  onPing(payload: Uint8Array): void
  onPong(payload: Uint8Array): void
  onClose(code: number | undefined): void
}

/** RFC 45's flags byte: 0x01 more, 0x02 command (ZMTP's own header has command at 0x04, long at 0x02). */
const ZWS_MORE = 0x01
const ZWS_COMMAND = 0x02
const ZWS_FLAGS = ZWS_MORE | ZWS_COMMAND
/** Bodies up to this size are copied byte by byte (as FrameEncoder does: `set` has a fixed cost). */
const SMALL_BODY_SIZE = 8

/**
 * Reads one ZWS payload (flags byte + body) into a ZMTP frame, with the size limits; shared by both decoders.
 * It is the WebSocket decoder's sink itself, taking the payload as (chunk, start, length): one view per
 * message (the body's), with no closure in between (decision 0017, round 2).
 */
class ZwsPayloadReader implements WsFrameSink {
  readonly #maxCommandSize: number
  readonly #maxMessageSize: number
  #view: FrameView | undefined
  readonly #control: ZwsControlSink | undefined
  /** Where frames go during the current `feed`. */
  sink: FrameSink | undefined

  constructor(maxMessageSize: number, maxCommandSize: number, view: FrameView | undefined, control: ZwsControlSink | undefined) {
    this.#maxCommandSize = maxCommandSize
    this.#maxMessageSize = maxMessageSize < 0 ? Infinity : maxMessageSize
    this.#view = view
    this.#control = control
  }

  usePlainViews(): void {
    this.#view = undefined
  }

  onMessage(bytes: Uint8Array, start: number, length: number): void {
    const flags = bytes[start]!
    const size = length - 1
    if (flags !== 0 || size > this.#maxMessageSize) this.#check(flags, size)
    // `.buffer` and `.byteOffset` are not free: read once per chunk, not once per message (decision 0007).
    if (bytes !== this.#bytes) {
      this.#bytes = bytes
      this.#buffer = bytes.buffer
      this.#offset = bytes.byteOffset
    }
    const at = this.#offset + start + 1
    // ZMTP's flag values upward (FLAG_MORE is 0x01 in both).
    this.sink!.onFrame((flags & ZWS_COMMAND) !== 0 ? FLAG_COMMAND : flags, this.#view === undefined ? new Uint8Array(this.#buffer, at, size) : this.#view(this.#buffer, at, size))
  }

  /** The chunk frames are being read from, and its buffer and offset (see onMessage). */
  #bytes: Uint8Array | undefined
  #buffer: ArrayBufferLike = new ArrayBuffer(0)
  #offset = 0

  onPing(payload: Uint8Array): void {
    this.#control!.onPing(payload)
  }

  onPong(payload: Uint8Array): void {
    this.#control!.onPong(payload)
  }

  onClose(code: number | undefined): void {
    this.#control!.onClose(code)
  }

  /** The flags byte and size limits, off the hot path: a last data frame within maxMessageSize skips it. */
  #check(flags: number, size: number): void {
    if ((flags & ~ZWS_FLAGS) !== 0) throw remoteError(ZmtpErrorCode.MALFORMED_FRAME, `ZWS flags byte 0x${flags.toString(16)} has reserved bits set`)
    if ((flags & ZWS_COMMAND) !== 0) {
      if ((flags & ZWS_MORE) !== 0) throw remoteError(ZmtpErrorCode.MALFORMED_FRAME, "command frame has the MORE flag set")
      if (size > this.#maxCommandSize) throw remoteError(ZmtpErrorCode.MESSAGE_TOO_LARGE, `command of ${size} bytes exceeds maxCommandSize ${this.#maxCommandSize}`)
    } else if (size > this.#maxMessageSize) {
      throw remoteError(ZmtpErrorCode.MESSAGE_TOO_LARGE, `message frame of ${size} bytes exceeds maxMessageSize ${this.#maxMessageSize}`)
    }
  }
}

export class ZwsFrameDecoder {
  readonly #ws: WsFrameDecoder
  readonly #payloads: ZwsPayloadReader

  constructor(role: WsRole, maxMessageSize: number, maxCommandSize: number, view: FrameView | undefined, control: ZwsControlSink) {
    // Commands are bounded by maxCommandSize, data by maxMessageSize: the header check takes the larger,
    // the flags byte then tells which applies.
    this.#ws = new WsFrameDecoder({ role, maxMessageSize: maxMessageSize < 0 ? -1 : Math.max(maxMessageSize, maxCommandSize) })
    this.#payloads = new ZwsPayloadReader(maxMessageSize, maxCommandSize, view, control)
  }

  get idle(): boolean {
    return this.#ws.idle
  }

  usePlainViews(): void {
    this.#payloads.usePlainViews()
  }

  feed(chunk: Uint8Array, sink: FrameSink): void {
    this.#payloads.sink = sink
    this.#ws.feed(chunk, this.#payloads)
  }
}

/** Message mode's decoder: every input is one whole WebSocket message's payload (the platform unframed it). */
export class ZwsMessageDecoder {
  readonly #payloads: ZwsPayloadReader

  constructor(maxMessageSize: number, maxCommandSize: number, view: FrameView | undefined) {
    this.#payloads = new ZwsPayloadReader(maxMessageSize, maxCommandSize, view, undefined)
  }

  /** Always: a payload is never split across inputs. */
  get idle(): boolean {
    return true
  }

  usePlainViews(): void {
    this.#payloads.usePlainViews()
  }

  feed(payload: Uint8Array, sink: FrameSink): void {
    // libzmq's ws_decoder drops a connection on an empty message: ZWS needs the flags byte.
    if (payload.length === 0) throw remoteError(ZmtpErrorCode.MALFORMED_FRAME, "empty binary message (ZWS 2.0 needs the flags byte)")
    this.#payloads.sink = sink
    this.#payloads.onMessage(payload, 0, payload.length)
  }
}

/**
 * Message mode's encoder: each ZMTP frame becomes one payload (flags byte + body), copied once, for the
 * platform's `WebSocket.send()`. It has FrameEncoder's frame methods; the byte-stream ones refuse.
 */
export class ZwsMessageEncoder {
  #messages: Uint8Array[] = []
  #pending = 0

  get pendingBytes(): number {
    return this.#pending
  }

  writeRaw(_bytes: Uint8Array): void {
    throw new TypeError("ZWS message mode has no raw byte stream")
  }

  writeFrame(flags: number, body: Uint8Array): void {
    const payload = new Uint8Array(1 + body.length)
    payload[0] = (flags & FLAG_COMMAND) !== 0 ? ZWS_COMMAND : flags & FLAG_MORE
    payload.set(body, 1)
    this.#push(payload)
  }

  writeCommand(prefix: Uint8Array, data: Uint8Array): void {
    const payload = new Uint8Array(1 + prefix.length + data.length)
    payload[0] = ZWS_COMMAND
    payload.set(prefix, 1)
    payload.set(data, 1 + prefix.length)
    this.#push(payload)
  }

  /** The payloads queued so far, one per WebSocket message, in order; the caller owns them. */
  takeMessages(): Uint8Array[] {
    const messages = this.#messages
    this.#messages = []
    this.#pending = 0
    return messages
  }

  take(): Uint8Array {
    throw new TypeError("ZWS message mode: take whole payloads with dataToSendMessages()")
  }

  takeSegments(): Uint8Array[] {
    throw new TypeError("ZWS message mode: take whole payloads with dataToSendMessages()")
  }

  /** Payloads are the caller's once taken: nothing to release. */
  release(_batch?: number): void {}

  #push(payload: Uint8Array): void {
    this.#messages.push(payload)
    this.#pending += payload.length
  }
}

/** FrameEncoder's interface over ZWS: each frame becomes one FIN binary message, masked when we are the client. */
export class ZwsFrameEncoder {
  readonly #out = new FrameEncoder()
  readonly #maskKey: (() => Uint8Array) | undefined
  readonly #header = new Uint8Array(WS_MAX_HEADER_SIZE + 1)

  constructor(framing: ZwsFraming) {
    if (framing.role === "client" && framing.maskKey === undefined) {
      throw new TypeError("a ZWS client needs a maskKey source (RFC 6455 §5.3)")
    }
    this.#maskKey = framing.role === "client" ? framing.maskKey : undefined
  }

  get pendingBytes(): number {
    return this.#out.pendingBytes
  }

  writeRaw(bytes: Uint8Array): void {
    this.#out.writeRaw(bytes)
  }

  writeFrame(flags: number, body: Uint8Array): void {
    this.#write(flags, undefined, body)
  }

  writeCommand(prefix: Uint8Array, data: Uint8Array): void {
    this.#write(FLAG_COMMAND, prefix, data)
  }

  /** A control frame (ping, pong, close): RFC 6455 §5.5, at most 125 bytes. */
  writeControl(opcode: WsOpcode, payload: Uint8Array): void {
    const key = this.#maskKey?.()
    const header = this.#header
    const end = writeWsHeader(header, 0, opcode, payload.length, key)
    this.#out.writeRaw(header.subarray(0, end))
    this.#out.writeRaw(key === undefined ? payload : masked(payload, key, 0))
  }

  writeClose(code: number): void {
    this.writeControl(WsOpcode.CLOSE, wsClosePayload(code))
  }

  take(): Uint8Array {
    return this.#out.take()
  }

  release(batch?: number): void {
    this.#out.release(batch)
  }

  takeSegments(): Uint8Array[] {
    return this.#out.takeSegments()
  }

  #write(zmtpFlags: number, prefix: Uint8Array | undefined, body: Uint8Array): void {
    const flags = (zmtpFlags & FLAG_COMMAND) !== 0 ? ZWS_COMMAND : zmtpFlags & FLAG_MORE
    const prefixLength = prefix === undefined ? 0 : prefix.length
    const bodyLength = body.length
    const length = 1 + prefixLength + bodyLength
    const out = this.#out
    const key = this.#maskKey?.()
    if (key === undefined) {
      // Server: header, flags and prefix straight into the slab; a large body is referenced after them (one
      // writev), a small one copied behind (one write for a burst).
      const copied = bodyLength < COPY_THRESHOLD
      let at = out.claim(wsHeaderSize(length, false) + 1 + prefixLength + (copied ? bodyLength : 0))
      const slab = out.slab
      at = writeWsHeader(slab, at, WsOpcode.BINARY, length, undefined)
      slab[at++] = flags
      if (prefix !== undefined) {
        slab.set(prefix, at)
        at += prefixLength
      }
      if (!copied) out.writeBody(body)
      else if (bodyLength <= SMALL_BODY_SIZE) for (let i = 0; i < bodyLength; i++) slab[at + i] = body[i]!
      else slab.set(body, at)
      return
    }
    // Client: the whole frame is produced in the slab, the payload masked as it is copied there (RFC 6455
    // §5.3, phase counted from the flags byte); the body must be copied anyway, so even a large one is. The
    // key is read here and never kept, so its source may hand out one array, refilled (core's does).
    let at = out.claim(wsHeaderSize(length, true) + length)
    const slab = out.slab
    at = writeWsHeader(slab, at, WsOpcode.BINARY, length, key)
    // The payload is assembled unmasked, then masked in one pass through the slab (whose word view stays
    // cached across frames).
    const payloadStart = at
    slab[at++] = flags
    if (prefix !== undefined) {
      slab.set(prefix, at)
      at += prefixLength
    }
    if (bodyLength <= SMALL_BODY_SIZE) for (let i = 0; i < bodyLength; i++) slab[at + i] = body[i]!
    else slab.set(body, at)
    maskWsInPlace(slab, payloadStart, length, key, 0)
  }
}

function masked(bytes: Uint8Array, key: Uint8Array, phase: number): Uint8Array {
  const out = new Uint8Array(bytes.length)
  maskWsPayload(bytes, out, 0, key, phase)
  return out
}
