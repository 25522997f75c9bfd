import { FairQueue } from "../pipes/fair-queue.js"
import type { PipeEnd } from "../pipes/pipe.js"
import type { Frames } from "../pipes/message.js"
import type { ConflateOptionProperties, ReceiveOptionProperties, WritableOptions } from "../common/options.js"
import { defineSocketOptions, Socket, type CommonSocketOptions } from "../socket/socket-base.js"

export interface PullOptions extends CommonSocketOptions, WritableOptions<ReceiveOptionProperties & ConflateOptionProperties> {}

/** PULL (RFC 30): fair-queues messages from connected PUSH peers; never sends. */
export class Pull extends Socket {
  readonly #in = new FairQueue()

  constructor(options?: PullOptions) {
    super("PULL", options)
    this.applyOptions(options)
  }

  protected override get canSend(): boolean {
    return false
  }
  protected xattach(pipe: PipeEnd): void {
    this.#in.attach(pipe)
  }
  protected xdetach(pipe: PipeEnd): void {
    this.#in.detach(pipe)
  }
  protected xsend(): boolean {
    return false
  }
  protected xreceive(): Frames | undefined {
    return this.#in.read()
  }
  protected xwritable(): boolean {
    return false
  }
  protected xreadable(): boolean {
    return this.#in.hasIncoming
  }
}

// eslint-disable-next-line @typescript-eslint/no-empty-interface, @typescript-eslint/no-unsafe-declaration-merging
export interface Pull extends ReceiveOptionProperties, ConflateOptionProperties {}
defineSocketOptions(Pull, "PULL")
