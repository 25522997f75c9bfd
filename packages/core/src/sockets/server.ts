import { Buffer } from "#platform/buffer"
import { randomBytes } from "#platform/random"
import type { SocketType } from "@zmq-ts/zmtp"
import { zmqError } from "../common/errors.js"
import { FairQueue } from "../pipes/fair-queue.js"
import type { PipeEnd } from "../pipes/pipe.js"
import type { Frames } from "../pipes/message.js"
import type {
  DisconnectMessageOptionProperties,
  HelloMessageOptionProperties,
  ReceiveOptionProperties,
  SendOptionProperties,
  WritableOptions,
} from "../common/options.js"
import type { Message, MessageLike } from "../socket/message-like.js"
import { defineSocketOptions, RECEIVED, Socket, type CommonSocketOptions } from "../socket/socket-base.js"
import { onlyPart, readSinglePart } from "./single-part.js"

export interface ServerOptions extends CommonSocketOptions, WritableOptions<SendOptionProperties & ReceiveOptionProperties & DisconnectMessageOptionProperties & HelloMessageOptionProperties> {}

/** The peer a SERVER (or PEER) message comes from or goes to, as zeromq.js types it. */
export interface ServerRoutingOptions {
  /** The peer's routing id: a 32-bit number, never 0, that the socket gave the peer's pipe. */
  routingId: number
}

const MAX_ROUTING_ID = 0xffff_ffff

/**
 * What SERVER and PEER share (libzmq's peer_t is a server_t): each peer's pipe gets a 32-bit routing id
 * (never 0, counting from a random start); each received single-part message is `[body, { routingId }]`;
 * `send(body, { routingId })` goes to that peer: EHOSTUNREACH when there is none, EAGAIN when its pipe is
 * full. Multipart messages are refused (EINVAL) and dropped whole on arrival.
 */
export abstract class ServerBase extends Socket {
  declare readonly [RECEIVED]?: [Message, ServerRoutingOptions]
  readonly #in = new FairQueue()
  readonly #byId = new Map<number, PipeEnd>()
  #nextId = randomBytes(4).readUInt32BE(0)
  /** The routing id of the pipe attached last (PEER's connectPeer() returns it). */
  #lastAttachedId: number | undefined

  protected constructor(type: SocketType, options: object | undefined) {
    super(type, options)
  }

  /** Sends one part to the peer with `options.routingId`. */
  override send(message: MessageLike | readonly MessageLike[], options?: ServerRoutingOptions): Promise<void> {
    if (message === undefined) throw new TypeError("Message must be present")
    if (Array.isArray(message) && message.length === 0) return super.send(message)
    let body: MessageLike
    let id: Buffer
    try {
      body = onlyPart(message)
      id = this.#idFrame(options?.routingId)
    } catch (error) {
      return Promise.reject(error)
    }
    return super.send([id, body])
  }

  protected override get receivedShape(): (message: Frames) => object[] {
    return shapeReceived
  }

  protected override xpipeReadable(pipe: PipeEnd): void {
    this.#in.activated(pipe)
  }

  protected xattach(pipe: PipeEnd): void {
    let id = this.#nextId
    while (id === 0 || this.#byId.has(id)) id = (id + 1) >>> 0
    this.#nextId = (id + 1) >>> 0
    // Kept as its 4 bytes on the pipe: what xreceive puts first, with no allocation per message.
    const frame = Buffer.allocUnsafe(4)
    frame.writeUInt32BE(id, 0)
    pipe.routingId = frame
    this.#byId.set(id, pipe)
    this.#in.attach(pipe)
    this.#lastAttachedId = id
  }

  /** Connects and returns the routing id of the pipe the connect made at once, if it made one (zmq_connect_peer). */
  protected connectNamingPeer(address: string): number | undefined {
    this.#lastAttachedId = undefined
    this.connect(address)
    return this.#lastAttachedId
  }

  protected xdetach(pipe: PipeEnd): void {
    const frame = pipe.routingId
    if (frame !== undefined && frame.length === 4) {
      const id = frame.readUInt32BE(0)
      if (this.#byId.get(id) === pipe) this.#byId.delete(id)
    }
    this.#in.detach(pipe)
  }

  /** `[routing id (4 bytes), body]`. */
  protected xsend(message: Frames): boolean {
    const id = message[0]!
    if (message.length !== 2 || id.length !== 4) throw zmqError("EINVAL", "a SERVER message is one part sent to a routing id")
    const pipe = this.#byId.get(id.readUInt32BE(0))
    if (pipe === undefined || pipe.closed || pipe.peerClosed) {
      throw zmqError("EHOSTUNREACH", `no peer with routing id ${id.readUInt32BE(0)}`)
    }
    // Full: EAGAIN at once, as zeromq.js gives it (SERVER is always writable to its poller, so zeromq.js
    // sends with ZMQ_DONTWAIT and server.cpp refuses).
    if (!pipe.write([message[1]!])) throw zmqError("EAGAIN", `the peer with routing id ${id.readUInt32BE(0)} is at its high-water mark`)
    return true
  }

  protected xreceive(): Frames | undefined {
    const message = readSinglePart(this.#in)
    if (message === undefined) return undefined
    return [this.#in.lastPipe!.routingId!, message[0]!]
  }

  /** libzmq's server_t::xhas_out: always; whether a send goes through depends on its peer. */
  protected xwritable(): boolean {
    return true
  }

  protected xreadable(): boolean {
    return this.#in.hasIncoming
  }

  /** The routing id as the 4-byte frame the pipe holds (no allocation when the peer exists). */
  #idFrame(routingId: unknown): Buffer {
    if (typeof routingId !== "number" || !Number.isInteger(routingId) || routingId < 1 || routingId > MAX_ROUTING_ID) {
      throw zmqError("EINVAL", `routingId must be an integer from 1 to ${MAX_ROUTING_ID}, got ${String(routingId)}`)
    }
    const frame = this.#byId.get(routingId)?.routingId
    if (frame !== undefined) return frame
    const fresh = Buffer.allocUnsafe(4)
    fresh.writeUInt32BE(routingId, 0)
    return fresh
  }
}

function shapeReceived(message: Frames): [Message, ServerRoutingOptions] {
  return [message[1]!, { routingId: message[0]!.readUInt32BE(0) }]
}

/** SERVER (RFC 41, draft): answers its CLIENT peers by routing id; see ServerBase. */
export class Server extends ServerBase {
  constructor(options?: ServerOptions) {
    super("SERVER", options)
    this.applyOptions(options)
  }
}

// eslint-disable-next-line @typescript-eslint/no-empty-interface, @typescript-eslint/no-unsafe-declaration-merging
export interface Server extends SendOptionProperties, ReceiveOptionProperties, DisconnectMessageOptionProperties, HelloMessageOptionProperties {}
defineSocketOptions(Server, "SERVER")

