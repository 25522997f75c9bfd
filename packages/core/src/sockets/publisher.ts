import type { SocketOptions } from "../socket/socket-base.js"
import { XPublisher } from "./xpub.js"

export interface PublisherOptions extends SocketOptions {
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
