/**
 * The Simple Pirate queue (the Guide, chapter 4, "Basic Reliable Queuing"): the load-balancing broker with no
 * reliability of its own — it relies on Lazy Pirate clients to retry.
 *
 *   LazyPirateClient (REQ) ──▶ frontend ROUTER ══ LRU queue of workers ══ backend ROUTER ◀── worker (REQ)
 *
 * A worker's REQ first sends READY (the single byte 0x01, the Guide's WORKER_READY "\001"); each message from
 * a worker puts it at the end of the queue of idle workers; a READY is dropped, anything else is a reply
 * `[client, "", reply…]` and goes to the frontend. The frontend is read only while a worker is idle, and
 * each request goes to the least recently used one as `[worker, "", client, "", request…]`.
 *
 * As in the Guide, a worker that dies is not noticed: a request routed to it is lost and its client retries
 * (Paranoid Pirate fixes that with heartbeats).
 */
import { Poller, Router, type Context, type Message, type RouterOptions } from "@zmq-ts/core"
import { attach, type Attachments } from "./attachment.js"
import { ServiceBase } from "./service.js"

/** The Guide's WORKER_READY ("\001"): a Simple Pirate worker's first message. */
export const SIMPLE_PIRATE_READY: Buffer = Buffer.from([0x01])

const EMPTY = Buffer.alloc(0)

/** What the queue did, reported synchronously to `onEvent`. */
export type SimplePirateEvent =
  /** A worker sent READY and joined the queue of idle workers. */
  | { readonly type: "worker:ready"; readonly worker: Buffer }
  /** A client's request went to the least recently used idle worker. */
  | { readonly type: "dispatch"; readonly worker: Buffer; readonly client: Buffer }
  /** A worker's reply went back to its client; the worker is idle again. */
  | { readonly type: "reply"; readonly worker: Buffer; readonly client: Buffer }

export interface SimplePirateQueueOptions {
  /** Where the ROUTER facing clients goes; a string binds (the Guide: "tcp://*:5555"). */
  readonly frontend: Attachments
  /** Where the ROUTER facing workers goes; a string binds (the Guide: "tcp://*:5556"). */
  readonly backend: Attachments
  /** The context of both sockets. Default: the shared context. */
  readonly context?: Context
  /** Options of the frontend ROUTER. */
  readonly frontendOptions?: Omit<RouterOptions, "context">
  /** Options of the backend ROUTER. */
  readonly backendOptions?: Omit<RouterOptions, "context">
  /** Called synchronously on every `SimplePirateEvent`. */
  readonly onEvent?: (event: SimplePirateEvent) => void
}

const key = (id: Buffer): string => id.toString("latin1")

/** The Guide's spqueue as a `Service`: `start()` binds and serves in the background, `stop()` closes. */
export class SimplePirateQueue extends ServiceBase {
  readonly frontend: Router
  readonly backend: Router
  readonly #options: SimplePirateQueueOptions
  /** Idle workers, least recently used first. */
  readonly #workers: Buffer[] = []
  #frontendEndpoints: string[] = []
  #backendEndpoints: string[] = []

  constructor(options: SimplePirateQueueOptions) {
    super()
    this.#options = options
    const context = options.context === undefined ? {} : { context: options.context }
    this.frontend = new Router({ ...options.frontendOptions, ...context })
    this.backend = new Router({ ...options.backendOptions, ...context })
  }

  /** The endpoints the frontend is bound to, wildcards resolved (after `start()`). */
  get frontendEndpoints(): readonly string[] {
    return this.#frontendEndpoints
  }

  /** The endpoints the backend is bound to, wildcards resolved (after `start()`). */
  get backendEndpoints(): readonly string[] {
    return this.#backendEndpoints
  }

  /** How many workers are waiting for a request. */
  get idleWorkers(): number {
    return this.#workers.length
  }

  protected async open(): Promise<void> {
    this.#frontendEndpoints = await attach(this.frontend, this.#options.frontend, "frontend")
    this.#backendEndpoints = await attach(this.backend, this.#options.backend, "backend")
  }

  protected async loop(): Promise<void> {
    const { frontend, backend } = this
    const poller = new Poller<Router>().add(backend)
    for (;;) {
      //  Poll frontend only if we have available workers
      if (this.#workers.length > 0) poller.add(frontend)
      else poller.remove(frontend)
      for (const item of await poller.poll()) {
        if (item.socket === backend) await this.#fromWorker(await backend.receive())
        else if (this.#workers.length > 0) await this.#dispatch(await frontend.receive())
      }
    }
  }

  protected shut(): void {
    this.frontend.close()
    this.backend.close()
  }

  /** [worker, "", READY] or [worker, "", client, "", reply…]; other shapes are dropped. */
  async #fromWorker(message: Message[]): Promise<void> {
    const worker = message[0]!
    if (message.length < 3 || message[1]!.length !== 0) return
    if (message.length === 3 && message[2]!.equals(SIMPLE_PIRATE_READY)) {
      this.#makeIdle(worker)
      this.#options.onEvent?.({ type: "worker:ready", worker })
      return
    }
    if (message.length < 5 || message[3]!.length !== 0) return
    this.#makeIdle(worker)
    const client = message[2]!
    await this.frontend.send(message.slice(2))
    this.#options.onEvent?.({ type: "reply", worker, client })
  }

  #makeIdle(worker: Buffer): void {
    // A worker is idle once: a READY repeated by the same worker does not make it count twice.
    const id = key(worker)
    const index = this.#workers.findIndex((w) => key(w) === id)
    if (index >= 0) this.#workers.splice(index, 1)
    this.#workers.push(worker)
  }

  /**
   * Takes the worker for the next request off the idle list (the Guide's zlist_pop: the least recently
   * used). The hook a test overrides with a broken queue, to check that its properties catch it.
   */
  protected nextWorker(idle: Buffer[]): Buffer {
    return idle.shift()!
  }

  /** [client, "", request…] → [worker, "", client, "", request…] to the least recently used worker. */
  async #dispatch(request: Message[]): Promise<void> {
    if (request.length < 3 || request[1]!.length !== 0) return
    const worker = this.nextWorker(this.#workers)
    const client = request[0]!
    await this.backend.send([worker, EMPTY, ...request])
    this.#options.onEvent?.({ type: "dispatch", worker, client })
  }
}
