import type { Buffer } from "#platform/buffer"
import { LoadBalancer } from "../pipes/load-balancer.js"
import type { PipeEnd } from "../pipes/pipe.js"
import type { Frames } from "../pipes/message.js"
import { Socket } from "../socket/socket-base.js"
import { refuseMultipart } from "./single-part.js"

/**
 * The routing of PUSH (RFC 30) and SCATTER (RFC 49): each message goes to the next peer with room, in turn;
 * nothing is received. SCATTER, a draft type, refuses multipart messages. One strategy for both, as the
 * RFCs define SCATTER as PUSH with single-part messages; each class stays its own (no `instanceof` between
 * them, as in zeromq.js).
 */
export abstract class LoadBalancingSender extends Socket {
  readonly #out = new LoadBalancer()
  readonly #singlePart: boolean

  protected constructor(type: "PUSH" | "SCATTER", options: object | undefined) {
    super(type, options)
    this.#singlePart = type === "SCATTER"
  }

  protected override get canReceive(): boolean {
    return false
  }
  protected xattach(pipe: PipeEnd): void {
    this.#out.attach(pipe)
  }
  protected xdetach(pipe: PipeEnd): void {
    this.#out.detach(pipe)
  }
  protected xsend(message: Frames): boolean {
    if (this.#singlePart) refuseMultipart(message)
    return this.#out.send(message)
  }
  protected override xsendFrame(frame: Buffer): boolean {
    return this.#out.sendFrame(frame)
  }
  protected xreceive(): Frames | undefined {
    return undefined
  }
  protected xwritable(): boolean {
    return this.#out.writable
  }
  protected xreadable(): boolean {
    return false
  }
}
