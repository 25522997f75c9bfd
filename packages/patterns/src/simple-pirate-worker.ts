/**
 * The Simple Pirate worker (the Guide, chapter 4, spworker): the Lazy Pirate server adapted to the
 * load-balancing queue. A REQ socket connects to the queue's backend, sends READY (0x01), then answers one
 * request `[client, "", request…]` at a time with `[client, "", reply…]`.
 */
import { Request, type Context, type Message, type MessageLike, type RequestOptions } from "@zmq-ts/core"
import { localError, PatternErrorCode } from "./errors.js"
import { SIMPLE_PIRATE_READY } from "./simple-pirate-queue.js"
import { isClosing } from "./wait.js"

/** What a Pirate worker does with a request's body: the reply (one frame or several), at once or later. */
export type PirateHandler = (
  request: Message[],
) => MessageLike | readonly MessageLike[] | Promise<MessageLike | readonly MessageLike[]>

export interface SimplePirateWorkerOptions {
  /** The queue's backend endpoint (the Guide: "tcp://localhost:5556"). */
  readonly queue: string
  /** Answers one request. A handler that throws ends the worker (a crash): `done()` rejects with its error. */
  readonly handler: PirateHandler
  /** The context of the socket. Default: the shared context. */
  readonly context?: Context
  /** Options of the REQ socket; the Guide sets a printable `routingId` ("%04X-%04X") to trace workers. */
  readonly requestOptions?: Omit<RequestOptions, "context">
}

const EMPTY = Buffer.alloc(0)

/**
 * ```ts
 * const worker = new SimplePirateWorker({ queue: "tcp://localhost:5556", handler: (request) => request })
 * await worker.start()
 * ```
 */
export class SimplePirateWorker implements AsyncDisposable {
  readonly socket: Request
  readonly #options: SimplePirateWorkerOptions
  #handled = 0
  #loop: Promise<void> | undefined
  #failure: { error: unknown } | undefined

  constructor(options: SimplePirateWorkerOptions) {
    if (typeof options.handler !== "function") throw localError(PatternErrorCode.INVALID_OPTION, "handler must be a function")
    this.#options = options
    const context = options.context === undefined ? {} : { context: options.context }
    this.socket = new Request({ ...options.requestOptions, ...context })
  }

  /** How many requests this worker has answered. */
  get handled(): number {
    return this.#handled
  }

  /** Connects, tells the queue it is ready (0x01) and answers requests in the background. */
  async start(): Promise<void> {
    if (this.#loop !== undefined) throw localError(PatternErrorCode.INVALID_STATE, "worker was already started")
    this.socket.connect(this.#options.queue)
    this.#loop = this.#run()
      .then(
        () => undefined,
        (error: unknown) => {
          if (!isClosing(error, this.socket.closed)) this.#failure = { error }
        },
      )
      .finally(() => this.socket.close())
    await Promise.resolve()
  }

  async #run(): Promise<void> {
    //  Tell broker we're ready for work
    await this.socket.send(SIMPLE_PIRATE_READY)
    for (;;) {
      const message = await this.socket.receive()
      // [client, "", request…]; anything else is not a request of the queue's: say again that we are ready.
      if (message.length < 3 || message[1]!.length !== 0) {
        await this.socket.send(SIMPLE_PIRATE_READY)
        continue
      }
      const reply = await this.#options.handler(message.slice(2))
      if (this.socket.closed) return
      const frames: readonly MessageLike[] = Array.isArray(reply) ? reply : [reply as MessageLike]
      await this.socket.send([message[0]!, EMPTY, ...frames])
      this.#handled++
    }
  }

  /** Closes at once (a request being handled is lost: its client retries). */
  close(): void {
    this.socket.close()
  }

  /** Resolves when the worker has stopped; rejects with the handler's error if one ended it. */
  async done(): Promise<void> {
    if (this.#loop !== undefined) await this.#loop
    if (this.#failure !== undefined) throw this.#failure.error
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.close()
    await this.done()
  }
}
