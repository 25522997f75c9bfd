import type { Context } from "../context.js"
import type { SocketOptionValues } from "../options.js"
import { XSubscriber } from "./xsub.js"

export interface SubscriberOptions extends Partial<SocketOptionValues> {
  context?: Context
}

/**
 * SUB (RFC 29): receives the messages whose first frame starts with one of its subscriptions. Subscribing
 * twice to a topic needs two `unsubscribe` calls. No argument means everything (the empty prefix).
 */
export class Subscriber extends XSubscriber {
  constructor(options: SubscriberOptions = {}) {
    super(options, "SUB")
  }

  subscribe(...prefixes: Array<Buffer | string>): void {
    this.changeSubscriptions(1, prefixes)
  }

  unsubscribe(...prefixes: Array<Buffer | string>): void {
    this.changeSubscriptions(0, prefixes)
  }

  protected override get canSend(): boolean {
    return false
  }
}
