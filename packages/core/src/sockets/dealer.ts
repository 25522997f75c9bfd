import { Buffer } from "node:buffer"
import { FairQueue } from "../pipes/fair-queue.js"
import { LoadBalancer } from "../pipes/load-balancer.js"
import type { PipeEnd } from "../pipes/pipe.js"
import type { Frames } from "../pipes/message.js"
import type {
  ConflateOptionProperties,
  HelloMessageOptionProperties,
  HiccupMessageOptionProperties,
  ProbeRouterOptionProperties,
  ReceiveOptionProperties,
  RoutingIdOptionProperties,
  SendOptionProperties,
  WritableOptions,
} from "../common/options.js"
import { defineSocketOptions, Socket, type CommonSocketOptions } from "../socket/socket-base.js"

/** DEALER's options (zeromq.js defines these on Dealer). */
type DealerOptionProperties = SendOptionProperties &
  ReceiveOptionProperties &
  RoutingIdOptionProperties &
  ProbeRouterOptionProperties &
  ConflateOptionProperties &
  HelloMessageOptionProperties &
  HiccupMessageOptionProperties

export interface DealerOptions extends CommonSocketOptions, WritableOptions<DealerOptionProperties> {}

const PROBE: Frames = [Buffer.alloc(0)]

/** DEALER (RFC 28): load-balances outgoing and fair-queues incoming messages; no envelopes are touched. */
export class Dealer extends Socket {
  readonly #out = new LoadBalancer()
  readonly #in = new FairQueue()

  constructor(options?: DealerOptions) {
    super("DEALER", options)
    this.applyOptions(options)
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
    return this.#out.send(message)
  }
  protected override xsendFrame(frame: Buffer): boolean {
    return this.#out.sendFrame(frame)
  }
  protected xreceive(): Frames | undefined {
    return this.#in.read()
  }
  protected xwritable(): boolean {
    return this.#out.writable
  }
  protected xreadable(): boolean {
    return this.#in.hasIncoming
  }
}

// eslint-disable-next-line @typescript-eslint/no-empty-interface, @typescript-eslint/no-unsafe-declaration-merging
export interface Dealer
  extends SendOptionProperties,
    ReceiveOptionProperties,
    RoutingIdOptionProperties,
    ProbeRouterOptionProperties,
    ConflateOptionProperties,
    HelloMessageOptionProperties,
    HiccupMessageOptionProperties {}
defineSocketOptions(Dealer, "DEALER")
