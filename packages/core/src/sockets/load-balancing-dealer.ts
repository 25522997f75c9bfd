import { Buffer } from "#platform/buffer"
import { FairQueue } from "../pipes/fair-queue.js"
import { LoadBalancer } from "../pipes/load-balancer.js"
import type { PipeEnd } from "../pipes/pipe.js"
import type { Frames } from "../pipes/message.js"
import { Socket } from "../socket/socket-base.js"
import { readSinglePart, refuseMultipart } from "./single-part.js"

const PROBE: Frames = [Buffer.alloc(0)]

/**
 * The routing of DEALER (RFC 28) and CLIENT (RFC 41): what is sent is load-balanced over the peers, what
 * arrives is fair-queued from them, no envelope is touched. CLIENT, a draft type, refuses multipart sends
 * and drops a multipart arrival whole; DEALER sends an empty probe to each new peer with `probeRouter`.
 * One strategy for both; each class stays its own.
 */
export abstract class LoadBalancingDealer extends Socket {
  readonly #out = new LoadBalancer()
  readonly #in = new FairQueue()
  readonly #singlePart: boolean

  protected constructor(type: "DEALER" | "CLIENT", options: object | undefined) {
    super(type, options)
    this.#singlePart = type === "CLIENT"
  }

  protected override xpipeReadable(pipe: PipeEnd): void {
    this.#in.activated(pipe)
  }

  protected xattach(pipe: PipeEnd): void {
    if (this.options.probeRouter) pipe.write(PROBE)
    this.#out.attach(pipe)
    this.#in.attach(pipe)
  }
  protected xdetach(pipe: PipeEnd): void {
    this.#out.detach(pipe)
    this.#in.detach(pipe)
  }
  protected xsend(message: Frames): boolean {
    if (this.#singlePart) refuseMultipart(message)
    return this.#out.send(message)
  }
  protected override xsendFrame(frame: Buffer): boolean {
    return this.#out.sendFrame(frame)
  }
  protected xreceive(): Frames | undefined {
    return this.#singlePart ? readSinglePart(this.#in) : this.#in.read()
  }
  protected xwritable(): boolean {
    return this.#out.writable
  }
  protected xreadable(): boolean {
    return this.#in.hasIncoming
  }
}
