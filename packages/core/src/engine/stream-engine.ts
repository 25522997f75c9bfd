import { nextTick } from "#platform/process"
import { unrefTimer } from "#platform/timers"
import { Buffer } from "#platform/buffer"
import type { Socket as NetSocket } from "node:net"
import {
  SharedFrameEncoder,
  ZmtpConnection,
  ZmtpError,
  ZmtpErrorCode,
  type AuthenticationRequest,
  type AuthenticationResult,
  type Mechanism,
  type PeerInfo,
  type SocketType,
  type ZmtpEvent,
  type ZmtpReceiver,
  type ZwsFraming,
} from "@zmq-ts/zmtp"
import { zmqError } from "../common/errors.js"
import type { Frames } from "../pipes/message.js"
import { SharedMessage, type WireMessage } from "../pipes/shared-message.js"
import { authenticate, type ZapOutcome, type ZapReply, type ZapSettings } from "../security/zap-client.js"
import { zapProtocolError } from "./handshake-events.js"
import type { ConnectionProperties } from "./message-properties.js"
import type { ZmtpEngine } from "./zmtp-engine.js"

/** Received frames are made as Buffers at once: one view per frame instead of a Uint8Array and then a Buffer. */
const bufferView = (buffer: ArrayBufferLike, byteOffset: number, length: number): Buffer =>
  Buffer.from(buffer as ArrayBuffer, byteOffset, length)

/** What the engine tells its session. */
export interface EngineHandler {
  engineReady(engine: ZmtpEngine, peer: PeerInfo): void
  /** A whole message from the peer. Return false to pause reading until `resume()`. */
  engineMessage(frames: Frames): boolean
  /** A one-frame message from the peer, as a view into the read chunk. Return false to pause reading. */
  engineFrame(frame: Buffer): boolean
  /** A data-phase event other than a message (subscriptions, JOIN/LEAVE…). */
  engineEvent(event: ZmtpEvent): void
  /** The handshake or the stream failed; the engine closes itself afterwards. */
  engineError(engine: ZmtpEngine, error: ZmtpError | Error, duringHandshake: boolean): void
  /** The byte stream is closed; the engine is done. */
  engineClosed(engine: ZmtpEngine): void
}

export interface EngineOptions {
  readonly socketType: SocketType
  readonly mechanism: Mechanism
  readonly routingId: Buffer | undefined
  readonly maxMessageSize: number
  /** ms; 0 = none. */
  readonly handshakeInterval: number
  /** ZMQ_HEARTBEAT_IVL, ms; 0 = no PINGs. */
  readonly heartbeatInterval: number
  /** ZMQ_HEARTBEAT_TTL, ms, sent in our PINGs. */
  readonly heartbeatTimeToLive: number
  /** ZMQ_HEARTBEAT_TIMEOUT, ms; 0 = heartbeatInterval. */
  readonly heartbeatTimeout: number
  readonly peerAddress: string
  /** How the mechanism's `authenticate` requests are decided: the ZAP handler (RFC 27) and the socket's ZAP options. */
  readonly zap: ZapSettings
  /** ZWS 2.0 (RFC 45) over an upgraded WebSocket stream instead of ZMTP over raw bytes (transports/ws/). */
  readonly zws?: ZwsFraming
}

const EMPTY = Buffer.alloc(0)
/**
 * Frames shared messages for every engine of the thread: the engines of a fan-out flush one after another,
 * so a burst of messages lies contiguous in its slabs and each connection writes it as one segment.
 */
const sharedEncoder = new SharedFrameEncoder()

/** Stop pulling messages into the socket's write buffer beyond this many bytes; resume on 'drain'. */
const WRITE_BUFFER_LIMIT = 256 * 1024

/**
 * libzmq's `stream_engine`: joins one byte stream (a tcp or ipc `net.Socket`) to one `ZmtpConnection`.
 * It pulls outgoing messages from a source (the session's pipe end) in batches — every message queued in
 * the same turn of the event loop leaves in one write — and hands incoming messages to the session, pausing
 * the socket when the session's pipe is full, so a slow reader pushes back on the peer through TCP.
 */
export class StreamEngine implements ZmtpEngine {
  readonly connection: ZmtpConnection
  readonly socket: NetSocket
  readonly #handler: EngineHandler
  #source: (() => WireMessage | undefined) | undefined
  /** Carries a one-frame message from the source to the codec (which keeps no reference to the array). */
  readonly #single: Buffer[] = [EMPTY]
  #flushScheduled = false
  #handshakeTimer: ReturnType<typeof setTimeout> | undefined
  readonly #options: EngineOptions
  /** Sends PING every heartbeatInterval (RFC 37 §"Connection Heartbeating"). */
  #pingTimer: ReturnType<typeof setInterval> | undefined
  /** Armed by each PING we send; any traffic from the peer disarms it; firing closes the connection. */
  #pongTimer: ReturnType<typeof setTimeout> | undefined
  /** Armed by the peer's PING TTL; refreshed by any traffic; firing closes the connection. */
  #ttlTimer: ReturnType<typeof setTimeout> | undefined
  #closed = false
  /** `destroy()` was called: the stream ends because we ended it, not the peer. */
  #destroyed = false
  #endWhenFlushed = false
  /** Reading is paused until the session's pipe has room again. */
  #readPaused = false
  /** Abandons the ZAP request in flight, if one is. */
  #cancelAuthentication: (() => void) | undefined
  /** The ZAP handler's 200 reply, once the handshake had one. */
  #authentication: ZapReply | undefined
  readonly #flush = (): void => this.#doFlush()
  // Batches taken from the codec and written, counted by their writes' callbacks, which a stream calls in order.
  #batchesWritten = 0
  readonly #batchWritten = (): void => this.connection.dataWritten(++this.#batchesWritten)

  constructor(socket: NetSocket, options: EngineOptions, handler: EngineHandler) {
    this.socket = socket
    this.#handler = handler
    this.#options = options
    this.connection = new ZmtpConnection({
      socketType: options.socketType,
      mechanism: options.mechanism,
      ...(options.routingId === undefined ? {} : { routingId: options.routingId }),
      maxMessageSize: options.maxMessageSize,
      peerAddress: options.peerAddress,
      frameView: bufferView,
      ...(options.zws === undefined ? {} : { zws: options.zws }),
    })
    socket.setNoDelay(true)
    socket.on("data", (chunk: Buffer) => this.#onData(chunk))
    socket.on("drain", () => this.requestFlush())
    socket.on("error", (error) => this.#fail(error))
    socket.on("close", () => this.#onClose())
    // A ws stream was paused after its upgrade (ws-upgrade.ts) so no frame is read before we listen.
    if (options.zws !== undefined) socket.resume()
    if (options.handshakeInterval > 0) {
      this.#handshakeTimer = setTimeout(() => {
        this.#fail(zmqError("ETIMEDOUT", `handshake did not complete within ${options.handshakeInterval} ms`, options.peerAddress))
      }, options.handshakeInterval)
      unrefTimer(this.#handshakeTimer)
    }
    this.#write()
  }

  get ready(): boolean {
    return this.connection.state === "ready"
  }

  get closed(): boolean {
    return this.#closed
  }

  get unsentBytes(): number {
    return this.socket.writableLength
  }

  /** The peer's address without port (the ZAP request's address, the "Peer-Address" message property). */
  get peerHost(): string {
    return this.#options.zap.address
  }

  /** What the ZAP handler answered (status 200) for this connection; undefined when none was asked. */
  get authentication(): ZapReply | undefined {
    return this.#authentication
  }

  /**
   * From now on every frame received is given `properties` for `messageProperty()` (message-properties.ts).
   * Only connections a ZAP handler authenticated have any: the others keep the receiver below, untouched.
   */
  tagReceivedFrames(properties: ConnectionProperties): void {
    const plain = this.#receiver
    let tagged: ArrayBufferLike | undefined
    // Frames are views into the read chunk (or the decoder's own buffer for a frame split across reads),
    // each holding this connection's bytes only: one tag per chunk covers all its frames.
    const tag = (frame: Uint8Array): void => {
      if (frame.buffer === tagged) return
      tagged = frame.buffer
      properties.attachTo(tagged)
    }
    this.#receiver = {
      frame: (body) => {
        tag(body)
        plain.frame(body)
      },
      message: (frames) => {
        for (const frame of frames) tag(frame)
        plain.message(frames)
      },
      event: plain.event,
    }
  }

  /** Starts pulling outgoing messages from `source` (the session's pipe end). */
  setSource(source: (() => WireMessage | undefined) | undefined): void {
    this.#source = source
    if (source !== undefined) this.requestFlush()
  }

  /** Schedules a flush after the current batch of work, so messages sent together leave together. */
  requestFlush(): void {
    if (this.#flushScheduled || this.#closed || !this.ready) return
    this.#flushScheduled = true
    nextTick(this.#flush)
  }

  pause(): void {
    // Once: a chunk can hold thousands of frames past the high-water mark, each reporting a full pipe.
    if (this.#readPaused) return
    this.#readPaused = true
    this.socket.pause()
  }

  resume(): void {
    if (this.#closed) return
    this.#readPaused = false
    this.socket.resume()
  }

  /** Writes what is queued, then ends the stream (linger). */
  endWhenFlushed(): void {
    this.#endWhenFlushed = true
    if (this.ready) this.requestFlush()
    else this.destroy()
  }

  /** Closes the stream now; queued bytes are dropped. */
  destroy(): void {
    if (this.#closed) return
    this.#destroyed = true
    this.socket.destroy()
  }

  #doFlush(): void {
    this.#flushScheduled = false
    if (this.#closed) return
    const source = this.#source
    const connection = this.connection
    let exhausted = true
    if (source !== undefined && connection.state === "ready") {
      // Nothing reaches the socket until #write() below, so its buffered length is read once.
      const room = WRITE_BUFFER_LIMIT - this.socket.writableLength
      for (;;) {
        if (connection.pendingBytes >= room) {
          exhausted = false // wait for 'drain', which calls requestFlush again
          break
        }
        const message = source()
        if (message === undefined) break
        if (Array.isArray(message)) {
          connection.send(message)
        } else if (message instanceof SharedMessage) {
          this.#sendShared(message)
        } else {
          const single = this.#single
          single[0] = message
          connection.send(single)
        }
      }
      this.#single[0] = EMPTY
    }
    this.#write()
    if (this.#endWhenFlushed && exhausted) {
      this.#closed = true
      this.#clearTimers()
      this.socket.end()
    }
  }

  /** A message other connections send too: framed once for all of them where the connection allows. */
  #sendShared(message: SharedMessage): void {
    const connection = this.connection
    if (!connection.sendsFramesAsEncoded) {
      connection.send(message.frames)
      return
    }
    if (!message.framed) {
      message.framed = true
      message.wire = sharedEncoder.encode(message.frames)
    }
    if (message.wire !== undefined) connection.sendEncoded(message.wire)
    else connection.send(message.frames)
  }

  #write(): void {
    const segments = this.connection.dataToSendSegments()
    if (segments.length === 0) return
    const socket = this.socket
    if (socket.destroyed) return
    // The last write's callback says the whole batch is written (decision 0019): the codec's slabs are
    // reused under load, when the stream is never empty.
    if (segments.length === 1) {
      socket.write(segments[0]!, this.#batchWritten)
    } else {
      socket.cork()
      const last = segments.length - 1
      for (let i = 0; i < last; i++) socket.write(segments[i]!)
      socket.write(segments[last]!, this.#batchWritten)
      socket.uncork()
    }
    // A Writable counts a chunk in writableLength until its handle has written it all: at 0 the kernel has
    // every byte (a write that completed at once), so the encoder may write over them now (decision 0018).
    if (socket.writableLength === 0) this.connection.dataWritten()
  }

  #onData(chunk: Buffer): void {
    if (this.#closed) return
    if (this.#pongTimer !== undefined) {
      clearTimeout(this.#pongTimer)
      this.#pongTimer = undefined
    }
    this.#ttlTimer?.refresh()
    if (this.connection.state === "ready") {
      // Data phase: messages and events reach us as they are decoded, with no event objects in between.
      this.connection.receiveData(chunk, this.#receiver)
    } else {
      let events: ZmtpEvent[]
      try {
        events = this.connection.receiveData(chunk)
      } catch (error) {
        this.#fail(error as Error)
        return
      }
      for (const event of events) {
        this.#onEvent(event)
        if (event.type === "error") return
      }
    }
    if (!this.#closed) this.#write()
  }

  #receiver: ZmtpReceiver = {
    frame: (body) => {
      // One frame goes to the pipe as received (it makes its Buffer when read).
      if (!this.#handler.engineFrame(body as Buffer)) this.pause()
    },
    message: (frames) => {
      // Already Buffers: the codec makes every frame with `bufferView`.
      if (!this.#handler.engineMessage(frames as Frames)) this.pause()
    },
    event: (event) => this.#onEvent(event),
  }

  #onEvent(event: ZmtpEvent): void {
    switch (event.type) {
      case "message": {
        const frames = event.frames
        if (frames.length === 1) this.#receiver.frame(frames[0]!)
        else this.#receiver.message(frames)
        break
      }
      case "ready":
        this.#clearTimers()
        this.#startHeartbeats()
        this.#handler.engineReady(this, event.peer)
        break
      case "ping":
        if (event.ttl > 0) {
          if (this.#ttlTimer !== undefined) clearTimeout(this.#ttlTimer)
          this.#ttlTimer = setTimeout(() => this.#fail(zmqError("ETIMEDOUT", `no traffic within the peer's heartbeat TTL of ${event.ttl} ms`, this.#options.peerAddress)), event.ttl)
          unrefTimer(this.#ttlTimer)
        }
        break
      case "pong":
        break
      case "error":
        this.#write() // an ERROR command for the peer, if the codec queued one
        this.#fail(event.error)
        break
      case "authenticate":
        this.#authenticate(event.request)
        break
      default:
        this.#handler.engineEvent(event)
    }
  }

  /** Asks the ZAP handler (security/zap-client.ts); the handshake waits, within handshakeInterval. */
  #authenticate(request: AuthenticationRequest): void {
    let decided = false
    const cancel = authenticate(request, this.#options.zap, (outcome) => {
      decided = true
      this.#cancelAuthentication = undefined
      this.#authenticated(outcome)
    })
    // Decided at once (no handler to ask): nothing to cancel.
    if (!decided) this.#cancelAuthentication = cancel
  }

  /**
   * libzmq's zap_client handle_zap_status_code: 200 goes on with the handshake; 400 and 500 make the
   * mechanism send ERROR with the status; 300 (a temporary failure) and a handler that answered wrongly or
   * went away end the connection without a word to the peer.
   */
  #authenticated(outcome: ZapOutcome): void {
    if (this.#closed || this.connection.state !== "handshake") return
    const address = this.#options.peerAddress
    switch (outcome.type) {
      case "allow": {
        const reply = outcome.reply
        this.#authentication = reply
        const result: AuthenticationResult =
          reply === undefined ? { allow: true } : { allow: true, userId: reply.userId }
        this.#resolveAuthentication(result)
        return
      }
      case "deny":
        if (outcome.status !== 300) {
          this.#resolveAuthentication({ allow: false, statusCode: outcome.status, statusText: outcome.statusText })
          return
        }
        this.connection.close()
        this.#fail(
          new ZmtpError(ZmtpErrorCode.AUTHENTICATION_FAILED, "remote", `the ZAP handler answered 300 (temporary failure): ${outcome.statusText}`, {
            reason: "300",
          }),
        )
        return
      case "malformed":
        this.connection.close()
        this.#fail(zapProtocolError(outcome.code, outcome.details, address))
        return
      case "unavailable":
        this.connection.close()
        this.#fail(zmqError("EFAULT", outcome.details, address))
        return
    }
  }

  /** Gives the mechanism its answer and acts on what follows (READY or WELCOME to send, or the failure). */
  #resolveAuthentication(result: AuthenticationResult): void {
    let events: ZmtpEvent[]
    try {
      events = this.connection.resolveAuthentication(result)
    } catch (error) {
      this.#fail(error as Error)
      return
    }
    for (const event of events) {
      this.#onEvent(event)
      if (this.#closed) return
    }
    this.#write()
  }

  #fail(error: Error): void {
    if (this.#closed) return
    // Not `!this.ready`: a codec error has already moved the connection to "failed"; `peer` outlives that.
    const duringHandshake = this.connection.peer === undefined
    this.#handler.engineError(this, error, duringHandshake)
    if (this.socket.writableLength === 0) {
      // Nothing left to say (a heartbeat or TTL timeout, a dead peer): drop the connection at once.
      this.socket.destroy()
    } else {
      // end() lets a queued ERROR command reach the peer; destroy soon after in case the peer never closes.
      this.socket.end()
      unrefTimer(setTimeout(() => this.socket.destroy(), 100))
    }
    this.#closed = true
    this.#clearTimers()
  }

  #onClose(): void {
    // libzmq reports a stream the peer ends before the handshake is done as ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL.
    if (!this.#closed && !this.#destroyed && this.connection.peer === undefined) {
      this.#handler.engineError(this, zmqError("ECONNRESET", "the peer closed the connection during the handshake", this.#options.peerAddress), true)
    }
    this.#closed = true
    this.#clearTimers()
    // CURVE zeroes its session key: nothing secret outlives the connection.
    this.#options.mechanism.dispose?.()
    this.#handler.engineClosed(this)
  }

  #startHeartbeats(): void {
    const { heartbeatInterval, heartbeatTimeToLive, heartbeatTimeout } = this.#options
    // PING is ZMTP 3.1; a 3.0 peer would not understand it.
    if (heartbeatInterval <= 0 || (this.connection.peer?.zmtpVersion.minor ?? 0) < 1) return
    const timeout = heartbeatTimeout > 0 ? heartbeatTimeout : heartbeatInterval
    this.#pingTimer = setInterval(() => {
      if (this.#closed) return
      this.connection.ping(heartbeatTimeToLive)
      this.#write()
      if (this.#pongTimer === undefined) {
        this.#pongTimer = setTimeout(() => this.#fail(zmqError("ETIMEDOUT", `no heartbeat reply within ${timeout} ms`, this.#options.peerAddress)), timeout)
        unrefTimer(this.#pongTimer)
      }
    }, heartbeatInterval)
    unrefTimer(this.#pingTimer)
  }

  #clearTimers(): void {
    if (this.#closed && this.#cancelAuthentication !== undefined) {
      // The connection ended (handshake timeout, peer gone, our close) while the ZAP handler was thinking.
      this.#cancelAuthentication()
      this.#cancelAuthentication = undefined
    }
    if (this.#handshakeTimer !== undefined) {
      clearTimeout(this.#handshakeTimer)
      this.#handshakeTimer = undefined
    }
    if (this.#closed) {
      if (this.#pingTimer !== undefined) clearInterval(this.#pingTimer)
      if (this.#pongTimer !== undefined) clearTimeout(this.#pongTimer)
      if (this.#ttlTimer !== undefined) clearTimeout(this.#ttlTimer)
      this.#pingTimer = this.#pongTimer = this.#ttlTimer = undefined
    }
  }
}
