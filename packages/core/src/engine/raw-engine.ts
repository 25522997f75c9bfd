import { nextTick } from "#platform/process"
import { Buffer } from "#platform/buffer"
import type { Socket as NetSocket } from "node:net"
import { zmqError } from "../common/errors.js"
import type { Frames } from "../pipes/message.js"
import { SharedMessage, type WireMessage } from "../pipes/shared-message.js"
import type { ConnectionProperties } from "./message-properties.js"

/**
 * libzmq's in_batch_size (8192): its raw decoder hands the socket what one read(2) of that size brought, so
 * no STREAM message is larger. Cutting Node's reads (up to 64 KiB) the same way keeps libzmq's message
 * sizes, and bounds what a connection holds at the receive high-water mark to about RCVHWM × 8 KiB.
 */
const READ_PIECE = 8192

/** Stop pulling messages into the socket's write buffer beyond this many bytes; resume on 'drain'. */
const WRITE_BUFFER_LIMIT = 256 * 1024

/** What the raw engine tells its session. */
export interface RawEngineHandler {
  /** Bytes from the peer, as read (a view, at most 8192 bytes). Return false to pause reading until `resume()`. */
  engineFrame(frame: Buffer): boolean
  /**
   * The application closed this connection (a zero-length message): what it queued before is written, then
   * the stream ends. The session neither reconnects nor reports a disconnect for it.
   */
  engineClosing(engine: RawEngine): void
  /**
   * The peer ended or broke the connection. libzmq's raw engine has no mechanism, so its error() reports
   * every such end as a failed handshake (ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL, errno EPIPE for an orderly
   * end) before ZMQ_EVENT_DISCONNECTED: `duringHandshake` is true, as there.
   */
  engineError(engine: RawEngine, error: Error, duringHandshake: boolean): void
  /** The byte stream is closed; the engine is done. */
  engineClosed(engine: RawEngine): void
}

/**
 * libzmq's `raw_engine`: a byte stream (tcp or ipc) with no ZMTP on it, for STREAM sockets. There is no
 * handshake, no handshake timer and no heartbeat; every chunk read goes to the session as one message, and
 * every message pulled from the session is written as it is. A zero-length message from the application
 * ends the connection once what came before it is written.
 */
export class RawEngine {
  readonly socket: NetSocket
  readonly #handler: RawEngineHandler
  readonly #peerAddress: string
  readonly #peerHost: string
  #source: (() => WireMessage | undefined) | undefined
  #flushScheduled = false
  #closed = false
  /** `destroy()` was called: the stream ends because we ended it, not the peer. */
  #destroyed = false
  /** The application closed the connection: nothing more is read or written. */
  #ending = false
  #endWhenFlushed = false
  #readPaused = false
  /** The stream's error, if it had one before closing (ECONNRESET…). */
  #error: Error | undefined
  /** What every chunk read is given for `messageProperty()` ("Peer-Address"), once set. */
  #properties: ConnectionProperties | undefined
  readonly #flush = (): void => this.#doFlush()

  constructor(socket: NetSocket, peerAddress: string, peerHost: string, handler: RawEngineHandler) {
    this.socket = socket
    this.#handler = handler
    this.#peerAddress = peerAddress
    this.#peerHost = peerHost
    socket.setNoDelay(true)
    socket.on("data", (chunk: Buffer) => this.#onData(chunk))
    socket.on("drain", () => this.requestFlush())
    socket.on("error", (error) => {
      this.#error ??= error
    })
    socket.on("close", () => this.#onClose())
  }

  /** Always: there is no handshake to wait for. */
  get ready(): boolean {
    return true
  }

  get closed(): boolean {
    return this.#closed
  }

  /** The peer's address without port (the "Peer-Address" message property). */
  get peerHost(): string {
    return this.#peerHost
  }

  /** Bytes taken from the session and not yet handed to the stream: none, the stream buffers them. */
  get pendingBytes(): number {
    return 0
  }

  /**
   * From now on every chunk read has `properties` (each read is a buffer of its own: one tag per read; see
   * message-properties.ts).
   */
  tagReceivedChunks(properties: ConnectionProperties): void {
    this.#properties = properties
  }

  /** Starts pulling outgoing messages from `source` (the session's pipe end). */
  setSource(source: (() => WireMessage | undefined) | undefined): void {
    this.#source = source
    if (source !== undefined) this.requestFlush()
  }

  /** Schedules a flush after the current batch of work, so messages sent together leave in one write. */
  requestFlush(): void {
    if (this.#flushScheduled || this.#closed || this.#ending) return
    this.#flushScheduled = true
    nextTick(this.#flush)
  }

  pause(): void {
    if (this.#readPaused) return
    this.#readPaused = true
    this.socket.pause()
  }

  resume(): void {
    if (this.#closed || !this.#readPaused) return
    this.#readPaused = false
    this.socket.resume()
  }

  /** Writes what is queued, then ends the stream (linger). */
  endWhenFlushed(): void {
    this.#endWhenFlushed = true
    this.requestFlush()
  }

  /** Closes the stream now; queued bytes are dropped. */
  destroy(): void {
    if (this.#closed) return
    this.#destroyed = true
    this.socket.destroy()
  }

  #doFlush(): void {
    this.#flushScheduled = false
    if (this.#closed || this.#ending) return
    const socket = this.socket
    const source = this.#source
    let exhausted = true
    if (source !== undefined && !socket.destroyed) {
      const room = WRITE_BUFFER_LIMIT - socket.writableLength
      let written = 0
      socket.cork()
      for (;;) {
        if (written >= room) {
          exhausted = false // wait for 'drain', which calls requestFlush again
          break
        }
        const message = source()
        if (message === undefined) break
        const length = Array.isArray(message)
          ? writeFrames(socket, message)
          : message instanceof SharedMessage
            ? writeFrames(socket, message.frames)
            : writeFrame(socket, message)
        if (length === 0) {
          this.#endByApplication()
          break
        }
        written += length
      }
      socket.uncork()
    }
    if (this.#endWhenFlushed && exhausted && !this.#ending) {
      this.#closed = true
      socket.end()
    }
  }

  /** A zero-length message: end the stream once what was written before it has gone out. */
  #endByApplication(): void {
    this.#ending = true
    this.#handler.engineClosing(this)
    const socket = this.socket
    // Once the kernel has it all, close: as libzmq's close(2), without waiting for the peer's FIN.
    socket.once("finish", () => socket.destroy())
    socket.end()
  }

  #onData(chunk: Buffer): void {
    if (this.#closed || this.#ending) return
    this.#properties?.attachTo(chunk.buffer)
    const handler = this.#handler
    if (chunk.length <= READ_PIECE) {
      if (!handler.engineFrame(chunk)) this.pause()
      return
    }
    let fits = true
    for (let offset = 0; offset < chunk.length; offset += READ_PIECE) {
      fits = handler.engineFrame(chunk.subarray(offset, offset + READ_PIECE)) && fits
    }
    if (!fits) this.pause()
  }

  #onClose(): void {
    const endedByPeer = !this.#closed && !this.#destroyed && !this.#ending
    this.#closed = true
    if (endedByPeer) {
      const error = this.#error ?? zmqError("EPIPE", "the peer closed the connection", this.#peerAddress)
      this.#handler.engineError(this, error, true)
    }
    this.#handler.engineClosed(this)
  }
}

function writeFrame(socket: NetSocket, frame: Buffer): number {
  if (frame.length > 0) socket.write(frame)
  return frame.length
}

/** A message of several frames (not what STREAM queues, which is one frame each) is written as their bytes. */
function writeFrames(socket: NetSocket, frames: Frames): number {
  let length = 0
  for (const frame of frames) length += writeFrame(socket, frame)
  return length
}
