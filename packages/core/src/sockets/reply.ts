import { zmqError } from "../common/errors.js"
import { FairQueue } from "../pipes/fair-queue.js"
import type { PipeEnd } from "../pipes/pipe.js"
import type { Frames } from "../pipes/message.js"
import type { Buffer } from "#platform/buffer"
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

  protected override xpipeReadable(pipe: PipeEnd): void {
    this.#in.activated(pipe)
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
    const pipe = this.#endRequest()
    if (pipe !== undefined) {
      // Built by hand: `envelope.concat(message)` calls into the runtime, a microsecond per reply.
      const reply = new Array<Buffer>(envelope!.length + message.length)
      for (let i = 0; i < envelope!.length; i++) reply[i] = envelope![i]!
      for (let i = 0; i < message.length; i++) reply[envelope!.length + i] = message[i]!
      pipe.write(reply)
    }
    this.wake() // receivers may proceed now
    return true
  }

  protected override xsendFrame(frame: Buffer): boolean {
    // The reply to a request straight from a REQ (the envelope is its delimiter) as a literal; any other
    // envelope, or none (EFSM), takes the general path.
    if (this.#envelope?.length !== 1) return this.xsend([frame])
    const delimiter = this.#envelope[0]!
    this.#endRequest()?.write([delimiter, frame])
    this.wake()
    return true
  }

  /**
   * Ends the request being answered (EFSM when there is none) and returns the pipe its reply goes to;
   * undefined when the requester left or its pipe is closed: it loses its reply (libzmq drops it too).
   */
  #endRequest(): PipeEnd | undefined {
    if (this.#envelope === undefined) throw zmqError("EFSM", "REP must receive a request before sending a reply")
    const pipe = this.#replyPipe
    this.#envelope = undefined
    this.#replyPipe = undefined
    return pipe === undefined || pipe.closed || pipe.peerClosed ? undefined : pipe
  }

  protected xreceive(): Frames | undefined {
    if (this.#envelope !== undefined) throw zmqError("EFSM", "REP must send the reply before receiving again")
    for (let message = this.#in.read(); message !== undefined; message = this.#in.read()) {
      let delimiter = 0
      while (delimiter < message.length && message[delimiter]!.length !== 0) delimiter++
      if (delimiter >= message.length - 1) continue // malformed request (no delimiter, or nothing after it): dropped
      this.#replyPipe = this.#in.lastPipe
      // A request straight from a REQ ([delimiter, body]) without slices, which call into the runtime.
      if (message.length === 2) {
        this.#envelope = [message[0]!]
        return [message[1]!]
      }
      this.#envelope = message.slice(0, delimiter + 1)
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
