/**
 * One ZMTP 3.1 connection as a sans-IO state machine (RFC 23 ZMTP 3.0, RFC 37 ZMTP 3.1).
 *
 * Theory of operation. The caller owns the byte stream: it writes `dataToSend()` to the peer and feeds what
 * the peer sends to `receiveData()`, which returns events. Nothing here does I/O, keeps time or schedules.
 *
 *   greeting  ──peer greeting ok──▶ handshake ──mechanism complete──▶ ready ──close()──▶ closed
 *       │                              │                              │
 *       └──────── any fault ───────────┴──────────────────────────────┴──▶ failed
 *
 * - greeting (RFC 23 §"Greeting"): our 64 octets are queued at construction; the peer's are parsed as they
 *   arrive, in any pieces. A ZMTP 1.0/2.0 peer, a bad signature or another mechanism fails the connection.
 * - handshake (RFC 23 §"Authentication and Confidentiality"): commands go to the `Mechanism`, which answers
 *   through a `MechanismHost`. A message frame here is an invalid sequence; ERROR fails the connection.
 * - ready (RFC 23 §"Message Framing", RFC 37 §"Commands"): message frames are gathered into whole messages
 *   (a multipart message is delivered whole or not at all); SUBSCRIBE/CANCEL/PING/PONG/JOIN/LEAVE become
 *   events and PING is answered with PONG automatically. Peers speaking 3.0 get subscriptions as the
 *   `0x01`/`0x00`-prefixed messages RFC 29 prescribes for them; both forms are accepted from either version.
 * - failed: the last event of the batch is `{ type: "error" }`; `dataToSend()` may still hold an ERROR
 *   command for the peer. Every later call throws a local EFSM error.
 */
import { CommandName, commandPrefix, decodePing, encodePing, encodeShortString, MAX_PING_CONTEXT, parseCommand, readShortString } from "./command.js"
import { localError, remoteError, ZmtpError, ZmtpErrorCode } from "./errors.js"
import { FLAG_COMMAND, FLAG_MORE } from "./frame.js"
import { FrameDecoder, type FrameView } from "./frame-decoder.js"
import { FrameEncoder } from "./frame-encoder.js"
import { encodeGreeting, GreetingParser, ZMTP_MINOR } from "./greeting.js"
import type { AuthenticationRequest, AuthenticationResult, FrameTransform, Mechanism, MechanismHost } from "./mechanism.js"
import { decodeMetadata, encodeMetadata, isValidPropertyName, Metadata } from "./metadata.js"
import { nullMechanism } from "./null-mechanism.js"
import { isCompatibleSocketType, isSocketType, sendsIdentity, type SocketType } from "./socket-type.js"
import { asciiEncode, toBytes, utf8Decode, utf8Encode } from "./text.js"
import { WsOpcode } from "./ws-frame.js"
import { ZwsFrameDecoder, ZwsFrameEncoder, ZwsMessageDecoder, ZwsMessageEncoder, type ZwsFraming } from "./zws-framing.js"

export type ZmtpState = "greeting" | "handshake" | "ready" | "failed" | "closed"

/** Default for `maxCommandSize`: commands are small; this bounds what a peer can make us buffer for one. */
export const DEFAULT_MAX_COMMAND_SIZE = 1024 * 1024

export interface ZmtpConnectionOptions {
  /** Our socket type, sent as the `Socket-Type` property and checked against the peer's. */
  readonly socketType: SocketType
  /** The security mechanism state machine for this connection. Default: `nullMechanism()`. */
  readonly mechanism?: Mechanism
  /** ZMQ_ROUTING_ID: sent as the `Identity` property by REQ, DEALER and ROUTER (0–255 bytes). */
  readonly routingId?: Uint8Array | string
  /** ZMQ_METADATA: application properties for READY/INITIATE; names must start with `X-`. */
  readonly metadata?: Readonly<Record<string, string | Uint8Array>>
  /** ZMQ_MAXMSGSIZE: largest message frame accepted from the peer, in bytes. Default -1 (no limit). */
  readonly maxMessageSize?: number
  /** Largest command frame accepted from the peer, in bytes. Default 1 MiB. */
  readonly maxCommandSize?: number
  /** Passed to the authenticator as `peerAddress` (e.g. "tcp://127.0.0.1:5555"). */
  readonly peerAddress?: string
  /**
   * The ZMTP minor version we advertise. Default 1 (ZMTP 3.1). 0 makes us behave as a ZMTP 3.0 peer, which
   * is useful to test compatibility with libzmq 4.1-era peers.
   */
  readonly zmtpMinorVersion?: 0 | 1
  /**
   * Makes the view of a received frame (see `FrameDecoderLimits.frameView`): a host whose byte type extends
   * Uint8Array (Node's Buffer) gets frames of that type without a second view per frame.
   */
  readonly frameView?: FrameView
  /**
   * Speak ZWS 2.0 (RFC 45) instead of ZMTP over a byte stream: the bytes in and out are the WebSocket
   * stream after the upgrade (which the caller did, choosing this connection's mechanism from the
   * subprotocol). No greeting; the mechanism's commands start at once; one ZMTP frame per binary message;
   * subscriptions travel as 0x01/0x00 data frames; `ping()` sends a WebSocket ping; a close frame from the
   * peer fails the connection with WS_CLOSED after queueing the echo. `zws.bare` is bare "ZWS2.0" (routing
   * ids instead of a handshake); `zws.messages` leaves the RFC 6455 framing to the host's WebSocket.
   */
  readonly zws?: ZwsFraming
}

/** What the handshake learnt about the peer. */
export interface PeerInfo {
  /** Undefined for a bare ZWS2.0 peer, which names no type (and is not checked against ours, as libzmq). */
  readonly socketType: SocketType | undefined
  /** The peer's `Identity` property (empty when it sent none). */
  readonly routingId: Uint8Array
  /** All properties of the peer's READY/INITIATE, names case-insensitive. */
  readonly metadata: Metadata
  /** The ZMTP version the peer's greeting advertised; we speak min(ours, theirs), at most 3.1. */
  readonly zmtpVersion: { readonly major: number; readonly minor: number }
  readonly mechanism: string
  /** The user id the authenticator assigned (PLAIN server side), if any. */
  readonly userId: string | undefined
}

export type ZmtpEvent =
  /** The handshake succeeded; messages may now flow both ways. */
  | { readonly type: "ready"; readonly peer: PeerInfo }
  /**
   * A whole message; frames are views into the chunks passed to `receiveData` where they lay within one. They
   * are plain `Uint8Array`s (also when the chunks are Node `Buffer`s) unless `frameView` makes them otherwise.
   */
  | { readonly type: "message"; readonly frames: Uint8Array[] }
  | { readonly type: "subscribe"; readonly topic: Uint8Array }
  | { readonly type: "cancel"; readonly topic: Uint8Array }
  /** The peer pinged; the PONG is already queued. `ttl` is in milliseconds (0 = none). */
  | { readonly type: "ping"; readonly ttl: number; readonly context: Uint8Array }
  | { readonly type: "pong"; readonly context: Uint8Array }
  | { readonly type: "join"; readonly group: Uint8Array }
  | { readonly type: "leave"; readonly group: Uint8Array }
  /** A data-phase command this codec does not interpret. */
  | { readonly type: "command"; readonly name: string; readonly data: Uint8Array }
  /** The mechanism needs a decision: answer with `resolveAuthentication()`. */
  | { readonly type: "authenticate"; readonly request: AuthenticationRequest }
  /** The connection failed; always the last event. Close the transport after writing `dataToSend()`. */
  | { readonly type: "error"; readonly error: ZmtpError }

/**
 * Takes what `receiveData(chunk, receiver)` decodes as it is decoded, in order, instead of as an array of
 * events: a data-phase fast path that allocates no event object (and for one-frame messages no frames
 * array) per message. The events are the same as `receiveData` would return.
 */
export interface ZmtpReceiver {
  /** A whole one-frame message (a "message" event with one frame). */
  frame(body: Uint8Array): void
  /** A whole message of two or more frames. */
  message(frames: Uint8Array[]): void
  /** Every other event. */
  event(event: ZmtpEvent): void
}

const EMPTY = new Uint8Array(0)
const MORE = FLAG_MORE
const COMMAND = FLAG_COMMAND
const RESERVED_PROPERTIES = new Set(["socket-type", "identity", "resource", "user-id"])

export class ZmtpConnection {
  readonly socketType: SocketType
  readonly #mechanism: Mechanism
  readonly #encoder: FrameEncoder
  readonly #decoder: FrameDecoder
  /** The ZWS encoder (the same object as #encoder) in ZWS mode, for control frames. */
  readonly #zws: ZwsFrameEncoder | undefined
  /** The message-mode encoder (the same object as #encoder) when the host's WebSocket frames. */
  readonly #zwsMessages: ZwsMessageEncoder | undefined
  /** Any ZWS (framed or messages): subscriptions as data frames. */
  readonly #ws: boolean
  /** Bare ZWS2.0: the peer's first message is its routing id, and no mechanism runs. */
  readonly #bare: boolean
  readonly #greeting = new GreetingParser()
  readonly #localMetadata: Uint8Array
  readonly #peerAddress: string | undefined
  readonly #subscriptionMessages: boolean
  #state: ZmtpState = "greeting"
  #events: ZmtpEvent[] = []
  /** Set during a `receiveData` call given a receiver: events go to it as they are decoded. */
  #receiver: ZmtpReceiver | undefined
  #parts: Uint8Array[] = []
  #peer: PeerInfo | undefined
  #peerMetadata: Metadata | undefined
  /** The ZMTP minor version both sides speak: the lower of the two greetings'. */
  #protocolMinor = 0
  readonly #localMinor: number
  #transform: FrameTransform | undefined
  readonly #frameView: FrameView | undefined
  /** The data transform makes its unwrapped bodies with `#frameView` itself (FrameTransform.useFrameView). */
  #transformMakesViews = false
  #error: ZmtpError | undefined
  readonly #sink = { onFrame: (flags: number, body: Uint8Array): void => this.#onFrame(flags, body) }
  readonly #host: MechanismHost

  constructor(options: ZmtpConnectionOptions) {
    if (!isSocketType(options.socketType)) {
      throw localError(ZmtpErrorCode.INVALID_ARGUMENT, `unknown socket type ${JSON.stringify(options.socketType)}`)
    }
    this.socketType = options.socketType
    this.#mechanism = options.mechanism ?? nullMechanism()
    this.#frameView = options.frameView
    this.#peerAddress = options.peerAddress
    this.#subscriptionMessages = this.socketType === "PUB" || this.socketType === "XPUB"
    const maxMessageSize = options.maxMessageSize ?? -1
    const maxCommandSize = options.maxCommandSize ?? DEFAULT_MAX_COMMAND_SIZE
    if (!Number.isSafeInteger(maxMessageSize) || maxMessageSize < -1) {
      throw localError(ZmtpErrorCode.INVALID_ARGUMENT, `invalid maxMessageSize ${maxMessageSize}`)
    }
    if (!Number.isSafeInteger(maxCommandSize) || maxCommandSize < 0) {
      throw localError(ZmtpErrorCode.INVALID_ARGUMENT, `invalid maxCommandSize ${maxCommandSize}`)
    }
    this.#ws = options.zws !== undefined
    this.#bare = options.zws?.bare === true
    this.#zwsMessages = undefined
    if (this.#bare && this.#mechanism.name !== "NULL") {
      throw localError(ZmtpErrorCode.INVALID_ARGUMENT, `bare ZWS2.0 has no mechanism; ${this.#mechanism.name} needs ZWS2.0/${this.#mechanism.name}`)
    }
    if (options.zws?.messages === true) {
      const messages = new ZwsMessageEncoder()
      this.#zwsMessages = messages
      this.#zws = undefined
      this.#encoder = messages as unknown as FrameEncoder
      this.#decoder = new ZwsMessageDecoder(maxMessageSize, maxCommandSize, options.frameView) as unknown as FrameDecoder
    } else if (options.zws === undefined) {
      this.#encoder = new FrameEncoder()
      this.#zws = undefined
      this.#decoder = new FrameDecoder({
        maxMessageSize,
        maxCommandSize,
        ...(options.frameView === undefined ? {} : { frameView: options.frameView }),
      })
    } else {
      // Same interface, other wire (zws-framing.ts); the casts keep one field type for the ZMTP hot path.
      const zws = new ZwsFrameEncoder(options.zws)
      this.#zws = zws
      this.#encoder = zws as unknown as FrameEncoder
      this.#decoder = new ZwsFrameDecoder(options.zws.role, maxMessageSize, maxCommandSize, options.frameView, {
        onPing: (payload) => {
          // RFC 6455 §5.5.2: a pong with the ping's payload. libzmq pings as its ZWS heartbeat.
          zws.writeControl(WsOpcode.PONG, payload)
          this.#emit({ type: "ping", ttl: 0, context: payload })
        },
        onPong: (payload) => this.#emit({ type: "pong", context: payload }),
        onClose: (code) => {
          // RFC 6455 §5.5.1: answer a close with a close, then the connection is over.
          zws.writeClose(code ?? 1000)
          throw remoteError(ZmtpErrorCode.WS_CLOSED, `peer closed the WebSocket${code === undefined ? "" : ` (status ${code})`}`)
        },
      }) as unknown as FrameDecoder
    }

    const routingId = options.routingId === undefined ? EMPTY : toBytes(options.routingId)
    if (routingId.length > 255) {
      throw localError(ZmtpErrorCode.INVALID_ARGUMENT, `routingId of ${routingId.length} bytes exceeds 255`)
    }
    const properties: Array<[string, Uint8Array]> = [["Socket-Type", asciiEncode(this.socketType)]]
    if (sendsIdentity(this.socketType)) properties.push(["Identity", routingId])
    for (const [name, value] of Object.entries(options.metadata ?? {})) {
      if (!isValidPropertyName(name) || !/^x-/i.test(name) || RESERVED_PROPERTIES.has(name.toLowerCase())) {
        throw localError(
          ZmtpErrorCode.INVALID_ARGUMENT,
          `metadata property ${JSON.stringify(name)} must be a valid name starting with "X-"`,
        )
      }
      properties.push([name, toBytes(value)])
    }
    this.#localMetadata = encodeMetadata(properties)
    this.#host = this.#makeHost()

    this.#localMinor = options.zmtpMinorVersion ?? ZMTP_MINOR
    if (this.#ws) {
      // RFC 45: no greeting; the subprotocol named the mechanism, whose commands start now.
      this.#protocolMinor = 1
      this.#state = "handshake"
      // Bare: our routing id is our first message (libzmq's ws_engine routing_id_msg, every socket type).
      if (this.#bare) this.#encoder.writeFrame(0, routingId)
      else this.#mechanism.start(this.#host)
      return
    }
    this.#encoder.writeRaw(
      encodeGreeting(this.#mechanism.name, this.#mechanism.asServer, routingId.length, this.#localMinor),
    )
  }

  get state(): ZmtpState {
    return this.#state
  }

  /** The peer, once the handshake has completed. */
  get peer(): PeerInfo | undefined {
    return this.#peer
  }

  /** The error that failed the connection, if it failed. */
  get error(): ZmtpError | undefined {
    return this.#error
  }

  /** True while part of a frame or of a multipart message is buffered (a disconnect now loses it). */
  get hasPartialMessage(): boolean {
    return this.#parts.length > 0 || !this.#decoder.idle
  }

  /** Bytes queued for the peer. */
  get pendingBytes(): number {
    return this.#encoder.pendingBytes
  }

  /**
   * Feeds bytes received from the peer and returns what they meant. Frames of returned messages may be
   * views into `chunk`: do not reuse its memory while you hold them. A fault of the peer's never throws: it
   * ends the batch with an `error` event and fails the connection. With a `receiver`, everything goes to it
   * as it is decoded instead, and the returned array is empty.
   */
  receiveData(chunk: Uint8Array, receiver?: ZmtpReceiver): ZmtpEvent[] {
    this.#assertOpen("receiveData")
    const events: ZmtpEvent[] = []
    this.#events = events
    this.#receiver = receiver
    try {
      if (this.#state === "greeting") {
        const used = this.#greeting.feed(chunk)
        if (!this.#greeting.complete) return events
        this.#onGreeting()
        if (used === chunk.length) return events
        chunk = chunk.subarray(used)
      }
      this.#decoder.feed(chunk, this.#sink)
    } catch (error) {
      this.#onReceiveError(error)
    } finally {
      // Drop the batch: held here until the next call, it kept every event (and through their views, the
      // chunk) alive across garbage collections; with 8 connections, decoding ran 4× slower.
      this.#events = []
      this.#receiver = undefined
    }
    return events
  }

  /** All bytes queued for the peer, as one array the caller now owns. Empty when nothing is pending. */
  dataToSend(): Uint8Array {
    return this.#encoder.take()
  }

  /**
   * All bytes queued for the peer as segments, without copying large message bodies (for vectored writes:
   * `socket.cork(); segments.forEach(s => socket.write(s)); socket.uncork()`).
   */
  dataToSendSegments(): Uint8Array[] {
    return this.#encoder.takeSegments()
  }

  /**
   * What `dataToSend()` / `dataToSendSegments()` handed out has been written, up to batch number `batch`
   * (each of those calls that returned bytes is one batch, numbered from 1), or everything so far without
   * it: the host's stream holds none of it any more. The encoder may then write over that memory (its slabs)
   * instead of allocating more. Optional; a host that cannot tell never calls it. A stream host can count its
   * writes' completion callbacks, which come in order.
   */
  dataWritten(batch?: number): void {
    this.#encoder.release(batch)
  }

  /**
   * ZWS message mode (`zws.messages`): the payloads queued for the peer, each one whole binary WebSocket
   * message (flags byte + body) for the platform's `WebSocket.send()`, in order. The caller owns them.
   */
  dataToSendMessages(): Uint8Array[] {
    if (this.#zwsMessages === undefined) throw localError(ZmtpErrorCode.INVALID_STATE, "dataToSendMessages() is for ZWS message mode")
    return this.#zwsMessages.takeMessages()
  }

  /**
   * Queues one message. Bodies of 16 KiB or more are not copied: do not modify them until the bytes have
   * been written out. Throws EFSM before the handshake has completed.
   */
  send(frames: readonly Uint8Array[]): void {
    if (this.#state !== "ready") throw this.#stateError("send")
    const count = frames.length
    // The common case, a single frame and no transform, without the loops (+10% at 8 bytes).
    if (count === 1 && this.#transform === undefined && frames[0] instanceof Uint8Array) {
      this.#encoder.writeFrame(0, frames[0])
      return
    }
    if (count === 0) throw localError(ZmtpErrorCode.INVALID_ARGUMENT, "a message needs at least one frame")
    const last = count - 1
    for (let i = 0; i < count; i++) {
      const frame = frames[i]
      if (!(frame instanceof Uint8Array)) {
        throw localError(ZmtpErrorCode.INVALID_ARGUMENT, `message frame ${i} is not a Uint8Array`)
      }
    }
    if (this.#transform === undefined) {
      for (let i = 0; i < last; i++) this.#encoder.writeFrame(MORE, frames[i]!)
      this.#encoder.writeFrame(0, frames[last]!)
    } else {
      for (let i = 0; i <= last; i++) this.#writeDataFrame(i < last ? MORE : 0, frames[i]!)
    }
  }

  /**
   * True when this connection puts message frames on the wire as they are, so it can send bytes that a
   * SharedFrameEncoder framed once for many connections: ready, with no mechanism transform (CURVE boxes
   * every frame) and no ZWS framing.
   */
  get sendsFramesAsEncoded(): boolean {
    return this.#state === "ready" && this.#transform === undefined && this.#zws === undefined && this.#zwsMessages === undefined
  }

  /**
   * Queues a message already framed by a SharedFrameEncoder (its bytes are referenced: they must not change
   * until written). Only where `sendsFramesAsEncoded` holds; throws EFSM elsewhere.
   */
  sendEncoded(frames: Uint8Array): void {
    if (!this.sendsFramesAsEncoded) {
      throw this.#state !== "ready"
        ? this.#stateError("sendEncoded")
        : localError(ZmtpErrorCode.INVALID_STATE, "sendEncoded: this connection transforms its frames (CURVE or ZWS); use send()")
    }
    this.#encoder.writeEncoded(frames)
  }

  /** Sends a subscription: a SUBSCRIBE command to a 3.1 peer, a `0x01`-prefixed message to a 3.0 peer. */
  subscribe(topic: Uint8Array): void {
    this.#sendSubscription(CommandName.SUBSCRIBE, 1, topic)
  }

  /** Cancels a subscription: a CANCEL command to a 3.1 peer, a `0x00`-prefixed message to a 3.0 peer. */
  cancel(topic: Uint8Array): void {
    this.#sendSubscription(CommandName.CANCEL, 0, topic)
  }

  /** Sends PING (ZMTP 3.1 peers only). `ttl` in milliseconds, sent in deciseconds; context ≤ 16 bytes. */
  ping(ttl = 0, context: Uint8Array = EMPTY): void {
    this.#requireMinor31("ping")
    if (!Number.isFinite(ttl) || ttl < 0) throw localError(ZmtpErrorCode.INVALID_ARGUMENT, `invalid ping ttl ${ttl}`)
    if (context.length > MAX_PING_CONTEXT) {
      throw localError(ZmtpErrorCode.INVALID_ARGUMENT, `ping context of ${context.length} bytes exceeds 16`)
    }
    if (this.#zws !== undefined) {
      // ZWS heartbeats are WebSocket pings (RFC 45; libzmq's ws_engine); a ttl has no place there.
      this.#zws.writeControl(WsOpcode.PING, context)
      return
    }
    if (this.#zwsMessages !== undefined) {
      throw localError(ZmtpErrorCode.NOT_SUPPORTED, "in ZWS message mode the host's WebSocket owns pings")
    }
    this.#writeDataCommand(CommandName.PING, encodePing(Math.min(0xffff, Math.round(ttl / 100)), context))
  }

  /** Joins a RADIO/DISH group (JOIN command, ZMTP 3.1 peers only). */
  join(group: Uint8Array): void {
    this.#requireMinor31("join")
    this.#writeDataCommand(CommandName.JOIN, group)
  }

  /** Leaves a RADIO/DISH group (LEAVE command, ZMTP 3.1 peers only). */
  leave(group: Uint8Array): void {
    this.#requireMinor31("leave")
    this.#writeDataCommand(CommandName.LEAVE, group)
  }

  /** Sends any other data-phase command. */
  sendCommand(name: string, data: Uint8Array): void {
    if (this.#state !== "ready") throw this.#stateError("sendCommand")
    this.#writeDataCommand(name, data)
  }

  /** Answers an `authenticate` event. Returns the events that follow from the answer. */
  resolveAuthentication(result: AuthenticationResult): ZmtpEvent[] {
    if (this.#state !== "handshake" || this.#mechanism.resolveAuthentication === undefined) {
      throw this.#stateError("resolveAuthentication")
    }
    const events: ZmtpEvent[] = []
    this.#events = events
    try {
      this.#mechanism.resolveAuthentication(result, this.#host)
    } catch (error) {
      this.#onReceiveError(error)
    }
    return events
  }

  /**
   * Ends the connection. With a `reason`, an ERROR command carrying it is queued first (take it with
   * `dataToSend()`). Later calls other than `dataToSend*` throw EFSM.
   */
  close(reason?: string): void {
    if (this.#state === "closed" || this.#state === "failed") return
    // Bare ZWS2.0 has no commands to carry an ERROR.
    if (reason !== undefined && this.#state !== "greeting" && !this.#bare) this.#queueError(reason)
    // RFC 6455 §7.1.2: a WebSocket ends with a close frame (1000 normal closure).
    this.#zws?.writeClose(1000)
    this.#state = "closed"
  }

  // ── receive path ─────────────────────────────────────────────────────────────────────────────────

  #onGreeting(): void {
    const greeting = this.#greeting.greeting!
    const mechanism = this.#mechanism
    if (greeting.mechanism !== mechanism.name) {
      throw remoteError(
        ZmtpErrorCode.MECHANISM_MISMATCH,
        `peer uses mechanism ${JSON.stringify(greeting.mechanism)}, we use ${JSON.stringify(mechanism.name)}`,
      )
    }
    // libzmq (4.3.5 included) always sends as-server 0, even as a PLAIN or CURVE server, so a peer claiming
    // to be a client proves nothing: only two servers are a certain mismatch. Two clients fail on HELLO.
    if (mechanism.name !== "NULL" && mechanism.asServer && greeting.asServer) {
      throw remoteError(ZmtpErrorCode.MECHANISM_MISMATCH, `both peers are ${mechanism.name} servers`)
    }
    this.#protocolMinor = Math.min(greeting.minor, this.#localMinor)
    this.#state = "handshake"
    mechanism.start(this.#host)
  }

  #onFrame(flags: number, body: Uint8Array): void {
    if (this.#state === "ready") {
      if (this.#transform !== undefined) {
        const inner = this.#transform.unwrap(flags, body)
        if (inner === undefined) return
        flags = inner.flags
        // The host's frame type (Node's Buffer) for decrypted frames too, as for frames read off the wire.
        body =
          this.#frameView === undefined || this.#transformMakesViews ? inner.body : this.#frameView(inner.body.buffer, inner.body.byteOffset, inner.body.length)
      }
      if ((flags & COMMAND) === 0) {
        this.#onMessageFrame(flags, body)
      } else {
        this.#onDataCommand(body)
      }
      return
    }
    if (this.#state !== "handshake") return
    if (this.#bare) {
      this.#onBareRoutingId(flags, body)
      return
    }
    if ((flags & COMMAND) === 0) {
      throw remoteError(ZmtpErrorCode.INVALID_SEQUENCE, "message frame received before the handshake completed")
    }
    if (isLibzmqPlainError(body)) throw peerError(body.subarray(LIBZMQ_PLAIN_ERROR.length))
    const command = parseCommand(body)
    if (command.name === CommandName.ERROR) throw peerError(command.data)
    this.#mechanism.processCommand(command.name, command.data, this.#host)
  }

  /** Bare ZWS2.0's first message: the peer's routing id, one data frame (libzmq's process_routing_id_msg). */
  #onBareRoutingId(flags: number, body: Uint8Array): void {
    if (flags !== 0) throw remoteError(ZmtpErrorCode.INVALID_SEQUENCE, "bare ZWS2.0: the first message must be the routing id, one data frame")
    if (body.length > 255) throw remoteError(ZmtpErrorCode.INVALID_METADATA, `peer routing id of ${body.length} bytes exceeds 255`)
    // A copy: the body is a view into the caller's chunk, the peer info outlives it.
    const routingId = new Uint8Array(body)
    this.#peer = {
      socketType: undefined,
      routingId,
      metadata: new Metadata(),
      zmtpVersion: { major: 3, minor: 1 },
      mechanism: "NULL",
      userId: undefined,
    }
    this.#state = "ready"
    this.#emit({ type: "ready", peer: this.#peer })
  }

  #onMessageFrame(flags: number, body: Uint8Array): void {
    if ((flags & MORE) !== 0) {
      this.#parts.push(body)
      return
    }
    let frames: Uint8Array[]
    if (this.#parts.length === 0) {
      // RFC 29: a 3.0 subscriber sends subscriptions as single-frame messages 0x01/0x00 + topic.
      if (this.#subscriptionMessages && body.length > 0 && body[0]! <= 1) {
        const topic = body.subarray(1)
        this.#emit(body[0] === 1 ? { type: "subscribe", topic } : { type: "cancel", topic })
        return
      }
      if (this.#receiver !== undefined) {
        this.#receiver.frame(body)
        return
      }
      frames = [body]
    } else {
      this.#parts.push(body)
      frames = this.#parts
      this.#parts = []
    }
    if (this.#receiver !== undefined) this.#receiver.message(frames)
    else this.#events.push({ type: "message", frames })
  }

  #emit(event: ZmtpEvent): void {
    if (this.#receiver !== undefined) this.#receiver.event(event)
    else this.#events.push(event)
  }

  #onDataCommand(body: Uint8Array): void {
    const { name, data } = parseCommand(body)
    switch (name) {
      case CommandName.SUBSCRIBE:
        this.#emit({ type: "subscribe", topic: data })
        return
      case CommandName.CANCEL:
        this.#emit({ type: "cancel", topic: data })
        return
      case CommandName.PING: {
        const { ttlDeciseconds, context } = decodePing(data)
        this.#writeDataCommand(CommandName.PONG, context)
        this.#emit({ type: "ping", ttl: ttlDeciseconds * 100, context })
        return
      }
      case CommandName.PONG:
        if (data.length > MAX_PING_CONTEXT) {
          throw remoteError(ZmtpErrorCode.MALFORMED_COMMAND, `PONG context of ${data.length} bytes exceeds 16`)
        }
        this.#emit({ type: "pong", context: data })
        return
      case CommandName.JOIN:
        this.#emit({ type: "join", group: data })
        return
      case CommandName.LEAVE:
        this.#emit({ type: "leave", group: data })
        return
      case CommandName.ERROR:
        throw peerError(data)
      case CommandName.READY:
      case CommandName.HELLO:
      case CommandName.WELCOME:
      case CommandName.INITIATE:
        throw remoteError(ZmtpErrorCode.UNEXPECTED_COMMAND, `unexpected ${name} command after the handshake`)
      default:
        this.#emit({ type: "command", name, data })
    }
  }

  // ── send path ────────────────────────────────────────────────────────────────────────────────────

  #sendSubscription(name: string, prefix: 0 | 1, topic: Uint8Array): void {
    if (this.#state !== "ready") throw this.#stateError(name === CommandName.SUBSCRIBE ? "subscribe" : "cancel")
    // libzmq drops SUBSCRIBE/CANCEL commands on ws: subscriptions are 0x01/0x00 data frames there (RFC 45).
    if (this.#protocolMinor >= 1 && !this.#ws) {
      this.#writeDataCommand(name, topic)
      return
    }
    const message = new Uint8Array(1 + topic.length)
    message[0] = prefix
    message.set(topic, 1)
    this.#writeDataFrame(0, message)
  }

  #writeDataFrame(flags: number, body: Uint8Array): void {
    if (this.#transform === undefined) {
      this.#encoder.writeFrame(flags, body)
    } else {
      const wire = this.#transform.wrap(flags, body)
      this.#encoder.writeFrame(wire.flags, wire.body)
    }
  }

  #writeDataCommand(name: string, data: Uint8Array): void {
    const prefix = commandPrefix(name)
    if (this.#transform === undefined) {
      this.#encoder.writeCommand(prefix, data)
    } else {
      const body = new Uint8Array(prefix.length + data.length)
      body.set(prefix, 0)
      body.set(data, prefix.length)
      this.#writeDataFrame(COMMAND, body)
    }
  }

  #queueError(reason: string): void {
    const data = encodeShortString(utf8Encode(reason).subarray(0, 255), "ERROR reason")
    if (this.#state === "ready") this.#writeDataCommand(CommandName.ERROR, data)
    else this.#encoder.writeCommand(commandPrefix(CommandName.ERROR), data)
  }

  // ── state ────────────────────────────────────────────────────────────────────────────────────────

  /** Anything but a ZmtpError is a bug of ours and propagates; bytes after a failure are ignored. */
  #onReceiveError(error: unknown): void {
    if (!ZmtpError.isInstance(error)) throw error
    if (this.#state !== "failed") this.#fail(error)
  }

  #fail(error: ZmtpError, errorReason?: string): void {
    if (errorReason !== undefined && (this.#state === "handshake" || this.#state === "ready")) {
      this.#queueError(errorReason)
    }
    this.#state = "failed"
    this.#error = error
    this.#parts = []
    this.#emit({ type: "error", error })
  }

  #requireMinor31(operation: string): void {
    if (this.#state !== "ready") throw this.#stateError(operation)
    if (this.#protocolMinor < 1) {
      throw localError(ZmtpErrorCode.NOT_SUPPORTED, `${operation} needs ZMTP 3.1; this connection speaks 3.0`)
    }
  }

  #assertOpen(operation: string): void {
    if (this.#state === "failed" || this.#state === "closed") throw this.#stateError(operation)
  }

  #stateError(operation: string): ZmtpError {
    return localError(ZmtpErrorCode.INVALID_STATE, `cannot ${operation} in state ${this.#state}`, {
      ...(this.#error === undefined ? {} : { cause: this.#error }),
    })
  }

  #makeHost(): MechanismHost {
    return {
      sendCommand: (name, data) => {
        this.#encoder.writeCommand(commandPrefix(name), data)
      },
      localMetadata: () => this.#localMetadata,
      acceptPeerMetadata: (data, command) => {
        this.#peerMetadata = this.#checkPeerMetadata(data, command)
      },
      ...(this.#peerAddress === undefined ? {} : { peerAddress: this.#peerAddress }),
      requestAuthentication: (request) => {
        const withAddress = this.#peerAddress === undefined ? request : { ...request, peerAddress: this.#peerAddress }
        this.#emit({ type: "authenticate", request: withAddress })
      },
      complete: (userId) => {
        const metadata = this.#peerMetadata
        if (metadata === undefined || this.#state !== "handshake") {
          throw localError(ZmtpErrorCode.INVALID_STATE, "mechanism completed without accepting peer metadata")
        }
        const greeting = this.#greeting.greeting ?? { major: 3, minor: 1 }
        this.#peer = {
          socketType: utf8Decode(metadata.get("Socket-Type")!) as SocketType,
          routingId: metadata.get("Identity") ?? EMPTY,
          metadata,
          zmtpVersion: { major: greeting.major, minor: greeting.minor },
          mechanism: this.#mechanism.name,
          userId,
        }
        const transform = this.#mechanism.dataTransform?.()
        this.#transform = transform
        if (transform?.useFrameView !== undefined && this.#frameView !== undefined) {
          transform.useFrameView(this.#frameView)
          this.#transformMakesViews = true
          // The wire frames go only to the transform now, which copies them out: plain views will do.
          this.#decoder.usePlainViews()
        }
        this.#state = "ready"
        this.#emit({ type: "ready", peer: this.#peer })
      },
      fail: (error, errorReason) => {
        this.#fail(error, errorReason)
      },
    }
  }

  #checkPeerMetadata(data: Uint8Array, command: string): Metadata {
    const metadata = decodeMetadata(data, command)
    const socketType = metadata.get("Socket-Type")
    if (socketType === undefined) {
      throw remoteError(ZmtpErrorCode.INVALID_METADATA, `${command} has no Socket-Type property`)
    }
    const peerType = utf8Decode(socketType)
    if (!isCompatibleSocketType(this.socketType, peerType)) {
      throw remoteError(
        ZmtpErrorCode.INCOMPATIBLE_SOCKET_TYPE,
        `peer socket type ${JSON.stringify(peerType)} cannot talk to ${this.socketType}`,
      )
    }
    const identity = metadata.get("Identity")
    if (identity !== undefined && identity.length > 255) {
      throw remoteError(ZmtpErrorCode.INVALID_METADATA, `peer Identity of ${identity.length} bytes exceeds 255`)
    }
    return metadata
  }
}

/**
 * libzmq 4.3.0 and later (still on master) send a PLAIN server's ERROR as `^RROR` + reason, with no name-size
 * octet: the C literal "\x05ERROR" in plain_common.hpp parses as the escape \x05E (0x5e) followed by "RROR".
 * Accepted during the handshake only, so that libzmq's PLAIN rejection reads as PEER_ERROR with its status code
 * instead of MALFORMED_COMMAND. (libzmq's PLAIN client likewise expects that form and reports a well-formed
 * ERROR as ZMTP_UNEXPECTED_COMMAND.)
 */
const LIBZMQ_PLAIN_ERROR = [0x5e, 0x52, 0x52, 0x4f, 0x52]

function isLibzmqPlainError(body: Uint8Array): boolean {
  return body.length > LIBZMQ_PLAIN_ERROR.length && LIBZMQ_PLAIN_ERROR.every((octet, i) => body[i] === octet)
}

function peerError(data: Uint8Array): ZmtpError {
  const [reasonBytes] = readShortString(data, 0, "ERROR", "reason")
  const reason = utf8Decode(reasonBytes)
  return remoteError(ZmtpErrorCode.PEER_ERROR, `peer sent ERROR: ${JSON.stringify(reason)}`, { reason })
}
