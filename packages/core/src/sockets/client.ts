import { FairQueue } from "../pipes/fair-queue.js"
import { LoadBalancer } from "../pipes/load-balancer.js"
import type { PipeEnd } from "../pipes/pipe.js"
import type { Frames } from "../pipes/message.js"
import type {
  HelloMessageOptionProperties,
  HiccupMessageOptionProperties,
  ReceiveOptionProperties,
  SendOptionProperties,
  WritableOptions,
} from "../common/options.js"
import { defineSocketOptions, Socket, type CommonSocketOptions } from "../socket/socket-base.js"
import { readSinglePart, refuseMultipart } from "./single-part.js"

export interface ClientOptions extends CommonSocketOptions, WritableOptions<SendOptionProperties & ReceiveOptionProperties & HelloMessageOptionProperties & HiccupMessageOptionProperties> {}

/**
 * CLIENT (RFC 41, draft): talks to SERVER peers, load-balancing what it sends and fair-queueing what it
 * receives, as DEALER does, with single-part messages only (a multipart send is EINVAL; one that arrives is
 * dropped whole).
 */
export class Client extends Socket {
  readonly #out = new LoadBalancer()
  readonly #in = new FairQueue()

  constructor(options?: ClientOptions) {
    super("CLIENT", options)
    this.applyOptions(options)
  }

  protected xattach(pipe: PipeEnd): void {
    this.#out.attach(pipe)
    this.#in.attach(pipe)
  }
  protected xdetach(pipe: PipeEnd): void {
    this.#out.detach(pipe)
    this.#in.detach(pipe)
  }
  protected xsend(message: Frames): boolean {
    refuseMultipart(message)
    return this.#out.send(message)
  }
  protected override xsendFrame(frame: Buffer): boolean {
    return this.#out.sendFrame(frame)
  }
  protected xreceive(): Frames | undefined {
    return readSinglePart(this.#in)
  }
  protected xwritable(): boolean {
    return this.#out.writable
  }
  protected xreadable(): boolean {
    return this.#in.hasIncoming
  }
}

// eslint-disable-next-line @typescript-eslint/no-empty-interface, @typescript-eslint/no-unsafe-declaration-merging
export interface Client extends SendOptionProperties, ReceiveOptionProperties, HelloMessageOptionProperties, HiccupMessageOptionProperties {}
defineSocketOptions(Client, "CLIENT")
