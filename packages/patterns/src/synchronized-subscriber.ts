import { randomBytes } from "node:crypto"
import {
  Request,
  Subscriber,
  type Context,
  type Message,
  type RequestOptions,
  type SubscriberOptions,
} from "@zmq-ts/core"
import type { Frame } from "./envelope.js"
import { localError, PatternErrorCode } from "./errors.js"
import { checkMode, DEFAULT_SETTLE_DELAY, DEFAULT_SYNC_MODE, isSyncHello, SYNC_HELLO, SyncMode } from "./synchronization.js"
import { cancellableSleep, checkTimeout, closedOr, deadlineAfter, isClosing, receiveBefore, remaining } from "./wait.js"

export interface JoinPublisherOptions {
  /** "hello" (the Guide's more robust model) or "handshake" (syncsub). Default "hello"; use the publisher's. */
  readonly mode?: SyncMode
  /** "handshake" mode: ms to wait after subscribing before confirming. Default 1000 (DEFAULT_SETTLE_DELAY). */
  readonly settleDelay?: number
  /** ms to wait in all; -1 waits forever. Default -1. ERR_PATTERN_TIMEOUT when it runs out. */
  readonly timeout?: number
  /** What identifies this subscriber to the publisher, so it is counted once. Default: 8 random bytes. */
  readonly token?: Frame
}

/**
 * The subscriber's half of node coordination, on sockets you own: `subscriber` must already be connected
 * and subscribed to what it wants, `syncClient` (a REQ) connected to the publisher's sync service. In
 * "hello" mode, subscribes to SYNC_HELLO, waits for a hello, confirms, and cancels that subscription; in
 * "handshake" mode waits `settleDelay`, then confirms. Resolves once the publisher has answered.
 *
 * Resolves with the data messages that arrived before the hello (there are none unless the publisher was
 * already publishing): handle them first. Hellos may still arrive afterwards for a subscription to `""`:
 * skip them with `isSyncHello`.
 */
export async function joinPublisher(
  subscriber: Subscriber,
  syncClient: Request,
  options: JoinPublisherOptions = {},
): Promise<Message[][]> {
  const mode = checkMode(options.mode ?? DEFAULT_SYNC_MODE)
  const settle = checkTimeout("settleDelay", options.settleDelay ?? DEFAULT_SETTLE_DELAY)
  const deadline = deadlineAfter(checkTimeout("timeout", options.timeout ?? -1))
  const token = options.token ?? randomBytes(8)
  const early: Message[][] = []
  if (mode === SyncMode.hello) {
    subscriber.subscribe(SYNC_HELLO)
    try {
      for (;;) {
        const message = await receiveBefore(subscriber, deadline, "a hello from the publisher")
        if (isSyncHello(message)) break
        early.push(message)
      }
    } catch (error) {
      if (!subscriber.closed) subscriber.unsubscribe(SYNC_HELLO)
      throw error
    }
  } else {
    const left = remaining(deadline)
    const pause = left === -1 ? settle : Math.min(settle, left)
    await cancellableSleep(pause).done
  }
  await syncClient.send(token)
  await receiveBefore(syncClient, deadline, "the publisher's answer")
  if (mode === SyncMode.hello) subscriber.unsubscribe(SYNC_HELLO)
  return early
}

export interface SynchronizedSubscriberOptions extends JoinPublisherOptions {
  /** The publisher's data endpoint (the SUB connects to it). */
  readonly endpoint: string
  /** The publisher's sync endpoint (the REQ connects to it). */
  readonly syncEndpoint: string
  /** What to subscribe to. Default `[""]`, everything. */
  readonly topics?: readonly Frame[]
  /** The context of both sockets. Default: the shared context. */
  readonly context?: Context
  /** Options of the SUB socket. */
  readonly subscriberOptions?: Omit<SubscriberOptions, "context">
  /** Options of the REQ socket. */
  readonly syncOptions?: Omit<RequestOptions, "context">
}

/**
 * A SUB socket that tells a `SynchronizedPublisher` it is ready (the Guide's syncsub, or its more robust
 * model with hellos, the default), so that it receives everything published afterwards:
 *
 * ```ts
 * await using sub = new SynchronizedSubscriber({ endpoint: "tcp://localhost:5561", syncEndpoint: "tcp://localhost:5562" })
 * await sub.join()
 * for await (const [update] of sub) if (update.toString() === "END") break
 * ```
 *
 * `receive()` and iteration skip the synchronisation's hellos. The REQ socket is closed once joined.
 */
export class SynchronizedSubscriber implements AsyncDisposable, AsyncIterable<Message[]> {
  /** The SUB socket. Read it through `receive()`, which skips hellos. */
  readonly subscriber: Subscriber
  /** The REQ socket of the synchronisation (closed once joined). */
  readonly syncClient: Request
  readonly #options: SynchronizedSubscriberOptions
  #early: Message[][] = []
  #joining = false
  #joined = false

  constructor(options: SynchronizedSubscriberOptions) {
    checkTimeout("timeout", options.timeout ?? -1)
    checkTimeout("settleDelay", options.settleDelay ?? DEFAULT_SETTLE_DELAY)
    checkMode(options.mode ?? DEFAULT_SYNC_MODE)
    this.#options = options
    const context = options.context === undefined ? {} : { context: options.context }
    this.subscriber = new Subscriber({ ...options.subscriberOptions, ...context })
    this.syncClient = new Request({ ...options.syncOptions, ...context })
  }

  /** True once `join()` has resolved. */
  get joined(): boolean {
    return this.#joined
  }

  /**
   * Connects, subscribes and synchronises with the publisher. Rejects with ERR_PATTERN_TIMEOUT after
   * `timeout`, ERR_PATTERN_CLOSED if closed meanwhile.
   */
  async join(): Promise<void> {
    if (this.#joining) throw localError(PatternErrorCode.INVALID_STATE, "join() was already called")
    this.#joining = true
    const { endpoint, syncEndpoint, topics = [""], mode, settleDelay, timeout, token } = this.#options
    try {
      // Handshake mode: settle only once the SUB's connection is up, so its subscriptions are on the wire.
      // An inproc SUB has no handshake (nor its event, as in libzmq): its pipe is there once connect()
      // returns, and its subscriptions reach the publisher when it binds.
      const deadline = deadlineAfter(checkTimeout("timeout", timeout ?? -1))
      const handshake = checkMode(mode ?? DEFAULT_SYNC_MODE) === SyncMode.handshake && !endpoint.startsWith("inproc://")
      const connected = handshake ? this.#connected(remaining(deadline)) : undefined
      connected?.catch(() => {})
      this.subscriber.connect(endpoint)
      for (const topic of topics) this.subscriber.subscribe(typeof topic === "string" ? topic : Buffer.from(topic))
      this.syncClient.connect(syncEndpoint)
      if (connected !== undefined) await connected
      this.#early = await joinPublisher(this.subscriber, this.syncClient, {
        ...(mode === undefined ? {} : { mode }),
        ...(settleDelay === undefined ? {} : { settleDelay }),
        timeout: remaining(deadline),
        ...(token === undefined ? {} : { token }),
      })
      this.#joined = true
      this.syncClient.close()
    } catch (error) {
      throw closedOr(error, this.subscriber.closed, "synchronized subscriber was closed while joining")
    }
  }

  /** Resolves at the SUB's first handshake (it happens during or after `connect()`). */
  #connected(timeout: number): Promise<void> {
    const events = this.subscriber.events
    return new Promise((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined
      const finish = (): void => {
        events.off("handshake", onHandshake).off("end", onEnd)
        if (timer !== undefined) clearTimeout(timer)
      }
      const onHandshake = (): void => {
        finish()
        resolve()
      }
      const onEnd = (): void => {
        finish()
        reject(localError(PatternErrorCode.CLOSED, "synchronized subscriber was closed while joining"))
      }
      events.on("handshake", onHandshake).on("end", onEnd)
      if (timeout >= 0) {
        timer = setTimeout(() => {
          finish()
          reject(localError(PatternErrorCode.TIMEOUT, "timed out waiting for the subscriber's connection"))
        }, timeout)
      }
    })
  }

  /** The next data message (hellos skipped). */
  async receive(): Promise<Message[]> {
    if (!this.#joined) throw localError(PatternErrorCode.INVALID_STATE, "join() before receive()")
    const early = this.#early.shift()
    if (early !== undefined) return early
    for (;;) {
      const message = await this.subscriber.receive()
      if (!isSyncHello(message)) return message
    }
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Message[], undefined> {
    for (;;) {
      try {
        yield await this.receive()
      } catch (error) {
        if (isClosing(error, this.subscriber.closed)) return undefined
        throw error
      }
    }
  }

  close(): void {
    this.subscriber.close()
    this.syncClient.close()
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.close()
  }
}
