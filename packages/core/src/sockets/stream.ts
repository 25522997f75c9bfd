import { Buffer } from "#platform/buffer"
import { zmqError } from "../common/errors.js"
import { FairQueue } from "../pipes/fair-queue.js"
import type { PipeEnd } from "../pipes/pipe.js"
import type { Frames } from "../pipes/message.js"
import type { ReceiveOptionProperties, SendOptionProperties, StreamOptionProperties, WritableOptions } from "../common/options.js"
import { defineSocketOptions, Socket, type CommonSocketOptions } from "../socket/socket-base.js"
import { connectRoutingId, RoutingIdGenerator } from "./routing-ids.js"

export interface StreamOptions extends CommonSocketOptions, WritableOptions<SendOptionProperties & ReceiveOptionProperties & StreamOptionProperties> {}

export interface StreamConnectOptions {
  /**
   * ZMQ_CONNECT_ROUTING_ID: the routing id this connection gets instead of a generated one; 1 to 255 bytes,
   * not starting with a zero byte (the generated ids do), not in use.
   */
  routingId?: string | Buffer
}

/** A zero-length message in a STREAM pipe: the raw engine ends the connection once what is before it is written. */
const CLOSE = Buffer.alloc(0)

/**
 * STREAM (libzmq's stream.cpp): raw bytes over tcp or ipc, to and from peers that speak no ZMTP (HTTP
 * clients and servers, legacy protocols). Each connection gets a 5-byte routing id (a zero byte, then a
 * 32-bit counter from a random start) or the one given to `connect()`. Every chunk of bytes received
 * arrives as [routing id, data]; every message sent is [routing id, data], which fails with EHOSTUNREACH
 * for an id with no connection and waits (sendTimeout: EAGAIN) while that connection's pipe is full.
 * Sending [routing id, empty frame] closes that connection once what was sent before it has been written.
 * With `notify` (the default), [routing id, empty frame] also arrives when a connection is made and when
 * the peer goes away.
 */
export class Stream extends Socket {
  readonly #in = new FairQueue()
  readonly #byId = new Map<string, PipeEnd>()
  readonly #ids = new RoutingIdGenerator()
  readonly #inUse = (key: string): boolean => this.#byId.has(key)

  constructor(options?: StreamOptions) {
    super("STREAM", options)
    this.applyOptions(options)
  }

  /** Connects to a tcp or ipc peer, optionally giving the connection `routingId` (ZMQ_CONNECT_ROUTING_ID). */
  override connect(address: string, options: StreamConnectOptions = {}): void {
    const id = connectRoutingId(options.routingId, address, this.#inUse, true)
    if (id === undefined) super.connect(address)
    else this.connectWith(address, id)
  }


  protected override get wire(): "raw" {
    return "raw"
  }

  protected override xpipeReadable(pipe: PipeEnd): void {
    this.#in.activated(pipe)
  }

  protected xattach(pipe: PipeEnd): void {
    // A connect made with a routing id has it on its pipe; every other connection gets the next generated one.
    const id = pipe.routingId ?? this.#ids.next(this.#inUse)
    pipe.routingId = id
    this.#byId.set(id.toString("latin1"), pipe)
    this.#in.attach(pipe)
  }

  protected xdetach(pipe: PipeEnd): void {
    const id = pipe.routingId
    if (id !== undefined && this.#byId.get(id.toString("latin1")) === pipe) this.#byId.delete(id.toString("latin1"))
    this.#in.detach(pipe)
  }

  /**
   * [id, data] pairs, as libzmq reads the frames of a STREAM send (an id, then its data, then the next id):
   * every id is checked before anything is written, so the message goes whole or not at all. A last id
   * with no data after it is dropped, as libzmq drops it.
   */
  protected xsend(message: Frames): boolean {
    if (message.length === 2) {
      // The usual [id, data]: one lookup.
      const pipe = this.#pipeFor(message[0]!)
      const data = message[1]!
      if (data.length > 0) return pipe.writeFrame(data)
      this.#close(pipe)
      return true
    }
    const end = message.length - (message.length % 2)
    for (let index = 0; index < end; index += 2) {
      const pipe = this.#pipeFor(message[index]!)
      if (message[index + 1]!.length > 0 && !pipe.writable) return false
    }
    for (let index = 0; index < end; index += 2) {
      const pipe = this.#pipeFor(message[index]!)
      const data = message[index + 1]!
      // Forced: every pipe had room above, and two pairs for one connection must not lose the second.
      if (data.length === 0) this.#close(pipe)
      else pipe.forceWriteFrame(data)
    }
    return true
  }

  /** A routing id alone: nothing to send, as libzmq drops it. */
  protected override xsendFrame(_frame: Buffer): boolean {
    return true
  }

  protected xreceive(): Frames | undefined {
    const message = this.#in.read()
    if (message === undefined) return undefined
    return [this.#in.lastPipe!.routingId!, message[0]!]
  }

  /** libzmq's xhas_out: always; whether a send can go depends on the connection it names. */
  protected xwritable(): boolean {
    return true
  }

  protected xreadable(): boolean {
    return this.#in.hasIncoming
  }

  #pipeFor(id: Buffer): PipeEnd {
    const pipe = this.#byId.get(id.toString("latin1"))
    if (pipe === undefined || pipe.closed || pipe.peerClosed) {
      throw zmqError("EHOSTUNREACH", `no connection with routing id ${id.toString("hex")}`)
    }
    return pipe
  }

  /**
   * The application closes a connection: the id is forgotten at once and nothing more is read from it;
   * the session writes what was queued before and then ends the stream (its pipe closes after that).
   */
  #close(pipe: PipeEnd): void {
    this.#byId.delete(pipe.routingId!.toString("latin1"))
    this.#in.remove(pipe)
    pipe.forceWriteFrame(CLOSE)
  }


}

// eslint-disable-next-line @typescript-eslint/no-empty-interface, @typescript-eslint/no-unsafe-declaration-merging
export interface Stream extends SendOptionProperties, ReceiveOptionProperties, StreamOptionProperties {}
defineSocketOptions(Stream, "STREAM")
