import { FairQueue } from "../pipes/fair-queue.js"
import type { PipeEnd } from "../pipes/pipe.js"
import type { Frames } from "../pipes/message.js"
import type { ConflateOptionProperties, ReceiveOptionProperties, WritableOptions } from "../common/options.js"
import { defineSocketOptions, Socket, type CommonSocketOptions } from "../socket/socket-base.js"
import { readSinglePart } from "./single-part.js"

export interface GatherOptions extends CommonSocketOptions, WritableOptions<ReceiveOptionProperties & ConflateOptionProperties> {}

/** GATHER (RFC 49, draft): PULL with single-part messages: fair-queued from SCATTER peers; never sends. */
export class Gather extends Socket {
  readonly #in = new FairQueue()

  constructor(options?: GatherOptions) {
    super("GATHER", options)
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
    return readSinglePart(this.#in)
  }
  protected xwritable(): boolean {
    return false
  }
  protected xreadable(): boolean {
    return this.#in.hasIncoming
  }
}

// eslint-disable-next-line @typescript-eslint/no-empty-interface, @typescript-eslint/no-unsafe-declaration-merging
export interface Gather extends ReceiveOptionProperties, ConflateOptionProperties {}
defineSocketOptions(Gather, "GATHER")
