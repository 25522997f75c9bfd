import { Buffer } from "#platform/buffer"
import { nextTick } from "#platform/process"
import { ZmtpConnection, type PeerInfo, type ZmtpEvent, type ZmtpReceiver } from "@zmq-ts/zmtp"
import { zmqError } from "../common/errors.js"
import type { Frames } from "../pipes/message.js"
import { SharedMessage, type WireMessage } from "../pipes/shared-message.js"
import type { ZapReply } from "../security/zap-client.js"
import type { EngineHandler, EngineOptions } from "./stream-engine.js"
import type { ConnectionProperties } from "./message-properties.js"
import type { ZmtpEngine } from "./zmtp-engine.js"

/**
 * The part of the platform's WebSocket (WHATWG; a browser's, or the `ws` package's class) the engine uses,
 * typed here so that core needs no DOM types.
 */
export interface PlatformWebSocket {
  binaryType: string
  readonly bufferedAmount: number
  readonly readyState: number
  readonly protocol: string
  onmessage: ((event: { readonly data: unknown }) => void) | null
  onclose: ((event: { readonly code: number; readonly reason: string }) => void) | null
  onerror: ((event: unknown) => void) | null
  onopen: ((event: unknown) => void) | null
  send(data: Uint8Array): void
  close(code?: number, reason?: string): void
}

/** Stop pulling messages while the WebSocket holds more than this many bytes not yet sent. */
const BUFFERED_LIMIT = 256 * 1024
/** A browser's WebSocket has no 'drain' event: how often a full send buffer is looked at again. */
const DRAIN_POLL = 5

const bufferView = (buffer: ArrayBufferLike, byteOffset: number, length: number): Buffer =>
  Buffer.from(buffer as ArrayBuffer, byteOffset, length)

const EMPTY = Buffer.alloc(0)

/**
 * A ZMTP connection in ZWS message mode on an open platform WebSocket (bare "ZWS2.0", the only subprotocol
 * a browser can offer): each binary message is one ZMTP frame's payload, the platform does the RFC 6455
 * framing, masking, pings and pongs. The StreamEngine's contract with its session, over messages instead
 * of bytes: outgoing messages are pulled from the pipe while the WebSocket's `bufferedAmount` is under
 * 256 KiB; incoming ones go to the pipe, and while it is full they wait here (a WebSocket cannot be paused,
 * so the sender is not pushed back: decision 0014). ZMTP heartbeats have no place in bare ZWS2.0 and a
 * page cannot send ping frames: the heartbeat options do nothing here (the server's pings are answered by
 * the platform).
 */
export class WebSocketEngine implements ZmtpEngine {
  readonly connection: ZmtpConnection
  readonly #ws: PlatformWebSocket
  readonly #handler: EngineHandler
  readonly #options: EngineOptions
  #source: (() => WireMessage | undefined) | undefined
  readonly #single: Buffer[] = [EMPTY]
  #flushScheduled = false
  #drainTimer: ReturnType<typeof setTimeout> | undefined
  #handshakeTimer: ReturnType<typeof setTimeout> | undefined
  #closed = false
  #destroyed = false
  #endWhenFlushed = false
  /** Messages received while the session's pipe was full, decoded on `resume()`. */
  readonly #held: Buffer[] = []
  #readPaused = false
  readonly #flush = (): void => this.#doFlush()

  constructor(ws: PlatformWebSocket, options: EngineOptions, handler: EngineHandler) {
    this.#ws = ws
    this.#handler = handler
    this.#options = options
    this.connection = new ZmtpConnection({
      socketType: options.socketType,
      mechanism: options.mechanism,
      ...(options.routingId === undefined ? {} : { routingId: options.routingId }),
      maxMessageSize: options.maxMessageSize,
      peerAddress: options.peerAddress,
      frameView: bufferView,
      zws: { role: "client", bare: true, messages: true },
    })
    ws.onmessage = (event) => this.#onMessage(event.data)
    ws.onclose = () => this.#onClose()
    ws.onerror = () => this.#fail(zmqError("ECONNRESET", "the WebSocket failed", options.peerAddress))
    if (options.handshakeInterval > 0) {
      this.#handshakeTimer = setTimeout(() => {
        this.#fail(zmqError("ETIMEDOUT", `handshake did not complete within ${options.handshakeInterval} ms`, options.peerAddress))
      }, options.handshakeInterval)
    }
    this.#write() // bare ZWS2.0: our routing id goes first
  }

  get ready(): boolean {
    return this.connection.state === "ready"
  }

  get closed(): boolean {
    return this.#closed
  }

  get peerHost(): string {
    return this.#options.zap.address
  }

  /** Bare ZWS2.0 has no mechanism, so no ZAP request is ever made. */
  get authentication(): ZapReply | undefined {
    return undefined
  }

  get unsentBytes(): number {
    return this.#closed ? 0 : this.#ws.bufferedAmount
  }

  /** Never called: properties come from a ZAP reply, which bare ZWS2.0 never has. */
  tagReceivedFrames(_properties: ConnectionProperties): void {}

  setSource(source: (() => WireMessage | undefined) | undefined): void {
    this.#source = source
    if (source !== undefined) this.requestFlush()
  }

  requestFlush(): void {
    if (this.#flushScheduled || this.#closed || !this.ready) return
    this.#flushScheduled = true
    nextTick(this.#flush)
  }

  resume(): void {
    if (this.#closed || !this.#readPaused) return
    this.#readPaused = false
    while (this.#held.length > 0 && !this.#readPaused && !this.#closed) this.#decode(this.#held.shift()!)
    if (!this.#closed) this.#write()
  }

  endWhenFlushed(): void {
    this.#endWhenFlushed = true
    if (this.ready) this.requestFlush()
    else this.destroy()
  }

  destroy(): void {
    if (this.#closed) return
    this.#destroyed = true
    this.#close()
  }

  #doFlush(): void {
    this.#flushScheduled = false
    if (this.#closed) return
    const source = this.#source
    let exhausted = true
    if (source !== undefined && this.connection.state === "ready") {
      for (;;) {
        if (this.#ws.bufferedAmount + this.connection.pendingBytes >= BUFFERED_LIMIT) {
          exhausted = false
          this.#awaitDrain()
          break
        }
        const message = source()
        if (message === undefined) break
        if (Array.isArray(message)) this.connection.send(message)
        else if (message instanceof SharedMessage) this.connection.send(message.frames) // ZWS frames its own
        else {
          this.#single[0] = message
          this.connection.send(this.#single)
        }
        // Each message goes out as it is encoded, so bufferedAmount counts it at the next check.
        this.#write()
      }
      this.#single[0] = EMPTY
    }
    this.#write()
    // The platform sends what it has buffered before its close frame (WHATWG WebSocket close()).
    if (this.#endWhenFlushed && exhausted) this.#close()
  }

  /** Looks again once the platform has sent some of what it holds. */
  #awaitDrain(): void {
    if (this.#drainTimer !== undefined) return
    this.#drainTimer = setTimeout(() => {
      this.#drainTimer = undefined
      this.requestFlush()
    }, DRAIN_POLL)
  }

  #write(): void {
    if (this.#closed) return
    for (const payload of this.connection.dataToSendMessages()) this.#ws.send(payload)
  }

  #onMessage(data: unknown): void {
    if (this.#closed) return
    // RFC 45 / libzmq's ws_decoder: a text message is a protocol error that ends the connection.
    if (typeof data === "string") {
      this.#fail(zmqError("EPROTO", "ZWS 2.0 carries binary messages only; the peer sent a text message", this.#options.peerAddress))
      return
    }
    if (typeof data !== "object" || data === null || !("byteLength" in data)) {
      this.#fail(zmqError("EPROTO", "the WebSocket delivered a message that is not an ArrayBuffer (binaryType must be \"arraybuffer\")", this.#options.peerAddress))
      return
    }
    const payload = ArrayBuffer.isView(data) ? Buffer.from(data.buffer, data.byteOffset, data.byteLength) : Buffer.from(data as ArrayBuffer)
    if (this.#readPaused) {
      this.#held.push(payload)
      return
    }
    this.#decode(payload)
    if (!this.#closed) this.#write()
  }

  #decode(payload: Buffer): void {
    if (this.connection.state === "ready") {
      this.connection.receiveData(payload, this.#receiver)
      return
    }
    let events: ZmtpEvent[]
    try {
      events = this.connection.receiveData(payload)
    } catch (error) {
      this.#fail(error as Error)
      return
    }
    for (const event of events) {
      this.#onEvent(event)
      if (event.type === "error") return
    }
  }

  readonly #receiver: ZmtpReceiver = {
    frame: (body) => {
      if (!this.#handler.engineFrame(body as Buffer)) this.#readPaused = true
    },
    message: (frames) => {
      if (!this.#handler.engineMessage(frames as Frames)) this.#readPaused = true
    },
    event: (event) => this.#onEvent(event),
  }

  #onEvent(event: ZmtpEvent): void {
    switch (event.type) {
      case "message":
        if (event.frames.length === 1) this.#receiver.frame(event.frames[0]!)
        else this.#receiver.message(event.frames)
        break
      case "ready":
        this.#clearTimers()
        this.#ready(event.peer)
        break
      case "error":
        this.#fail(event.error)
        break
      case "ping":
      case "pong":
      case "authenticate":
        break // none in bare ZWS2.0
      default:
        this.#handler.engineEvent(event)
    }
  }

  #ready(peer: PeerInfo): void {
    this.#handler.engineReady(this, peer)
  }

  #fail(error: Error): void {
    if (this.#closed) return
    this.#handler.engineError(this, error, this.connection.peer === undefined)
    this.#close()
  }

  /** Starts the close; the engine is done at once (the platform may report its close event later, or never). */
  #close(): void {
    if (this.#closed) return
    this.#closed = true
    this.#clearTimers()
    const ws = this.#ws
    ws.onmessage = null
    ws.onerror = null
    ws.onclose = null
    try {
      ws.close(1000)
    } catch {
      // already closing
    }
    this.#options.mechanism.dispose?.()
    // After the current call returns, as a stream's 'close' event comes: the session's stop() is not re-entered.
    nextTick(() => this.#handler.engineClosed(this))
  }

  #onClose(): void {
    if (this.#closed) return
    // The peer went away before the handshake was done: libzmq's ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL.
    if (!this.#destroyed && this.connection.peer === undefined) {
      this.#handler.engineError(this, zmqError("ECONNRESET", "the peer closed the connection during the handshake", this.#options.peerAddress), true)
    }
    this.#close()
  }

  #clearTimers(): void {
    if (this.#handshakeTimer !== undefined) clearTimeout(this.#handshakeTimer)
    this.#handshakeTimer = undefined
    if (this.#closed && this.#drainTimer !== undefined) {
      clearTimeout(this.#drainTimer)
      this.#drainTimer = undefined
    }
  }
}
