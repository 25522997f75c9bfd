import type { Buffer } from "#platform/buffer"
import type {
  ConflateOptionProperties,
  InvertMatchingOptionProperties,
  TopicsCountOptionProperties,
  ReceiveOptionProperties,
  WritableOptions,
} from "../common/options.js"
import { defineSocketOptions, type CommonSocketOptions } from "../socket/socket-base.js"
import { SubscriberBase } from "./xsub.js"

/** SUB's options (zeromq.js defines these on Subscriber). */
type SubscriberOptionProperties = ReceiveOptionProperties & ConflateOptionProperties & InvertMatchingOptionProperties

export interface SubscriberOptions extends CommonSocketOptions, WritableOptions<SubscriberOptionProperties> {}

/**
 * SUB (RFC 29): receives the messages whose first frame starts with one of its subscriptions. Subscribing
 * twice to a topic needs two `unsubscribe` calls. No argument means everything (the empty prefix). Not an
 * XSubscriber (as in zeromq.js): it cannot send, and has no send options.
 */
export class Subscriber extends SubscriberBase {
  constructor(options?: SubscriberOptions) {
    super("SUB", options)
    this.applyOptions(options)
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

// eslint-disable-next-line @typescript-eslint/no-empty-interface, @typescript-eslint/no-unsafe-declaration-merging
export interface Subscriber extends ReceiveOptionProperties, ConflateOptionProperties, InvertMatchingOptionProperties, TopicsCountOptionProperties {}
defineSocketOptions(Subscriber, "SUB")
