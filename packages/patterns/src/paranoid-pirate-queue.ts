/**
 * The Paranoid Pirate queue (the Guide, chapter 4, "Robust Reliable Queuing"): a load-balancing queue that
 * speaks RFC 6 (PPP) to DEALER workers, heartbeating both ways so that dead workers are purged and workers
 * notice a dead (or restarted) queue.
 *
 *   LazyPirateClient (REQ) ──▶ frontend ROUTER ══ LRU queue + heartbeats ══ backend ROUTER ◀── worker (DEALER)
 *
 * Theory of operation:
 *   - A worker exists for the queue from its READY (RFC 6: "The first message in any conversation MUST be
 *     W:READY") until it expires. Every message from it moves its expiry to now + liveness × interval.
 *   - Idle workers wait in least-recently-used order; each client request `[client, "", body…]` goes to the
 *     first as `[worker, client, "", body…]` (RFC 6 REQUEST: the address stack, the null terminator, the
 *     content), and the worker is busy until its REPLY, which goes back to the client without the worker's
 *     id. As in the Guide the frontend is read only while a worker is idle.
 *   - Every `heartbeatInterval` the queue sends HEARTBEAT to every live worker, idle or busy (RFC 6: "The
 *     client sends HEARTBEAT at regular intervals to the worker" — a busy worker must not think it lost us).
 *   - A worker that expired is purged, idle or busy, and is sent nothing more (RFC 6: "it SHOULD stop
 *     sending it messages of any type"). Its later HEARTBEATs are ignored — unlike the Guide's ppqueue, where
 *     any sign of life re-enlists a worker — so it notices the silence and comes back with a new READY.
 *   - A request held by a worker that dies is lost; the Lazy Pirate client resends it. A reply that arrives
 *     from a worker the queue no longer counts as busy still goes to its client (if that client waits).
 *   - The backend ROUTER is `mandatory`: a request routed to a worker whose connection is gone fails at once
 *     (EHOSTUNREACH), the worker is purged and the request goes to the next idle worker.
 */
import { Poller, Router, ZmqError, type Context, type Message, type RouterOptions } from "@zmq-ts/core"
import { attach, type Attachments } from "./attachment.js"
import {
  PPP_HEARTBEAT_INTERVAL,
  PPP_HEARTBEAT_LIVENESS,
  PPP_HEARTBEAT,
  parsePpp,
} from "./paranoid-pirate-protocol.js"
import { ServiceBase } from "./service.js"
import { checkCount } from "./wait.js"

/** What the queue did, reported synchronously to `onEvent` (for logs, metrics and tests). */
export type ParanoidPirateEvent =
  /** A worker sent READY: it is idle, at the end of the queue. */
  | { readonly type: "worker:ready"; readonly worker: Buffer }
  /** A worker sent nothing for liveness × interval (or its connection was gone): purged. */
  | { readonly type: "worker:expired"; readonly worker: Buffer; readonly busy: boolean }
  /** A client's request went to the least recently used idle worker. */
  | { readonly type: "dispatch"; readonly worker: Buffer; readonly client: Buffer }
  /** A worker's reply went to its client; `expected` is false when the worker was not busy (purged, or never asked). */
  | { readonly type: "reply"; readonly worker: Buffer; readonly client: Buffer; readonly expected: boolean }
  /** HEARTBEAT was sent to every live worker. */
  | { readonly type: "heartbeat"; readonly workers: number }
  /** A message that is not PPP (or a HEARTBEAT from a worker that never sent READY): dropped. */
  | { readonly type: "invalid"; readonly worker: Buffer; readonly message: Message[] }

export interface ParanoidPirateQueueOptions {
  /** Where the ROUTER facing clients goes; a string binds (the Guide: "tcp://*:5555"). */
  readonly frontend: Attachments
  /** Where the ROUTER facing workers goes; a string binds (the Guide: "tcp://*:5556"). */
  readonly backend: Attachments
  /** HEARTBEAT_INTERVAL: ms between heartbeats to workers. Default 1000. */
  readonly heartbeatInterval?: number
  /** HEARTBEAT_LIVENESS: intervals a worker may stay silent before it is purged. Default 3. */
  readonly liveness?: number
  /** The context of both sockets. Default: the shared context. */
  readonly context?: Context
  /** Options of the frontend ROUTER. */
  readonly frontendOptions?: Omit<RouterOptions, "context">
  /** Options of the backend ROUTER (`mandatory` is always on). */
  readonly backendOptions?: Omit<RouterOptions, "context" | "mandatory">
  /** Called synchronously on every `ParanoidPirateEvent`. */
  readonly onEvent?: (event: ParanoidPirateEvent) => void
}

interface WorkerEntry {
  readonly id: Buffer
  expiry: number
  /** The client whose request it holds, while busy. */
  client: Buffer | undefined
}

const key = (id: Buffer): string => id.toString("latin1")
const now = (): number => performance.now()

/**
 * ```ts
 * const queue = new ParanoidPirateQueue({ frontend: "tcp://*:5555", backend: "tcp://*:5556" })
 * await queue.start()
 * ```
 */
export class ParanoidPirateQueue extends ServiceBase {
  readonly frontend: Router
  readonly backend: Router
  readonly heartbeatInterval: number
  readonly liveness: number
  readonly #options: ParanoidPirateQueueOptions
  /** Every live worker, by routing id. */
  readonly #workers = new Map<string, WorkerEntry>()
  /** Idle workers (keys), least recently used first. */
  readonly #idle: string[] = []
  #heartbeatAt = 0
  #frontendEndpoints: string[] = []
  #backendEndpoints: string[] = []

  constructor(options: ParanoidPirateQueueOptions) {
    super()
    this.#options = options
    this.heartbeatInterval = checkCount("heartbeatInterval", options.heartbeatInterval ?? PPP_HEARTBEAT_INTERVAL, 1)
    this.liveness = checkCount("liveness", options.liveness ?? PPP_HEARTBEAT_LIVENESS, 1)
    const context = options.context === undefined ? {} : { context: options.context }
    this.frontend = new Router({ ...options.frontendOptions, ...context })
    this.backend = new Router({ ...options.backendOptions, ...context, mandatory: true })
  }

  /** The endpoints the frontend is bound to, wildcards resolved (after `start()`). */
  get frontendEndpoints(): readonly string[] {
    return this.#frontendEndpoints
  }

  /** The endpoints the backend is bound to, wildcards resolved (after `start()`). */
  get backendEndpoints(): readonly string[] {
    return this.#backendEndpoints
  }

  /** How many workers wait for a request. */
  get idleWorkers(): number {
    return this.#idle.length
  }

  /** How many workers hold a request. */
  get busyWorkers(): number {
    return this.#workers.size - this.#idle.length
  }

  protected async open(): Promise<void> {
    this.#frontendEndpoints = await attach(this.frontend, this.#options.frontend, "frontend")
    this.#backendEndpoints = await attach(this.backend, this.#options.backend, "backend")
  }

  protected async loop(): Promise<void> {
    const { frontend, backend } = this
    const poller = new Poller<Router>().add(backend)
    this.#heartbeatAt = now() + this.heartbeatInterval
    for (;;) {
      this.purge()
      //  Poll frontend only if we have available workers
      if (this.#idle.length > 0) poller.add(frontend)
      else poller.remove(frontend)
      // Wake for the next heartbeat, or the next expiry, whichever comes first.
      let wake = this.#heartbeatAt
      const time = now()
      for (const worker of this.#workers.values()) if (worker.expiry > time) wake = Math.min(wake, worker.expiry)
      const ready = await poller.poll(Math.max(0, Math.ceil(wake - now())))
      for (const item of ready) {
        if (item.socket === backend) await this.#fromWorker(await backend.receive())
        else {
          this.purge()
          if (this.#idle.length > 0) await this.#dispatch(await frontend.receive())
        }
      }
      if (now() >= this.#heartbeatAt) {
        this.#heartbeatAt = now() + this.heartbeatInterval
        await this.#heartbeat()
      }
    }
  }

  protected shut(): void {
    this.frontend.close()
    this.backend.close()
  }

  /**
   * Purges every worker whose expiry has passed (the Guide's s_workers_purge). The hook a test overrides
   * with a queue that never purges, to check that its properties catch one.
   */
  protected purge(): void {
    const time = now()
    for (const [id, worker] of this.#workers) if (worker.expiry <= time) this.#expire(id, worker)
  }

  #expire(id: string, worker: WorkerEntry): void {
    this.#workers.delete(id)
    const index = this.#idle.indexOf(id)
    if (index >= 0) this.#idle.splice(index, 1)
    this.#emit({ type: "worker:expired", worker: worker.id, busy: worker.client !== undefined })
  }

  #emit(event: ParanoidPirateEvent): void {
    this.#options.onEvent?.(event)
  }

  async #fromWorker(message: Message[]): Promise<void> {
    const worker = message[0]!
    const id = key(worker)
    const ppp = parsePpp(message.slice(1))
    const entry = this.#workers.get(id)
    if (ppp.type === "ready") {
      // A READY from a worker we know starts a new conversation: whatever it held is gone.
      if (entry !== undefined) this.#forget(id)
      this.#workers.set(id, { id: worker, expiry: this.#expiry(), client: undefined })
      this.#idle.push(id)
      this.#emit({ type: "worker:ready", worker })
      return
    }
    if (ppp.type === "invalid" || (ppp.type === "heartbeat" && entry === undefined)) {
      this.#emit({ type: "invalid", worker, message })
      return
    }
    if (entry !== undefined) entry.expiry = this.#expiry()
    if (ppp.type === "heartbeat") return
    // A REPLY: [client, "", body…] (the REQ client's address stack).
    const client = ppp.address[0]
    if (ppp.address.length === 0 || client === undefined) {
      this.#emit({ type: "invalid", worker, message })
      return
    }
    const expected = entry !== undefined && entry.client !== undefined && entry.client.equals(client)
    if (expected) {
      entry.client = undefined
      this.#idle.push(id)
    }
    await this.#toClient(message.slice(1))
    this.#emit({ type: "reply", worker, client, expected })
  }

  #forget(id: string): void {
    this.#workers.delete(id)
    const index = this.#idle.indexOf(id)
    if (index >= 0) this.#idle.splice(index, 1)
  }

  #expiry(): number {
    return now() + this.heartbeatInterval * this.liveness
  }

  /** [client, "", body…] → [worker, client, "", body…] to the least recently used idle worker. */
  async #dispatch(request: Message[]): Promise<void> {
    if (request.length < 3 || request[1]!.length !== 0) return // not from a REQ-style client
    const client = request[0]!
    while (this.#idle.length > 0) {
      const id = this.#idle.shift()!
      const worker = this.#workers.get(id)!
      try {
        await this.backend.send([worker.id, ...request])
      } catch (error) {
        if (!(ZmqError.isInstance(error) && error.code === "EHOSTUNREACH")) throw error
        this.#expire(id, worker)
        continue
      }
      worker.client = client
      this.#emit({ type: "dispatch", worker: worker.id, client })
      return
    }
    // Every idle worker turned out to be gone: the request is dropped and its client retries.
  }

  async #heartbeat(): Promise<void> {
    for (const [id, worker] of [...this.#workers]) {
      try {
        await this.backend.send([worker.id, PPP_HEARTBEAT])
      } catch (error) {
        if (!(ZmqError.isInstance(error) && error.code === "EHOSTUNREACH")) throw error
        this.#expire(id, worker)
      }
    }
    this.#emit({ type: "heartbeat", workers: this.#workers.size })
  }

  async #toClient(reply: Message[]): Promise<void> {
    try {
      await this.frontend.send(reply)
    } catch (error) {
      if (!(ZmqError.isInstance(error) && error.code === "EHOSTUNREACH")) throw error
    }
  }
}
