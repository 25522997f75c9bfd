import {
  Publisher,
  Reply,
  type Context,
  type MessageLike,
  type PublisherOptions,
  type ReplyOptions,
  type XPublisher,
} from "@zmq-ts/core"
import { attach, type Attachments } from "./attachment.js"
import { localError, PatternErrorCode } from "./errors.js"
import {
  checkMode,
  DEFAULT_HELLO_INTERVAL,
  DEFAULT_SYNC_MODE,
  SYNC_HELLO,
  SYNC_REPLY,
  SyncMode,
} from "./synchronization.js"
import { checkCount, checkTimeout, closedOr, deadlineAfter, receiveBefore } from "./wait.js"

export interface WaitForSubscribersOptions {
  /** How many subscribers must confirm before the call resolves (≥ 1). */
  readonly subscribers: number
  /** "hello" (the Guide's more robust model) or "handshake" (syncpub). Default "hello". */
  readonly mode?: SyncMode
  /** "hello" mode: ms between two hellos on the PUB socket. Default 100 (DEFAULT_HELLO_INTERVAL). */
  readonly helloInterval?: number
  /** ms to wait in all; -1 waits forever. Default -1. ERR_PATTERN_TIMEOUT when it runs out. */
  readonly timeout?: number
}

/**
 * The publisher's half of node coordination, on sockets you own: answers each subscriber's ready request on
 * `syncService` (a bound REP) and resolves once `subscribers` distinct subscribers have confirmed. In
 * "hello" mode it publishes SYNC_HELLO on `publisher` every `helloInterval` ms meanwhile, and stops before
 * resolving: everything you publish afterwards reaches every confirmed subscriber (up to the high-water
 * marks: set `sendHighWaterMark: 0`, as the Guide's syncpub does, to never drop).
 *
 * A request whose first frame is empty (the Guide's syncsub) counts as a new subscriber every time; a
 * non-empty first frame is a token and counts once. Resolves with the number of subscribers counted.
 */
export async function waitForSubscribers(
  publisher: Publisher | XPublisher,
  syncService: Reply,
  options: WaitForSubscribersOptions,
): Promise<number> {
  const expected = checkCount("subscribers", options.subscribers, 1)
  const mode = checkMode(options.mode ?? DEFAULT_SYNC_MODE)
  const interval = checkCount("helloInterval", options.helloInterval ?? DEFAULT_HELLO_INTERVAL, 1)
  const deadline = deadlineAfter(checkTimeout("timeout", options.timeout ?? -1))
  let ticker: ReturnType<typeof setInterval> | undefined
  if (mode === SyncMode.hello) {
    const hello = (): void => {
      if (!publisher.closed) publisher.send(SYNC_HELLO).catch(() => {}) // closed meanwhile: the wait fails below
    }
    hello()
    ticker = setInterval(hello, interval)
  }
  const tokens = new Set<string>()
  let counted = 0
  try {
    while (counted < expected) {
      const request = await receiveBefore(syncService, deadline, `${expected - counted} more of ${expected} subscribers`)
      await syncService.send(SYNC_REPLY)
      const token = request[0]!
      if (token.length === 0) counted++
      else if (!tokens.has(token.toString("latin1"))) {
        tokens.add(token.toString("latin1"))
        counted++
      }
    }
  } finally {
    if (ticker !== undefined) clearInterval(ticker)
  }
  return counted
}

export interface SynchronizedPublisherOptions extends Omit<WaitForSubscribersOptions, "subscribers"> {
  /** Where the PUB socket (the data) binds or connects; a string binds. */
  readonly endpoint: Attachments
  /** Where the REP sync service binds or connects; a string binds. */
  readonly syncEndpoint: Attachments
  /** How many subscribers `waitForSubscribers()` waits for (≥ 1). */
  readonly subscribers: number
  /** The context of both sockets. Default: the shared context. */
  readonly context?: Context
  /** Options of the PUB socket. Default `{ sendHighWaterMark: 0 }` (never drop, as the Guide's syncpub). */
  readonly publisherOptions?: Omit<PublisherOptions, "context">
  /** Options of the REP socket. */
  readonly syncOptions?: Omit<ReplyOptions, "context">
}

/**
 * A PUB socket that starts publishing only when the expected subscribers are connected and subscribed (the
 * Guide's syncpub, or its "more robust model" with hellos, the default):
 *
 * ```ts
 * await using pub = new SynchronizedPublisher({ endpoint: "tcp://*:5561", syncEndpoint: "tcp://*:5562", subscribers: 10 })
 * await pub.bind()
 * await pub.waitForSubscribers()
 * for (let i = 0; i < 1_000_000; i++) await pub.send("Rhubarb")
 * ```
 *
 * `send()` before the subscribers are in rejects with ERR_PATTERN_INVALID_STATE (use `publisher` directly to
 * publish anyway). Subscribers use `SynchronizedSubscriber` (or `joinPublisher`) with the same mode.
 */
export class SynchronizedPublisher implements AsyncDisposable {
  /** The PUB socket. */
  readonly publisher: Publisher
  /** The REP socket that answers subscribers' ready requests. */
  readonly syncService: Reply
  readonly #options: SynchronizedPublisherOptions
  #endpoints: string[] = []
  #syncEndpoints: string[] = []
  #bound = false
  #synchronized = false

  constructor(options: SynchronizedPublisherOptions) {
    checkCount("subscribers", options.subscribers, 1)
    checkTimeout("timeout", options.timeout ?? -1)
    checkCount("helloInterval", options.helloInterval ?? DEFAULT_HELLO_INTERVAL, 1)
    checkMode(options.mode ?? DEFAULT_SYNC_MODE)
    this.#options = options
    const context = options.context === undefined ? {} : { context: options.context }
    this.publisher = new Publisher({ sendHighWaterMark: 0, ...options.publisherOptions, ...context })
    this.syncService = new Reply({ ...options.syncOptions, ...context })
  }

  /** The endpoints the PUB socket is bound to, wildcards resolved (after `bind()`). */
  get endpoints(): readonly string[] {
    return this.#endpoints
  }

  /** The endpoints the sync service is bound to, wildcards resolved (after `bind()`). */
  get syncEndpoints(): readonly string[] {
    return this.#syncEndpoints
  }

  /** True once `waitForSubscribers()` has resolved. */
  get synchronized(): boolean {
    return this.#synchronized
  }

  /** Binds (or connects) both sockets. */
  async bind(): Promise<void> {
    if (this.#bound) throw localError(PatternErrorCode.INVALID_STATE, "synchronized publisher is already bound")
    this.#bound = true
    this.#endpoints = await attach(this.publisher, this.#options.endpoint, "endpoint")
    this.#syncEndpoints = await attach(this.syncService, this.#options.syncEndpoint, "syncEndpoint")
  }

  /**
   * Resolves once `subscribers` subscribers have confirmed (see `waitForSubscribers`). Rejects with
   * ERR_PATTERN_TIMEOUT after `timeout`, ERR_PATTERN_CLOSED if closed meanwhile.
   */
  async waitForSubscribers(): Promise<number> {
    if (!this.#bound) throw localError(PatternErrorCode.INVALID_STATE, "bind() before waitForSubscribers()")
    const { subscribers, mode, helloInterval, timeout } = this.#options
    try {
      const counted = await waitForSubscribers(this.publisher, this.syncService, {
        subscribers,
        ...(mode === undefined ? {} : { mode }),
        ...(helloInterval === undefined ? {} : { helloInterval }),
        ...(timeout === undefined ? {} : { timeout }),
      })
      this.#synchronized = true
      return counted
    } catch (error) {
      throw closedOr(error, this.publisher.closed || this.syncService.closed, "synchronized publisher was closed while waiting for subscribers")
    }
  }

  /** Publishes a message (after `waitForSubscribers()`). */
  send(message: MessageLike | readonly MessageLike[]): Promise<void> {
    if (!this.#synchronized) {
      return Promise.reject(localError(PatternErrorCode.INVALID_STATE, "send() before waitForSubscribers() resolved"))
    }
    return this.publisher.send(message)
  }

  /** Closes both sockets (what was published is still delivered within the PUB's `linger`). */
  close(): void {
    this.publisher.close()
    this.syncService.close()
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.close()
  }
}
