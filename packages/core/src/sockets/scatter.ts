import { LoadBalancer } from "../pipes/load-balancer.js"
import type { PipeEnd } from "../pipes/pipe.js"
import type { Frames } from "../pipes/message.js"
import type { ConflateOptionProperties, SendOptionProperties, WritableOptions } from "../common/options.js"
import { defineSocketOptions, Socket, type CommonSocketOptions } from "../socket/socket-base.js"
import { refuseMultipart } from "./single-part.js"

export interface ScatterOptions extends CommonSocketOptions, WritableOptions<SendOptionProperties & ConflateOptionProperties> {}

/** SCATTER (RFC 49, draft): PUSH with single-part messages: load-balanced over GATHER peers; never receives. */
export class Scatter extends Socket {
  readonly #out = new LoadBalancer()

  constructor(options?: ScatterOptions) {
    super("SCATTER", options)
    this.applyOptions(options)
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
    refuseMultipart(message)
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

// eslint-disable-next-line @typescript-eslint/no-empty-interface, @typescript-eslint/no-unsafe-declaration-merging
export interface Scatter extends SendOptionProperties, ConflateOptionProperties {}
defineSocketOptions(Scatter, "SCATTER")
