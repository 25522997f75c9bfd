import type { Context } from "../context.js"
import type { SocketOptionValues } from "../options.js"
import { XPublisher } from "./xpub.js"

export interface PublisherOptions extends Partial<SocketOptionValues> {
  context?: Context
  noDrop?: boolean
  invertMatching?: boolean
}

/** PUB (RFC 29): an XPUB that keeps subscriptions to itself. Never receives. */
export class Publisher extends XPublisher {
  constructor(options: PublisherOptions = {}) {
    super(options, "PUB")
  }

  protected override get deliversSubscriptions(): boolean {
    return false
  }

  protected override get canReceive(): boolean {
    return false
  }
}
