import { FairQueue } from "../pipes/fair-queue.js"
import type { PipeEnd } from "../pipes/pipe.js"
import type { Frames } from "../pipes/message.js"
import { Socket } from "../socket/socket-base.js"
import { readSinglePart } from "./single-part.js"

/**
 * The routing of PULL (RFC 30) and GATHER (RFC 49): messages fair-queued from every peer; nothing is sent.
 * GATHER, a draft type, drops a multipart arrival whole (gather.cpp). One strategy for both; each class
 * stays its own.
 */
export abstract class FairQueuedReceiver extends Socket {
  readonly #in = new FairQueue()
  readonly #singlePart: boolean

  protected constructor(type: "PULL" | "GATHER", options: object | undefined) {
    super(type, options)
    this.#singlePart = type === "GATHER"
  }

  protected override get canSend(): boolean {
    return false
  }

  protected override xpipeReadable(pipe: PipeEnd): void {
    this.#in.activated(pipe)
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
    return this.#singlePart ? readSinglePart(this.#in) : this.#in.read()
  }
  protected xwritable(): boolean {
    return false
  }
  protected xreadable(): boolean {
    return this.#in.hasIncoming
  }
}
