import { Buffer } from "node:buffer"
import { FairQueue } from "../pipes/fair-queue.js"
import { LoadBalancer } from "../pipes/load-balancer.js"
import type { PipeEnd } from "../pipes/pipe.js"
import type { Message } from "../pipes/message.js"
import { Socket, type SocketOptions } from "../socket/socket-base.js"

export interface DealerOptions extends SocketOptions {
  probeRouter?: boolean
}

const PROBE: Message = [Buffer.alloc(0)]

/** DEALER (RFC 28): load-balances outgoing and fair-queues incoming messages; no envelopes are touched. */
export class Dealer extends Socket {
  readonly #out = new LoadBalancer()
  readonly #in = new FairQueue()
  /** ZMQ_PROBE_ROUTER: send an empty message to each new peer, so a ROUTER learns our routing id at once. Default false. */
  get probeRouter(): boolean {
    return this.flag("probeRouter")
  }
  set probeRouter(value: boolean) {
    this.setFlag("probeRouter", value)
  }

  constructor(options: DealerOptions = {}) {
    super("DEALER", options as Record<string, unknown>)
  }

  protected xattach(pipe: PipeEnd): void {
    if (this.probeRouter) pipe.write(PROBE)
    this.#out.attach(pipe)
    this.#in.attach(pipe)
  }
  protected xdetach(pipe: PipeEnd): void {
    this.#out.detach(pipe)
    this.#in.detach(pipe)
  }
  protected xsend(message: Message): boolean {
    return this.#out.send(message)
  }
  protected override xsendFrame(frame: Buffer): boolean {
    return this.#out.sendFrame(frame)
  }
  protected xreceive(): Message | undefined {
    return this.#in.read()
  }
  protected xwritable(): boolean {
    return this.#out.writable
  }
  protected xreadable(): boolean {
    return this.#in.hasIncoming
  }
}
