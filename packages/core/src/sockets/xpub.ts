import type { Buffer } from "node:buffer"
import { zmqError } from "../common/errors.js"
import { toFrame } from "../socket/message-like.js"
import { Fifo } from "../common/fifo.js"
import { type PipeEnd } from "../pipes/pipe.js"
import { subscriptionMessage, type Frames } from "../pipes/message.js"
import type {
  InvertMatchingOptionProperties,
  NoDropOptionProperties,
  ReceiveOptionProperties,
  SendOptionProperties,
  WritableOptions,
  XPublisherOptionProperties,
} from "../common/options.js"
import { defineSocketOptions, Socket, type CommonSocketOptions } from "../socket/socket-base.js"
import { SubscriptionTrie } from "../pipes/subscription-trie.js"

/** XPUB's options (zeromq.js defines these on XPublisher). */
type XPublisherOptionPropertiesAll = SendOptionProperties &
  ReceiveOptionProperties &
  NoDropOptionProperties &
  InvertMatchingOptionProperties &
  XPublisherOptionProperties

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

  #lastSubscriber: PipeEnd | undefined

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

  protected xattach(pipe: PipeEnd): void {
    this.#pipes.add(pipe)
    const welcome = this.options.welcomeMessage
    if (welcome !== null) pipe.write([welcome])
    this.#readUpstream(pipe)
  }

  protected xdetach(pipe: PipeEnd): void {
    this.#readUpstream(pipe)
    this.#pipes.delete(pipe)
    const verbose = this.options.verbosity === "allSubsUnsubs"
    const cancelled: Uint8Array[] = []
    if (verbose) for (const [topic, holder] of this.#subscriptions.entries()) if (holder === pipe) cancelled.push(topic)
    this.#subscriptions.removeHolder(pipe, verbose ? undefined : (topic) => cancelled.push(topic))
    if (this.deliversSubscriptions && !this.options.manual) {
      for (const topic of cancelled) this.#upstream.push([subscriptionMessage(0, topic)])
    }
  }

  protected override xpipeReadable(pipe: PipeEnd): void {
    this.#readUpstream(pipe)
  }

  /** Applies the subscriptions a subscriber sent, and queues what the application should see. */
  #readUpstream(pipe: PipeEnd): void {
    for (let message = pipe.read(); message !== undefined; message = pipe.read()) {
      const first = message[0]!
      const isSubscription = message.length === 1 && first.length > 0 && (first[0] === 1 || first[0] === 0)
      if (!isSubscription) {
        // XSUB peers may send other messages upstream; XPUB passes them on as they are.
        if (this.deliversSubscriptions) this.#upstream.push(message)
        continue
      }
      const subscribe = first[0] === 1
      const topic = first.subarray(1)
      let notify: boolean
      if (this.options.manual) {
        notify = true
        this.#lastSubscriber = pipe
      } else if (subscribe) {
        const unique = this.#subscriptions.add(topic, pipe)
        notify = unique || this.options.verbosity !== null
      } else {
        const last = this.#subscriptions.remove(topic, pipe)
        notify = last || this.options.verbosity === "allSubsUnsubs"
      }
      if (notify && this.deliversSubscriptions) this.#upstream.push(message)
    }
  }

  protected xsend(message: Frames): boolean {
    const count = this.#match(message[0]!)
    if (count < 0) return false
    // Each subscriber gets the same frames: Buffers are never modified after sending, so sharing is safe.
    const targets = this.#targets
    for (let i = 0; i < count; i++) targets[i]!.write(message)
    return true
  }

  protected override xsendFrame(frame: Buffer): boolean {
    const count = this.#match(frame)
    if (count < 0) return false
    const targets = this.#targets
    for (let i = 0; i < count; i++) targets[i]!.writeFrame(frame)
    return true
  }

  /**
   * Collects the pipes subscribed to `topic` into #targets (reused, so no allocation per message) and
   * returns how many; -1 when ZMQ_XPUB_NODROP is set and one of them is full (the send must wait).
   */
  #match(topic: Buffer): number {
    this.#targetCount = 0
    if (this.options.invertMatching) {
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
    return this.#upstream.shift()
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
    XPublisherOptionProperties {}
defineSocketOptions(XPublisher, "XPUB")
