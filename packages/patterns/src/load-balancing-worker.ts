import { Request, type Context, type Message, type MessageLike, type RequestOptions } from "@zmq-ts/core"
import { localError, PatternErrorCode } from "./errors.js"
import { BYE_FRAME, EMPTY_FRAME, LEAVE_FRAME, READY_FRAME } from "./load-balancing-signals.js"
import { cancellableSleep, checkTimeout, isClosing } from "./wait.js"

/** What a worker does with a request: the reply (one frame or several), at once or later. */
export type RequestHandler = (
  request: Message[],
) => MessageLike | readonly MessageLike[] | Promise<MessageLike | readonly MessageLike[]>

/** How long `stop()` waits for the broker's BYE before closing anyway. Default 10 s. */
export const DEFAULT_LEAVE_TIMEOUT = 10_000

export interface LoadBalancingWorkerOptions {
  /** The broker's backend endpoint (the REQ connects to it). */
  readonly broker: string
  /** Answers one request. A handler that throws ends the worker: `done()` rejects with its error. */
  readonly handler: RequestHandler
  /** The context of the socket. Default: the shared context. */
  readonly context?: Context
  /** Options of the REQ socket (`relaxed` is always on: LEAVE is sent while a request may be on its way). */
  readonly requestOptions?: Omit<RequestOptions, "context" | "relaxed" | "correlate">
}

/**
 * A worker of a `LoadBalancingBroker` (the Guide's lbbroker worker): a REQ socket that announces READY,
 * then answers one request at a time with `handler`.
 *
 * ```ts
 * const worker = new LoadBalancingWorker({ broker: "tcp://localhost:5556", handler: ([body]) => `OK ${body}` })
 * await worker.start()
 * // …
 * await worker.stop() // LEAVE → answers what is on its way → BYE → closed
 * ```
 *
 * Set `requestOptions.routingId` to name the worker (the broker's events show it).
 */
export class LoadBalancingWorker implements AsyncDisposable {
  readonly socket: Request
  readonly #options: LoadBalancingWorkerOptions
  #started = false
  #leaving = false
  #leaveSent = false
  #busy = false
  #handled = 0
  #loop: Promise<void> | undefined
  #failure: { error: unknown } | undefined

  constructor(options: LoadBalancingWorkerOptions) {
    if (typeof options.handler !== "function") throw localError(PatternErrorCode.INVALID_OPTION, "handler must be a function")
    this.#options = options
    const context = options.context === undefined ? {} : { context: options.context }
    this.socket = new Request({ ...options.requestOptions, relaxed: true, correlate: false, ...context })
  }

  /** How many requests this worker has answered. */
  get handled(): number {
    return this.#handled
  }

  /** Connects, announces READY and starts answering in the background. */
  async start(): Promise<void> {
    if (this.#started) throw localError(PatternErrorCode.INVALID_STATE, "worker was already started")
    this.#started = true
    this.socket.connect(this.#options.broker)
    await this.socket.send(READY_FRAME)
    this.#loop = this.#run().then(
      () => undefined,
      (error: unknown) => {
        if (!isClosing(error, this.socket.closed)) this.#failure = { error }
      },
    ).finally(() => this.socket.close())
  }

  async #run(): Promise<void> {
    for (;;) {
      const message = await this.socket.receive()
      if (message.length === 1 && message[0]!.equals(BYE_FRAME)) return
      if (message.length < 3 || message[1]!.length !== 0) {
        await this.socket.send(READY_FRAME) // not a request: say again that we are idle
        continue
      }
      const client = message[0]!
      this.#busy = true
      try {
        const reply = await this.#options.handler(message.slice(2))
        const frames: readonly MessageLike[] = Array.isArray(reply) ? reply : [reply as MessageLike]
        await this.socket.send([client, EMPTY_FRAME, ...frames])
      } finally {
        this.#busy = false
      }
      this.#handled++
      if (this.#leaving) await this.#sendLeave()
    }
  }

  async #sendLeave(): Promise<void> {
    if (this.#leaveSent) return
    this.#leaveSent = true
    await this.socket.send(LEAVE_FRAME)
  }

  /**
   * Leaves gracefully: tells the broker (LEAVE), answers any request already on its way, and closes once the
   * broker says BYE — or after `timeout` ms (default 10 s; -1 waits forever), e.g. when the broker is gone.
   */
  async stop(options: { readonly timeout?: number } = {}): Promise<void> {
    const timeout = checkTimeout("timeout", options.timeout ?? DEFAULT_LEAVE_TIMEOUT)
    if (this.#loop === undefined) {
      this.close()
      return
    }
    if (!this.#leaving && !this.socket.closed) {
      this.#leaving = true
      // Idle (waiting for a request): say so now. Busy: the loop says so right after its reply.
      if (!this.#busy) await this.#sendLeave().catch(() => {})
    }
    if (timeout < 0) await this.#loop
    else {
      const pause = cancellableSleep(timeout)
      await Promise.race([this.#loop, pause.done])
      pause.cancel()
    }
    this.close()
    await this.done()
  }

  /** Closes at once, without telling the broker (a request on its way is lost). */
  close(): void {
    this.socket.close()
  }

  /** Resolves when the worker has stopped; rejects with the handler's error if one ended it. */
  async done(): Promise<void> {
    if (this.#loop !== undefined) await this.#loop
    if (this.#failure !== undefined) throw this.#failure.error
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop()
  }
}
