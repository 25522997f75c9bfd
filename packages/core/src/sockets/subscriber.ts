import type { SocketOptions } from "../socket/socket-base.js"
import { XSubscriber } from "./xsub.js"

export interface SubscriberOptions extends SocketOptions {
  invertMatching?: boolean
}

/**
 * SUB (RFC 29): receives the messages whose first frame starts with one of its subscriptions. Subscribing
 * twice to a topic needs two `unsubscribe` calls. No argument means everything (the empty prefix).
 */
export class Subscriber extends XSubscriber {
  constructor(options: SubscriberOptions = {}) {
    super(options, "SUB")
  }

  /**
   * ZMQ_INVERT_MATCHING: receive the messages that match none of the subscriptions. Default false. Every SUB
   * of a publisher with `invertMatching` needs it too (that publisher sends each what it did NOT subscribe to).
   */
  get invertMatching(): boolean {
    return this.flag("invertMatching")
  }
  set invertMatching(value: boolean) {
    this.setFlag("invertMatching", value)
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
