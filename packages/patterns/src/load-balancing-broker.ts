import { Poller, Router, ZmqError, type Context, type Message, type RouterOptions } from "@zmq-ts/core"
import { attach, type Attachments } from "./attachment.js"
import { BYE_FRAME, EMPTY_FRAME, LEAVE_FRAME, READY_FRAME } from "./load-balancing-signals.js"
import { ServiceBase } from "./service.js"

/** What the broker did, reported synchronously to `onEvent` (for logs, metrics and tests). */
export type LoadBalancingEvent =
  /** A worker announced READY and joined the idle queue. */
  | { readonly type: "worker:ready"; readonly worker: Buffer }
  /** A worker left gracefully (it was sent BYE). */
  | { readonly type: "worker:leave"; readonly worker: Buffer }
  /** A worker was found gone when a request was routed to it; the request went to the next idle worker. */
  | { readonly type: "worker:lost"; readonly worker: Buffer }
  /** A client's request was handed to an idle worker (the least recently used). */
  | { readonly type: "dispatch"; readonly worker: Buffer; readonly client: Buffer }
  /** A worker's reply was routed back to its client. */
  | { readonly type: "reply"; readonly worker: Buffer; readonly client: Buffer }

export interface LoadBalancingBrokerOptions {
  /** Where the ROUTER facing clients (REQ) goes; a string binds (the Guide: "ipc://frontend.ipc"). */
  readonly frontend: Attachments
  /** Where the ROUTER facing workers (REQ) goes; a string binds (the Guide: "ipc://backend.ipc"). */
  readonly backend: Attachments
  /** The context of both sockets. Default: the shared context. */
  readonly context?: Context
  /** Options of the frontend ROUTER. */
  readonly frontendOptions?: Omit<RouterOptions, "context">
  /** Options of the backend ROUTER (`mandatory` is always on: it is how vanished workers are noticed). */
  readonly backendOptions?: Omit<RouterOptions, "context" | "mandatory">
  /** Called synchronously on every `LoadBalancingEvent`. */
  readonly onEvent?: (event: LoadBalancingEvent) => void
}

interface BusyWorker {
  readonly id: Buffer
  readonly client: Buffer
  leaving: boolean
}

const key = (id: Buffer): string => id.toString("latin1")

/**
 * The Guide's load-balancing broker (chapter 3, lbbroker): clients send requests to the frontend ROUTER,
 * workers (REQ) announce READY to the backend ROUTER, and each request goes to the least recently used
 * idle worker; the reply goes back to the client that asked.
 *
 *   clients (REQ) ──▶ frontend ROUTER ══ LRU queue of idle workers ══ backend ROUTER ◀── workers (REQ)
 *
 * As in the Guide, the frontend is read only while a worker is idle, so requests wait in the frontend (up
 * to its high-water mark) rather than in the broker. A worker holds one request at a time: it is idle from
 * READY (or its reply) until the broker hands it a request.
 *
 * Workers may join at any time (READY) and leave at any time: gracefully with LEAVE (`LoadBalancingWorker`
 * does it on `stop()`), then no request is lost; a worker that vanishes while idle is noticed when a
 * request is routed to it (backend `mandatory`), and that request goes to the next idle worker. A worker
 * that vanishes while holding a request loses it: detecting that needs heartbeats (the Guide's Paranoid
 * Pirate, chapter 4).
 */
export class LoadBalancingBroker extends ServiceBase {
  readonly frontend: Router
  readonly backend: Router
  readonly #options: LoadBalancingBrokerOptions
  /** Idle workers, least recently used first. */
  readonly #idle: Buffer[] = []
  readonly #idleKeys = new Set<string>()
  readonly #busy = new Map<string, BusyWorker>()
  /** Requests taken while a worker was idle, whose worker turned out to be gone: served first. */
  readonly #pending: Message[][] = []
  #frontendEndpoints: string[] = []
  #backendEndpoints: string[] = []

  constructor(options: LoadBalancingBrokerOptions) {
    super()
    this.#options = options
    const context = options.context === undefined ? {} : { context: options.context }
    this.frontend = new Router({ ...options.frontendOptions, ...context })
    this.backend = new Router({ ...options.backendOptions, mandatory: true, ...context })
  }

  /** The endpoints the frontend is bound to, wildcards resolved (after `start()`). */
  get frontendEndpoints(): readonly string[] {
    return this.#frontendEndpoints
  }

  /** The endpoints the backend is bound to, wildcards resolved (after `start()`). */
  get backendEndpoints(): readonly string[] {
    return this.#backendEndpoints
  }

  /** How many workers are idle now. */
  get idleWorkers(): number {
    return this.#idle.length
  }

  /** How many workers hold a request now. */
  get busyWorkers(): number {
    return this.#busy.size
  }

  protected async open(): Promise<void> {
    this.#frontendEndpoints = await attach(this.frontend, this.#options.frontend, "frontend")
    this.#backendEndpoints = await attach(this.backend, this.#options.backend, "backend")
  }

  protected async loop(): Promise<void> {
    const { frontend, backend } = this
    const poller = new Poller<Router>().add(backend)
    for (;;) {
      // Poll frontend only if we have available workers (the Guide's lbbroker).
      if (this.#idle.length > 0 && this.#pending.length === 0) poller.add(frontend)
      else poller.remove(frontend)
      for (const item of await poller.poll()) {
        if (item.socket === backend) await this.#fromWorker(await backend.receive())
        else if (this.#idle.length > 0) await this.#dispatch(await frontend.receive())
      }
    }
  }

  protected shut(): void {
    this.frontend.close()
    this.backend.close()
  }

  #emit(event: LoadBalancingEvent): void {
    this.#options.onEvent?.(event)
  }

  /** [worker, "", "READY" | "LEAVE"] or [worker, "", client, "", reply…]. Anything else is dropped. */
  async #fromWorker(message: Message[]): Promise<void> {
    const worker = message[0]!
    if (message.length < 3 || message[1]!.length !== 0) return
    const id = key(worker)
    if (message.length === 3) {
      const signal = message[2]!
      if (signal.equals(READY_FRAME)) {
        if (this.#idleKeys.has(id) || this.#busy.has(id)) return
        this.#makeIdle(worker)
        this.#emit({ type: "worker:ready", worker })
        await this.#drainPending()
      } else if (signal.equals(LEAVE_FRAME)) {
        const busy = this.#busy.get(id)
        if (busy !== undefined) {
          busy.leaving = true // BYE follows its reply
          return
        }
        if (this.#idleKeys.delete(id)) this.#idle.splice(this.#idle.findIndex((w) => key(w) === id), 1)
        await this.#bye(worker)
      }
      return
    }
    if (message.length < 5 || message[3]!.length !== 0) return
    const busy = this.#busy.get(id)
    if (busy === undefined) return // not a request of ours
    this.#busy.delete(id)
    const client = message[2]!
    await this.#toClient([client, EMPTY_FRAME, ...message.slice(4)])
    this.#emit({ type: "reply", worker, client })
    if (busy.leaving) {
      await this.#bye(worker)
      return
    }
    this.#makeIdle(worker)
    await this.#drainPending()
  }

  #makeIdle(worker: Buffer): void {
    this.#idle.push(worker)
    this.#idleKeys.add(key(worker))
  }

  /** [client, "", request…] from the frontend: to the least recently used idle worker. */
  async #dispatch(request: Message[]): Promise<void> {
    if (request.length < 3 || request[1]!.length !== 0) return // not from a REQ-style client
    this.#pending.push(request)
    await this.#drainPending()
  }

  async #drainPending(): Promise<void> {
    while (this.#pending.length > 0 && this.#idle.length > 0) {
      const request = this.#pending[0]!
      const worker = this.#idle.shift()!
      this.#idleKeys.delete(key(worker))
      const client = request[0]!
      try {
        await this.backend.send([worker, EMPTY_FRAME, client, EMPTY_FRAME, ...request.slice(2)])
      } catch (error) {
        if (ZmqError.isInstance(error) && error.code === "EHOSTUNREACH") {
          this.#emit({ type: "worker:lost", worker })
          continue
        }
        throw error
      }
      this.#pending.shift()
      this.#busy.set(key(worker), { id: worker, client, leaving: false })
      this.#emit({ type: "dispatch", worker, client })
    }
  }

  async #bye(worker: Buffer): Promise<void> {
    try {
      await this.backend.send([worker, EMPTY_FRAME, BYE_FRAME])
    } catch (error) {
      if (!(ZmqError.isInstance(error) && error.code === "EHOSTUNREACH")) throw error
    }
    this.#emit({ type: "worker:leave", worker })
  }

  async #toClient(reply: Message[]): Promise<void> {
    try {
      await this.frontend.send(reply)
    } catch (error) {
      // The client left (with a `mandatory` frontend): its reply has nowhere to go.
      if (!(ZmqError.isInstance(error) && error.code === "EHOSTUNREACH")) throw error
    }
  }
}
