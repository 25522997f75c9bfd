import { zmqError } from "../common/errors.js"
import { FairQueue } from "../pipes/fair-queue.js"
import type { PipeEnd } from "../pipes/pipe.js"
import type { Frames } from "../pipes/message.js"
import type { ReceiveOptionProperties, RoutingIdOptionProperties, SendOptionProperties, WritableOptions } from "../common/options.js"
import { defineSocketOptions, Socket, type CommonSocketOptions } from "../socket/socket-base.js"

export interface ReplyOptions
  extends CommonSocketOptions,
    WritableOptions<SendOptionProperties & ReceiveOptionProperties & RoutingIdOptionProperties> {}

/**
 * REP (RFC 28): strict receive/send lockstep. A request's envelope — every frame up to and including the
 * first empty delimiter, i.e. the whole routing stack of any ROUTER/DEALER hops — is kept and put back in
 * front of the reply, which goes to the pipe the request came from. Misuse fails with EFSM.
 */
export class Reply extends Socket {
  readonly #in = new FairQueue()
  #envelope: Frames | undefined
  #replyPipe: PipeEnd | undefined

  constructor(options?: ReplyOptions) {
    super("REP", options)
    this.applyOptions(options)
  }

  protected xattach(pipe: PipeEnd): void {
    this.#in.attach(pipe)
  }

  protected xdetach(pipe: PipeEnd): void {
    this.#in.detach(pipe)
    if (pipe === this.#replyPipe) this.#replyPipe = undefined
  }

  protected xsend(message: Frames): boolean {
    const envelope = this.#envelope
    if (envelope === undefined) throw zmqError("EFSM", "REP must receive a request before sending a reply")
    const pipe = this.#replyPipe
    this.#envelope = undefined
    this.#replyPipe = undefined
    // A requester that left, or one whose pipe is full, loses its reply (libzmq drops it too).
    if (pipe !== undefined && !pipe.closed && !pipe.peerClosed) pipe.write(envelope.concat(message))
    this.wake() // receivers may proceed now
    return true
  }

  protected xreceive(): Frames | undefined {
    if (this.#envelope !== undefined) throw zmqError("EFSM", "REP must send the reply before receiving again")
    for (let message = this.#in.read(); message !== undefined; message = this.#in.read()) {
      const delimiter = message.findIndex((frame) => frame.length === 0)
      if (delimiter < 0 || delimiter === message.length - 1) continue // malformed request: dropped
      this.#envelope = message.slice(0, delimiter + 1)
      this.#replyPipe = this.#in.lastPipe
      return message.slice(delimiter + 1)
    }
    return undefined
  }

  protected xwritable(): boolean {
    return this.#envelope !== undefined
  }

  protected xreadable(): boolean {
    return this.#envelope === undefined && this.#in.hasIncoming
  }
}

// eslint-disable-next-line @typescript-eslint/no-empty-interface, @typescript-eslint/no-unsafe-declaration-merging
export interface Reply extends SendOptionProperties, ReceiveOptionProperties, RoutingIdOptionProperties {}
defineSocketOptions(Reply, "REP")
