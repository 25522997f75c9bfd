/**
 * The Paranoid Pirate worker (the Guide, chapter 4, ppworker): a DEALER that speaks RFC 6 (PPP) to a
 * Paranoid Pirate queue.
 *
 * Theory of operation:
 *   - On a new socket it sends READY (RFC 6: the first message of every conversation), then HEARTBEAT every
 *     `heartbeatInterval`, also while its handler runs.
 *   - Every message from the queue counts as a sign of life. When nothing came for `liveness` ×
 *     `heartbeatInterval`, the queue is taken for dead (the Guide's "heartbeat failure"): the socket is
 *     closed with linger 0 — the simplest way to discard what was queued for the dead queue — and, after a
 *     reconnect interval that doubles from `reconnectInterval` up to `reconnectIntervalMax` (1 s → 32 s),
 *     a new socket sends READY again (RFC 6: "it MUST send READY again to start a new conversation"). Any
 *     message from the queue resets the interval.
 *   - A REQUEST (address stack, empty frame, body) is answered by `handler` with a REPLY carrying the same
 *     address stack. Requests are answered one at a time, in order; a reply whose socket was replaced
 *     meanwhile is dropped (that queue is gone, and the client retries).
 */
import { Dealer, Poller, type Context, type DealerOptions, type Message, type MessageLike } from "@zmq-ts/core"
import { localError, PatternErrorCode } from "./errors.js"
import {
  PPP_HEARTBEAT_INTERVAL,
  PPP_HEARTBEAT_LIVENESS,
  PPP_RECONNECT_INTERVAL,
  PPP_RECONNECT_INTERVAL_MAX,
  PPP_HEARTBEAT,
  PPP_READY,
  parsePpp,
} from "./paranoid-pirate-protocol.js"
import type { PirateHandler } from "./simple-pirate-worker.js"
import { cancellableSleep, checkCount, isClosing } from "./wait.js"

/** What the worker did, reported synchronously to `onEvent` (the Guide's ppworker prints each). */
export type ParanoidPirateWorkerEvent =
  /** A new socket connected and sent READY (the Guide: "I: worker ready"). */
  | { readonly type: "ready"; readonly routingId: string }
  /** HEARTBEAT sent to the queue (the Guide: "I: worker heartbeat"). */
  | { readonly type: "heartbeat" }
  /** HEARTBEAT received from the queue (the Guide's Python ppworker: "I: Queue heartbeat"). */
  | { readonly type: "queue-heartbeat" }
  /** A request was answered (the Guide: "I: normal reply"). */
  | { readonly type: "reply" }
  /** A message that is not PPP (the Guide: "E: invalid message"). */
  | { readonly type: "invalid"; readonly message: Message[] }
  /** No sign of the queue for liveness × interval; reconnecting after `reconnectIn` ms. */
  | { readonly type: "heartbeat-failure"; readonly reconnectIn: number }

export interface ParanoidPirateWorkerOptions {
  /** The queue's backend endpoint (the Guide: "tcp://localhost:5556"). */
  readonly queue: string
  /** Answers one request's body. A handler that throws ends the worker (a crash): `done()` rejects with it. */
  readonly handler: PirateHandler
  /** HEARTBEAT_INTERVAL: ms between heartbeats. Default 1000. */
  readonly heartbeatInterval?: number
  /** HEARTBEAT_LIVENESS: intervals without a sign of the queue before it counts as dead. Default 3. */
  readonly liveness?: number
  /** INTERVAL_INIT: ms to wait before the first reconnect. Default 1000. */
  readonly reconnectInterval?: number
  /** INTERVAL_MAX: the reconnect wait doubles up to this many ms. Default 32000. */
  readonly reconnectIntervalMax?: number
  /**
   * The routing id of each socket, given how many sockets came before it (0 for the first). Each socket
   * needs a new one: the queue's ROUTER may still hold the old connection. Default: the ROUTER picks one.
   */
  readonly routingId?: (generation: number) => string
  /** The context of the sockets. Default: the shared context. */
  readonly context?: Context
  /** Options of each DEALER socket (`linger` is always 0). */
  readonly dealerOptions?: Omit<DealerOptions, "context" | "routingId" | "linger">
  /** Called synchronously on every `ParanoidPirateWorkerEvent`. */
  readonly onEvent?: (event: ParanoidPirateWorkerEvent) => void
}

const now = (): number => performance.now()

/**
 * ```ts
 * const worker = new ParanoidPirateWorker({ queue: "tcp://localhost:5556", handler: (request) => request })
 * await worker.start()
 * // …
 * worker.close()
 * ```
 */
export class ParanoidPirateWorker implements AsyncDisposable {
  readonly heartbeatInterval: number
  readonly liveness: number
  readonly reconnectInterval: number
  readonly reconnectIntervalMax: number
  readonly #options: ParanoidPirateWorkerOptions
  #socket: Dealer | undefined
  #generation = 0
  #closed = false
  #handled = 0
  #loop: Promise<void> | undefined
  #failure: { error: unknown } | undefined
  #pause: { cancel(): void } | undefined
  #wake: (() => void) | undefined
  /** Requests waiting for the handler, with the socket they came on. */
  readonly #requests: Array<{ socket: Dealer; address: Message[]; body: Message[] }> = []
  #handling = false

  constructor(options: ParanoidPirateWorkerOptions) {
    if (typeof options.handler !== "function") throw localError(PatternErrorCode.INVALID_OPTION, "handler must be a function")
    this.#options = options
    this.heartbeatInterval = checkCount("heartbeatInterval", options.heartbeatInterval ?? PPP_HEARTBEAT_INTERVAL, 1)
    this.liveness = checkCount("liveness", options.liveness ?? PPP_HEARTBEAT_LIVENESS, 1)
    this.reconnectInterval = checkCount("reconnectInterval", options.reconnectInterval ?? PPP_RECONNECT_INTERVAL, 0)
    this.reconnectIntervalMax = checkCount(
      "reconnectIntervalMax",
      options.reconnectIntervalMax ?? Math.max(PPP_RECONNECT_INTERVAL_MAX, this.reconnectInterval),
      this.reconnectInterval,
    )
  }

  /** The DEALER in use now (a new one after each reconnect). */
  get socket(): Dealer | undefined {
    return this.#socket
  }

  /** How many requests this worker has answered. */
  get handled(): number {
    return this.#handled
  }

  /** How many sockets the worker has opened (1 + the reconnects). */
  get connections(): number {
    return this.#generation
  }

  /** Connects, sends READY, and serves (heartbeating, reconnecting) in the background until `close()`. */
  async start(): Promise<void> {
    if (this.#loop !== undefined || this.#closed) throw localError(PatternErrorCode.INVALID_STATE, "worker was already started")
    const first = this.#open()
    this.#loop = this.#run(first).then(
      () => undefined,
      (error: unknown) => {
        // A handler's failure closed the socket under the loop: keep the handler's error, not ETERM.
        if (this.#failure === undefined && !(this.#closed && isClosing(error, true))) this.#failure = { error }
        this.#shut()
      },
    )
    await Promise.resolve()
  }

  #open(): Dealer {
    const context = this.#options.context === undefined ? {} : { context: this.#options.context }
    const routingId = this.#options.routingId?.(this.#generation)
    this.#generation++
    const socket = new Dealer({ ...this.#options.dealerOptions, ...context, ...(routingId === undefined ? {} : { routingId }), linger: 0 })
    socket.connect(this.#options.queue)
    //  Tell queue we're ready for work
    socket.send(PPP_READY).catch(() => {})
    this.#socket = socket
    this.#options.onEvent?.({ type: "ready", routingId: routingId ?? "" })
    return socket
  }

  async #run(first: Dealer): Promise<void> {
    const { heartbeatInterval, liveness } = this
    let socket = first
    let interval = this.reconnectInterval
    let heardAt = now()
    let heartbeatAt = now() + heartbeatInterval
    let poller = new Poller<Dealer>().add(socket)
    while (!this.#closed) {
      const deadAt = heardAt + heartbeatInterval * liveness
      const wait = Math.max(0, Math.ceil(Math.min(heartbeatAt, deadAt) - now()))
      const ready = socket.readable || (await this.#poll(poller, wait))
      if (this.#closed) return
      if (this.#failure !== undefined) throw this.#failure.error
      if (ready) {
        const message = await socket.receive()
        heardAt = now()
        interval = this.reconnectInterval
        const ppp = parsePpp(message)
        if (ppp.type === "heartbeat") this.#options.onEvent?.({ type: "queue-heartbeat" })
        else if (ppp.type === "envelope") this.#enqueue({ socket, address: ppp.address, body: ppp.body })
        else this.#options.onEvent?.({ type: "invalid", message })
      } else if (now() >= heardAt + heartbeatInterval * liveness) {
        //  The queue is gone: destroy the socket (dropping what it queued), wait, and start again.
        this.#options.onEvent?.({ type: "heartbeat-failure", reconnectIn: interval })
        socket.close()
        const pause = cancellableSleep(interval)
        this.#pause = pause
        await pause.done
        this.#pause = undefined
        if (this.#closed) return
        interval = Math.min(interval * 2, this.reconnectIntervalMax)
        socket = this.#open()
        poller = new Poller<Dealer>().add(socket)
        heardAt = now()
        heartbeatAt = now() + heartbeatInterval
        continue
      }
      //  Send heartbeat to queue if it's time
      if (now() >= heartbeatAt) {
        heartbeatAt = now() + heartbeatInterval
        await socket.send(PPP_HEARTBEAT)
        this.#options.onEvent?.({ type: "heartbeat" })
      }
    }
  }

  /** Polls, but wakes early when the handler chain has something to report (a failure). */
  async #poll(poller: Poller<Dealer>, wait: number): Promise<boolean> {
    const woken = new Promise<false>((resolve) => (this.#wake = () => resolve(false)))
    try {
      return await Promise.race([poller.poll(wait).then((items) => items.length > 0), woken])
    } finally {
      this.#wake = undefined
    }
  }

  #enqueue(request: { socket: Dealer; address: Message[]; body: Message[] }): void {
    this.#requests.push(request)
    if (!this.#handling) void this.#handle()
  }

  async #handle(): Promise<void> {
    this.#handling = true
    try {
      while (this.#requests.length > 0 && !this.#closed) {
        const { socket, address, body } = this.#requests.shift()!
        const reply = await this.#options.handler(body)
        // The queue this request came from was given up meanwhile: it has no one to give the reply to.
        if (socket !== this.#socket || socket.closed || this.#closed) continue
        const frames: readonly MessageLike[] = Array.isArray(reply) ? reply : [reply as MessageLike]
        await socket.send([...address, Buffer.alloc(0), ...frames])
        this.#handled++
        this.#options.onEvent?.({ type: "reply" })
      }
    } catch (error) {
      if (!isClosing(error, this.#closed || this.#socket?.closed === true)) {
        this.#failure ??= { error }
        this.#shut()
        this.#wake?.()
      }
    } finally {
      this.#handling = false
    }
  }

  #shut(): void {
    this.#requests.length = 0
    this.#socket?.close()
    this.#pause?.cancel()
  }

  /** Stops at once: closes the socket (a request being handled is lost; its client retries). */
  close(): void {
    if (this.#closed) return
    this.#closed = true
    this.#shut()
    this.#wake?.()
  }

  /** Resolves when the worker has stopped; rejects with the handler's error if one ended it (a crash). */
  async done(): Promise<void> {
    if (this.#loop !== undefined) await this.#loop
    if (this.#failure !== undefined) throw this.#failure.error
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.close()
    await this.done()
  }
}
