import type { Buffer } from "#platform/buffer"
import { zmqError } from "../common/errors.js"
import { toFrame } from "../socket/message-like.js"
import { Fifo } from "../common/fifo.js"
import { type PipeEnd } from "../pipes/pipe.js"
import { subscriptionMessage, type Frames } from "../pipes/message.js"
import { SharedMessage } from "../pipes/shared-message.js"
import type {
  InvertMatchingOptionProperties,
  NoDropOptionProperties,
  OnlyFirstSubscribeOptionProperties,
  OptionName,
  OptionValue,
  ReceiveOptionProperties,
  SendOptionProperties,
  TopicsCountOptionProperties,
  WritableOptions,
  XPublisherLastValueOptionProperties,
  XPublisherOptionProperties,
} from "../common/options.js"
import { defineSocketOptions, Socket, type CommonSocketOptions } from "../socket/socket-base.js"
import { SubscriptionTrie } from "../pipes/subscription-trie.js"

/** XPUB's options (zeromq.js defines these on XPublisher). */
type XPublisherOptionPropertiesAll = SendOptionProperties &
  ReceiveOptionProperties &
  NoDropOptionProperties &
  InvertMatchingOptionProperties &
  XPublisherOptionProperties &
  OnlyFirstSubscribeOptionProperties &
  XPublisherLastValueOptionProperties &
  TopicsCountOptionProperties

export interface XPublisherOptions extends CommonSocketOptions, WritableOptions<XPublisherOptionPropertiesAll> {}

/**
 * What XPUB and PUB share (libzmq's pub_t is an xpub_t too). XPUB (RFC 29) sends each message to the
 * subscribers whose subscriptions prefix its first frame, and hands subscriptions to the application as messages (`0x01`+topic, `0x00`+topic): by default only the first
 * subscription to a topic and the last cancel, with `verbosity` every one. Subscriptions arrive from
 * subscribers' pipes as such messages, whichever ZMTP version carried them (the session normalises them).
 * A slow subscriber never blocks the others: a full pipe drops the message for that subscriber only, unless
 * `noDrop` makes `send()` wait.
 */
export abstract class PublisherBase extends Socket {
  /**
   * Not counted: a subscriber's XSUB sends every subscribe but only the last cancel of a topic, so one
   * cancel must remove the pipe's subscription (libzmq's mtrie keeps a set of pipes per topic).
   */
  readonly #subscriptions = new SubscriptionTrie<PipeEnd>(false)
  readonly #pipes = new Set<PipeEnd>()
  readonly #upstream = new Fifo<Frames>()
  /** Pipes collected by one send, reused to avoid an allocation per message. */
  readonly #targets: PipeEnd[] = []

  /** Whether subscription messages reach the application (XPUB: yes; PUB: no). */
  protected abstract get deliversSubscriptions(): boolean

  /**
   * With `manual`: the subscriber whose subscription message the application received last (libzmq's
   * `_last_pipe`), which `subscribe`/`unsubscribe` act for and, with `xpubManualLastValue`, the next send
   * goes to alone.
   */
  #lastSubscriber: PipeEnd | undefined
  /** Beside #upstream, message for message: the subscriber a subscription message came from (manual mode). */
  readonly #upstreamFrom = new Fifo<PipeEnd | undefined>()
  /** With `manual`: what each subscriber asked for, so its requests are cancelled when it leaves (libzmq). */
  readonly #requested = new SubscriptionTrie<PipeEnd>(false)

  /** XPUB's `subscribe`/`unsubscribe` with `manual`: for the subscriber whose message was received last. */
  protected manualApply(topics: Array<Buffer | string>, add: boolean): void {
    if (!this.options.manual) throw zmqError("EINVAL", "subscribe/unsubscribe on an XPublisher need `manual`")
    const pipe = this.#lastSubscriber
    if (pipe === undefined) return
    for (const topic of topics.length === 0 ? [""] : topics) {
      const bytes = toFrame(topic, 0)
      if (add) this.#subscriptions.add(bytes, pipe)
      else this.#subscriptions.remove(bytes, pipe)
    }
  }

  /** ZMQ_TOPICS_COUNT: the distinct topics subscribers hold here. */
  protected override readOption(name: OptionName): OptionValue {
    const value = super.readOption(name)
    return name === "topicsCount" ? this.#subscriptions.topicCount : value
  }

  protected xattach(pipe: PipeEnd): void {
    this.#pipes.add(pipe)
    const welcome = this.options.welcomeMessage
    if (welcome !== null) pipe.write([welcome])
    this.#readUpstream(pipe)
  }

  protected xdetach(pipe: PipeEnd): void {
    this.#readUpstream(pipe)
    this.#pipes.delete(pipe)
    if (this.#lastSubscriber === pipe) this.#lastSubscriber = undefined
    if (this.options.manual) {
      // libzmq's xpipe_terminated in manual mode: each topic the subscriber asked for is cancelled upstream.
      const asked: Uint8Array[] = []
      for (const [topic, holder] of this.#requested.entries()) if (holder === pipe) asked.push(topic)
      this.#requested.removeHolder(pipe)
      this.#subscriptions.removeHolder(pipe)
      if (this.deliversSubscriptions) for (const topic of asked) this.#deliver([subscriptionMessage(0, topic)], undefined)
      return
    }
    const verbose = this.options.verbosity === "allSubsUnsubs"
    const cancelled: Uint8Array[] = []
    if (verbose) for (const [topic, holder] of this.#subscriptions.entries()) if (holder === pipe) cancelled.push(topic)
    this.#subscriptions.removeHolder(pipe, verbose ? undefined : (topic) => cancelled.push(topic))
    if (this.deliversSubscriptions) {
      for (const topic of cancelled) this.#deliver([subscriptionMessage(0, topic)], undefined)
    }
  }

  protected override xpipeReadable(pipe: PipeEnd): void {
    this.#readUpstream(pipe)
  }

  #deliver(message: Frames, from: PipeEnd | undefined): void {
    this.#upstream.push(message)
    this.#upstreamFrom.push(from)
  }

  /**
   * Applies the subscriptions a subscriber sent, and queues what the application should see. As libzmq's
   * xpub.cpp: every frame of a message that starts with 0x01/0x00 is a subscribe/cancel (with
   * `onlyFirstSubscribe`, only when the first frame is one); each reaches the application as a message of
   * its own, in order, and the data frames between them as data messages.
   */
  #readUpstream(pipe: PipeEnd): void {
    const onlyFirst = this.options.onlyFirstSubscribe
    for (let message = pipe.read(); message !== undefined; message = pipe.read()) {
      if (message.length === 1) {
        const first = message[0]!
        if (first.length > 0 && (first[0] === 1 || first[0] === 0)) this.#subscription(pipe, first, message)
        else if (this.deliversSubscriptions) this.#deliver(message, undefined)
        continue
      }
      let data: Frames | undefined
      let processSubscribe = true
      for (let i = 0; i < message.length; i++) {
        const frame = message[i]!
        const isSubscription: boolean = processSubscribe && frame.length > 0 && (frame[0] === 1 || frame[0] === 0)
        if (i === 0) processSubscribe = !onlyFirst || isSubscription
        if (!isSubscription) {
          ;(data ??= []).push(frame)
          continue
        }
        // In order: the data frames before a subscription reach the application before it.
        if (data !== undefined && this.deliversSubscriptions) this.#deliver(data, undefined)
        data = undefined
        this.#subscription(pipe, frame, [frame])
      }
      // XSUB peers may send other messages upstream; XPUB passes them on.
      if (data !== undefined && this.deliversSubscriptions) this.#deliver(data, undefined)
    }
  }

  #subscription(pipe: PipeEnd, frame: Buffer, message: Frames): void {
    const subscribe = frame[0] === 1
    const topic = frame.subarray(1)
    let notify: boolean
    if (this.options.manual) {
      notify = true
      if (subscribe) this.#requested.add(topic, pipe)
      else this.#requested.remove(topic, pipe)
    } else if (subscribe) {
      const unique = this.#subscriptions.add(topic, pipe)
      notify = unique || this.options.verbosity !== null
    } else {
      const last = this.#subscriptions.remove(topic, pipe)
      notify = last || this.options.verbosity === "allSubsUnsubs"
    }
    if (notify && this.deliversSubscriptions) this.#deliver(message, pipe)
  }

  protected xsend(message: Frames): boolean {
    const count = this.#match(message[0]!)
    if (count < 0) return false
    // Each subscriber gets the same frames: Buffers are never modified after sending, so sharing is safe.
    const targets = this.#targets
    if (count > 1) {
      const shared = new SharedMessage(message)
      for (let i = 0; i < count; i++) targets[i]!.writeShared(shared)
    } else if (count === 1) {
      targets[0]!.write(message)
    }
    if (this.options.xpubManualLastValue) this.#lastSubscriber = undefined
    return true
  }

  protected override xsendFrame(frame: Buffer): boolean {
    const count = this.#match(frame)
    if (count < 0) return false
    const targets = this.#targets
    if (count > 1) {
      const shared = new SharedMessage([frame])
      for (let i = 0; i < count; i++) targets[i]!.writeShared(shared)
    } else if (count === 1) {
      targets[0]!.writeFrame(frame)
    }
    if (this.options.xpubManualLastValue) this.#lastSubscriber = undefined
    return true
  }

  /**
   * Collects the pipes subscribed to `topic` into #targets (reused, so no allocation per message) and
   * returns how many; -1 when ZMQ_XPUB_NODROP is set and one of them is full (the send must wait).
   */
  #match(topic: Buffer): number {
    this.#targetCount = 0
    const last = this.#lastSubscriber
    if (last !== undefined && this.options.xpubManualLastValue && this.options.manual) {
      // ZMQ_XPUB_MANUAL_LAST_VALUE: the first send after a subscription goes to that subscriber alone.
      this.#subscriptions.match(topic, (pipe) => {
        if (pipe === last) this.#collect(pipe)
      })
    } else if (this.options.invertMatching) {
      const matched = new Set<PipeEnd>()
      this.#subscriptions.match(topic, (pipe) => matched.add(pipe))
      for (const pipe of this.#pipes) if (!matched.has(pipe)) this.#collect(pipe)
    } else {
      this.#subscriptions.match(topic, this.#collect)
    }
    const targets = this.#targets
    const count = this.#targetCount
    if (this.options.noDrop) {
      for (let i = 0; i < count; i++) {
        const pipe = targets[i]!
        if (!pipe.writable && !pipe.closed && !pipe.peerClosed) return -1
      }
    }
    return count
  }

  #targetCount = 0
  readonly #collect = (pipe: PipeEnd): void => {
    this.#targets[this.#targetCount++] = pipe
  }

  protected xreceive(): Frames | undefined {
    const message = this.#upstream.shift()
    if (message === undefined) return undefined
    const from = this.#upstreamFrom.shift()
    // libzmq's xrecv: the subscriber of the message the application reads is the one `subscribe` acts for.
    if (this.options.manual) this.#lastSubscriber = from !== undefined && this.#pipes.has(from) ? from : undefined
    return message
  }

  protected xwritable(): boolean {
    if (!this.options.noDrop) return true
    for (const pipe of this.#pipes) if (!pipe.writable) return false
    return true
  }

  protected xreadable(): boolean {
    return this.#upstream.length > 0
  }
}

/**
 * XPUB (RFC 29): a publisher that hands subscriptions to the application as messages (`0x01`+topic,
 * `0x00`+topic), and with `manual` lets it apply them itself.
 */
export class XPublisher extends PublisherBase {
  constructor(options?: XPublisherOptions) {
    super("XPUB", options)
    this.applyOptions(options)
  }

  protected get deliversSubscriptions(): boolean {
    return true
  }

  /**
   * With `manual`: applies a subscription for the subscriber whose message was received last. (zeromq.js's
   * XPublisher has no such method: it cannot apply a manual subscription at all.)
   */
  subscribe(...topics: Array<Buffer | string>): void {
    this.manualApply(topics, true)
  }

  /** With `manual`: removes a subscription for the subscriber whose message was received last. */
  unsubscribe(...topics: Array<Buffer | string>): void {
    this.manualApply(topics, false)
  }
}

// eslint-disable-next-line @typescript-eslint/no-empty-interface, @typescript-eslint/no-unsafe-declaration-merging
export interface XPublisher
  extends SendOptionProperties,
    ReceiveOptionProperties,
    NoDropOptionProperties,
    InvertMatchingOptionProperties,
    XPublisherOptionProperties,
    OnlyFirstSubscribeOptionProperties,
    XPublisherLastValueOptionProperties,
    TopicsCountOptionProperties {}
defineSocketOptions(XPublisher, "XPUB")
