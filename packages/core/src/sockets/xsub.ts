import { zmqError } from "../common/errors.js"
import { FairQueue } from "../pipes/fair-queue.js"
import { toFrame } from "../socket/message-like.js"
import { type PipeEnd } from "../pipes/pipe.js"
import { subscriptionMessage, type Frames } from "../pipes/message.js"
import type {
  OnlyFirstSubscribeOptionProperties,
  OptionName,
  OptionValue,
  ReceiveOptionProperties,
  SendOptionProperties,
  TopicsCountOptionProperties,
  WritableOptions,
} from "../common/options.js"
import { defineSocketOptions, Socket, type CommonSocketOptions } from "../socket/socket-base.js"
import { SubscriptionTrie } from "../pipes/subscription-trie.js"

export interface XSubscriberOptions
  extends CommonSocketOptions,
    WritableOptions<SendOptionProperties & ReceiveOptionProperties & OnlyFirstSubscribeOptionProperties> {}

/**
 * What XSUB and SUB share (libzmq's sub_t is an xsub_t too). XSUB (RFC 29) receives from every publisher, fair-queued, keeping only messages that match its
 * subscriptions; subscriptions are messages the application sends (`0x01`+topic to subscribe, `0x00`+topic
 * to cancel), forwarded to every publisher and re-sent after each reconnect. Other messages go upstream as
 * they are.
 */
export abstract class SubscriberBase extends Socket {
  readonly #in = new FairQueue()
  readonly #pipes = new Set<PipeEnd>()
  readonly #subscriptions = new SubscriptionTrie<true>()

  protected override xpipeReadable(pipe: PipeEnd): void {
    this.#in.activated(pipe)
  }

  protected xattach(pipe: PipeEnd): void {
    this.#in.attach(pipe)
    this.#pipes.add(pipe)
    this.#sendAll(pipe)
  }

  protected xdetach(pipe: PipeEnd): void {
    this.#in.detach(pipe)
    this.#pipes.delete(pipe)
  }

  /** The pipe reconnected: its queued subscriptions were dropped, so send them all again. */
  protected override xhiccuped(pipe: PipeEnd): void {
    this.#sendAll(pipe)
  }

  /** ZMQ_TOPICS_COUNT: the distinct topics subscribed. */
  protected override readOption(name: OptionName): OptionValue {
    const value = super.readOption(name)
    return name === "topicsCount" ? this.#subscriptions.topicCount : value
  }

  protected xsend(message: Frames): boolean {
    const first = message[0]!
    if (message.length > 1) {
      this.#sendParts(message)
      return true
    }
    if (first.length > 0 && first[0] === 1) {
      // Every subscribe goes upstream, duplicates included (XPUB_VERBOSE shows them); the count is kept
      // here and only the last cancel goes upstream, as in libzmq.
      this.#subscriptions.add(first.subarray(1), true)
      this.#toAll(message)
      return true
    }
    if (first.length > 0 && first[0] === 0) {
      if (this.#subscriptions.remove(first.subarray(1), true)) this.#toAll(message)
      return true
    }
    this.#toAll(message)
    return true
  }

  protected xreceive(): Frames | undefined {
    const stashed = this.#stash
    if (stashed !== undefined) {
      this.#stash = undefined
      return stashed
    }
    // libzmq filters on SUB only (options.filter): an XSUB takes whatever its publishers send, which
    // matters behind a manual XPUB that maps subscriptions to other topics.
    if (this.zmtpType === "XSUB") return this.#in.read()
    // ZMQ_INVERT_MATCHING (settable on SUB): keep the messages that match no subscription instead.
    const invert = this.options.invertMatching
    for (let message = this.#in.read(); message !== undefined; message = this.#in.read()) {
      if (this.#subscriptions.matches(message[0]!) !== invert) return message
    }
    return undefined
  }

  /** A matching message taken ahead by `xreadable`, so that "readable" is never a message we would drop. */
  #stash: Frames | undefined

  protected xwritable(): boolean {
    return true
  }

  protected xreadable(): boolean {
    if (this.#stash === undefined) this.#stash = this.xreceive()
    return this.#stash !== undefined
  }

  /** Applies and forwards a subscription change (used by Subscriber's subscribe/unsubscribe). */
  protected changeSubscriptions(kind: 0 | 1, topics: ReadonlyArray<Buffer | string>): void {
    // As zeromq.js's string option (ZMQ_SUBSCRIBE): the type is checked first, then that the socket is open.
    for (const topic of topics) {
      if (topic !== null && typeof topic !== "string" && !ArrayBuffer.isView(topic)) throw new TypeError("Option value must be a string or buffer")
    }
    if (this.closed) throw zmqError("ENOTSOCK", "the socket is closed: it can no longer subscribe")
    for (const topic of topics.length === 0 ? [""] : topics) this.xsend([subscriptionMessage(kind, toFrame(topic, 0))])
  }

  /**
   * A multipart message, as libzmq's xsub.cpp takes its parts: each frame starting with 0x01/0x00 is a
   * subscribe/cancel (with `onlyFirstSubscribe`, only when the first frame is one), applied and passed on
   * (a cancel only when it was the last of its topic); the other frames are passed on as data.
   */
  #sendParts(message: Frames): void {
    const onlyFirst = this.options.onlyFirstSubscribe
    const forwarded: Frames = []
    let processSubscribe = true
    for (let i = 0; i < message.length; i++) {
      const frame = message[i]!
      if (i === 0) processSubscribe = !onlyFirst
      else if (!processSubscribe) {
        forwarded.push(frame)
        continue
      }
      if (frame.length > 0 && frame[0] === 1) {
        this.#subscriptions.add(frame.subarray(1), true)
        processSubscribe = true
        forwarded.push(frame)
      } else if (frame.length > 0 && frame[0] === 0) {
        processSubscribe = true
        if (this.#subscriptions.remove(frame.subarray(1), true)) forwarded.push(frame)
      } else {
        forwarded.push(frame)
      }
    }
    if (forwarded.length > 0) this.#toAll(forwarded)
  }

  #toAll(message: Frames): void {
    // A full pipe loses the message, as libzmq's distributor does; subscriptions are small and rare.
    for (const pipe of this.#pipes) pipe.write(message)
  }

  #sendAll(pipe: PipeEnd): void {
    for (const [topic] of this.#subscriptions.entries()) pipe.write([subscriptionMessage(1, topic)])
  }
}

/** XSUB (RFC 29): a subscriber whose subscriptions are messages the application sends. */
export class XSubscriber extends SubscriberBase {
  constructor(options?: XSubscriberOptions) {
    super("XSUB", options)
    this.applyOptions(options)
  }
}

// eslint-disable-next-line @typescript-eslint/no-empty-interface, @typescript-eslint/no-unsafe-declaration-merging
export interface XSubscriber extends SendOptionProperties, ReceiveOptionProperties, OnlyFirstSubscribeOptionProperties, TopicsCountOptionProperties {}
defineSocketOptions(XSubscriber, "XSUB")
