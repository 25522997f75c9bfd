import { Buffer } from "#platform/buffer"
import { randomBytes } from "#platform/random"
import { zmqError } from "../common/errors.js"
import { LoadBalancer } from "../pipes/load-balancer.js"
import type { PipeEnd } from "../pipes/pipe.js"
import type { Frames } from "../pipes/message.js"
import type {
  ProbeRouterOptionProperties,
  ReceiveOptionProperties,
  RequestOptionProperties,
  RoutingIdOptionProperties,
  SendOptionProperties,
  WritableOptions,
} from "../common/options.js"
import { defineSocketOptions, Socket, type CommonSocketOptions } from "../socket/socket-base.js"

/** REQ's options (zeromq.js defines these on Request). */
type RequestOptionPropertiesAll = SendOptionProperties &
  ReceiveOptionProperties &
  RoutingIdOptionProperties &
  ProbeRouterOptionProperties &
  RequestOptionProperties

export interface RequestOptions extends CommonSocketOptions, WritableOptions<RequestOptionPropertiesAll> {}

const EMPTY = Buffer.alloc(0)
const PROBE: Frames = [EMPTY]

/**
 * REQ (RFC 28): strict send/receive lockstep. Each request goes to the next peer in turn with an empty
 * delimiter frame in front; only that peer's reply is accepted, with the delimiter removed. Misuse of the
 * lockstep fails with EFSM unless `relaxed` is set.
 */
export class Request extends Socket {
  readonly #out = new LoadBalancer()
  readonly #pipes = new Set<PipeEnd>()
  /** The pipe awaiting our reply, while a request is outstanding. */
  #replyPipe: PipeEnd | undefined
  #awaitingReply = false
  #requestId = randomBytes(4).readUInt32BE(0)

  constructor(options?: RequestOptions) {
    super("REQ", options)
    this.applyOptions(options)
  }

  protected xattach(pipe: PipeEnd): void {
    if (this.options.probeRouter) pipe.write(PROBE)
    this.#out.attach(pipe)
    this.#pipes.add(pipe)
  }

  protected xdetach(pipe: PipeEnd): void {
    this.#out.detach(pipe)
    this.#pipes.delete(pipe)
    // The reply can no longer come; a relaxed socket may send again, a strict one waits as libzmq does.
    if (pipe === this.#replyPipe && !pipe.hasIncoming) this.#replyPipe = undefined
  }

  protected xsend(message: Frames): boolean {
    this.#checkLockstep()
    let envelope: Frames
    if (this.options.correlate) {
      envelope = [this.#nextRequestId(), EMPTY, ...message]
    } else {
      envelope = [EMPTY, ...message]
    }
    return this.#dispatch(envelope)
  }

  protected override xsendFrame(frame: Buffer): boolean {
    this.#checkLockstep()
    // A literal, not a spread: the common request is one frame.
    return this.#dispatch(this.options.correlate ? [this.#nextRequestId(), EMPTY, frame] : [EMPTY, frame])
  }

  #checkLockstep(): void {
    if (this.#awaitingReply && !this.options.relaxed) {
      throw zmqError("EFSM", "REQ must receive the reply before sending another request")
    }
  }

  #nextRequestId(): Buffer {
    this.#requestId = (this.#requestId + 1) >>> 0
    const id = Buffer.alloc(4)
    id.writeUInt32BE(this.#requestId, 0)
    return id
  }

  #dispatch(envelope: Frames): boolean {
    if (!this.#out.send(envelope)) return false
    this.#replyPipe = this.#out.lastPipe
    this.#awaitingReply = true
    return true
  }

  protected xreceive(): Frames | undefined {
    if (!this.#awaitingReply) throw zmqError("EFSM", "REQ must send a request before receiving")
    const pipe = this.#replyPipe
    // Drop anything from peers we did not ask (a relaxed socket's late replies, stray messages).
    for (const other of this.#pipes) if (other !== pipe) while (other.read() !== undefined);
    if (pipe === undefined) return undefined
    for (let message = pipe.read(); message !== undefined; message = pipe.read()) {
      const body = this.#unwrap(message)
      if (body === undefined) continue
      this.#awaitingReply = false
      this.#replyPipe = undefined
      return body
    }
    return undefined
  }

  protected xwritable(): boolean {
    return (!this.#awaitingReply || this.options.relaxed) && this.#out.writable
  }

  protected xreadable(): boolean {
    return this.#awaitingReply && (this.#replyPipe?.hasIncoming ?? false)
  }

  /** Strips the reply envelope; undefined for a malformed or uncorrelated reply, which is dropped. */
  #unwrap(message: Frames): Frames | undefined {
    let index = 0
    if (this.options.correlate) {
      const id = message[0]
      if (id === undefined || id.length !== 4 || id.readUInt32BE(0) !== this.#requestId) return undefined
      index = 1
    }
    const delimiter = message[index]
    if (delimiter === undefined || delimiter.length !== 0 || message.length < index + 2) return undefined
    // One body frame, the common reply: a literal rather than a slice, which calls into the runtime.
    return message.length === index + 2 ? [message[index + 1]!] : message.slice(index + 1)
  }
}

// eslint-disable-next-line @typescript-eslint/no-empty-interface, @typescript-eslint/no-unsafe-declaration-merging
export interface Request extends SendOptionProperties, ReceiveOptionProperties, RoutingIdOptionProperties, ProbeRouterOptionProperties, RequestOptionProperties {}
defineSocketOptions(Request, "REQ")
