import { Poller, Router, type Context, type Message, type RouterOptions } from "@zmq-ts/core"
import { isInterrupted } from "@zmq-ts/zhelpers"
import { localError, PatternErrorCode } from "./errors.js"
import {
  MDP_HEARTBEAT_INTERVAL,
  MDP_HEARTBEAT_LIVENESS,
  MDP_COMMAND_NAMES,
  MMI_PREFIX,
  MMI_SERVICE,
  MdpCommand,
  MmiStatus,
  brokerRequest,
  clientReply,
  mdpLog,
  parseBrokerInbound,
  workerCommand,
} from "./majordomo-protocol.js"
import { checkCount, isClosing } from "./wait.js"

export interface MajordomoBrokerOptions {
  /** How often idle workers are sent HEARTBEAT, in ms. Default 2500 (mdbroker's HEARTBEAT_INTERVAL). */
  readonly heartbeat?: number
  /** Heartbeat intervals of silence after which an idle worker is dropped. Default 3 (HEARTBEAT_LIVENESS). */
  readonly liveness?: number
  /** Log every message and decision on stderr, as the Guide's `mdbroker -v`. Default false. */
  readonly verbose?: boolean
  /** The context of the ROUTER. Default: the shared context. */
  readonly context?: Context
  /** Called synchronously on every `MajordomoEvent` (logs, metrics, tests). */
  readonly onEvent?: (event: MajordomoEvent) => void
}

/** What the broker did. `worker` is the ROUTER identity of a worker, `client` of a client. */
export type MajordomoEvent =
  | { readonly type: "worker:ready"; readonly worker: Buffer; readonly service: string }
  /** Removed: `expired` (heartbeats stopped), `disconnect` (it said DISCONNECT), `protocol` (we sent DISCONNECT). */
  | { readonly type: "worker:deleted"; readonly worker: Buffer; readonly service: string | undefined; readonly reason: "expired" | "disconnect" | "protocol" }
  | { readonly type: "dispatch"; readonly worker: Buffer; readonly client: Buffer; readonly service: string }
  | { readonly type: "reply"; readonly worker: Buffer; readonly client: Buffer; readonly service: string }
  | { readonly type: "mmi"; readonly client: Buffer; readonly service: string; readonly status: string }

/** A service's queue of requests and its idle workers (mdbroker's service_t). */
interface ServiceEntry {
  readonly name: string
  /** [client identity, body…], oldest first. */
  readonly requests: Buffer[][]
  /** Idle workers of this service, least recently used first. */
  readonly waiting: WorkerEntry[]
  /** Workers registered for it, idle or busy (MMI's "registered"). */
  workers: number
}

/** A worker known to the broker (mdbroker's worker_t). */
interface WorkerEntry {
  readonly identity: Buffer
  readonly key: string
  service: ServiceEntry | undefined
  /** When an idle worker is taken for dead (performance.now() ms). */
  expiry: number
}

const keyOf = (identity: Buffer): string => identity.toString("latin1")
const printable = (identity: Buffer): string => identity.toString("hex").toUpperCase()

/**
 * The Majordomo broker (MDP/0.1, RFC 7, with MMI, RFC 8; the Guide's mdbroker): one ROUTER for clients
 * (MDPC01) and workers (MDPW01). Each service has a queue of requests and a queue of idle workers; a
 * request goes to the least recently used idle worker **of its service**, and the reply back to its client.
 *
 *   clients (REQ/DEALER) ──MDPC01──▶ ROUTER ◀──MDPW01── workers (DEALER)
 *                                      │ services: { requests[], waiting workers[] }
 *
 * - Workers register with READY (one service each) and are sent HEARTBEAT every `heartbeat` ms while idle;
 *   an idle worker silent for `heartbeat × liveness` ms is deleted (RFC 7 "Heartbeating").
 * - A worker that sends a valid but unexpected command (REPLY or HEARTBEAT before READY, a second READY, a
 *   READY for an `mmi.*` service) is sent DISCONNECT and forgotten (RFC 7 "Opening and Closing a
 *   Connection"; RFC 8 "Namespace"). A restarted broker thus makes the old workers re-register.
 * - Requests for a service with no worker wait in its queue until one registers (RFC 7 "MDP/Client").
 * - `mmi.service` answers "200" when a worker is registered for the service named in the body, "404"
 *   when none is; any other `mmi.*` service answers "501" (RFC 8 "Default services").
 *
 * As the Guide's broker, a worker is expired only while idle: one that dies holding a request stays
 * registered (MMI answers "200" for it) and its request is lost; the client's retry (MajordomoClient) goes to
 * another worker. Requests queued for a service nobody serves are kept until a worker comes.
 */
export class MajordomoBroker {
  readonly socket: Router
  readonly #heartbeat: number
  readonly #expiry: number
  readonly #verbose: boolean
  readonly #onEvent: ((event: MajordomoEvent) => void) | undefined
  readonly #services = new Map<string, ServiceEntry>()
  readonly #workers = new Map<string, WorkerEntry>()
  /** Every idle worker, least recently used first. */
  readonly #waiting: WorkerEntry[] = []
  readonly #endpoints: string[] = []
  #heartbeatAt = 0
  #loop: Promise<void> | undefined
  #failure: { error: unknown } | undefined
  #closed = false

  constructor(options: MajordomoBrokerOptions = {}) {
    this.#heartbeat = checkCount("heartbeat", options.heartbeat ?? MDP_HEARTBEAT_INTERVAL, 1)
    this.#expiry = this.#heartbeat * checkCount("liveness", options.liveness ?? MDP_HEARTBEAT_LIVENESS, 1)
    this.#verbose = options.verbose ?? false
    this.#onEvent = options.onEvent
    const context = options.context === undefined ? {} : { context: options.context }
    this.socket = this.createSocket({ linger: 0, ...context })
  }

  /** Makes the broker's ROUTER (called once, by the constructor). A subclass may wrap it, e.g. for tests. */
  protected createSocket(options: RouterOptions): Router {
    return new Router(options)
  }

  /** The endpoints bound so far, wildcards resolved ("tcp://127.0.0.1:*" → its port). */
  get endpoints(): readonly string[] {
    return this.#endpoints
  }

  /** How many workers are registered now (idle or busy). */
  get workerCount(): number {
    return this.#workers.size
  }

  /** Workers registered for `service` now, idle or busy (what `mmi.service` answers from). */
  workersOf(service: string): number {
    return this.#services.get(service)?.workers ?? 0
  }

  /** Requests waiting for a worker of `service`. */
  queuedFor(service: string): number {
    return this.#services.get(service)?.requests.length ?? 0
  }

  /**
   * Binds the ROUTER to `endpoint` (may be called for several endpoints: clients and workers may use any of
   * them) and, the first time, starts the broker's loop in the background.
   */
  async bind(endpoint: string): Promise<void> {
    if (this.#closed) throw localError(PatternErrorCode.CLOSED, "broker is closed")
    await this.socket.bind(endpoint)
    this.#endpoints.push(this.socket.lastEndpoint ?? endpoint)
    if (this.#verbose) mdpLog(`I: MDP broker/0.2.0 is active at ${endpoint}`)
    if (this.#loop === undefined) {
      this.#heartbeatAt = performance.now() + this.#heartbeat
      this.#loop = this.#run().catch((error: unknown) => {
        if (this.#closed && isClosing(error, true)) return
        if (isInterrupted(error)) {
          if (this.#verbose) mdpLog("W: interrupt received, shutting down...")
          return
        }
        this.#failure = { error }
      }).finally(() => this.close())
    }
  }

  /** Closes the ROUTER at once (linger 0) and ends the loop; what is queued is dropped. */
  close(): void {
    this.#closed = true
    this.socket.close()
  }

  /** Resolves when the loop has ended (after `close()` or an interrupt); rejects with the error that ended it. */
  async done(): Promise<void> {
    if (this.#loop !== undefined) await this.#loop
    if (this.#failure !== undefined) throw this.#failure.error
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.close()
    await this.done()
  }

  #emit(event: MajordomoEvent): void {
    this.#onEvent?.(event)
  }

  async #run(): Promise<void> {
    const poller = new Poller<Router>().add(this.socket)
    for (;;) {
      const ready = await poller.poll(Math.max(0, Math.ceil(this.#heartbeatAt - performance.now())))
      if (ready.length > 0) {
        const message = await this.socket.receive()
        if (this.#verbose) mdpLog("I: received message:", message)
        await this.#process(message)
      }
      // Disconnect and delete any expired workers; send heartbeats to idle workers (mdbroker's main loop).
      if (performance.now() >= this.#heartbeatAt) {
        this.#purge()
        for (const worker of this.#waiting) await this.#sendWorker(worker, MdpCommand.HEARTBEAT)
        this.#heartbeatAt = performance.now() + this.#heartbeat
      }
    }
  }

  async #process(message: Message[]): Promise<void> {
    if (message.length < 2) return
    const sender = message[0]!
    const inbound = parseBrokerInbound(message.slice(1))
    switch (inbound.kind) {
      case "client":
        return this.#clientMessage(sender, inbound.service, inbound.body)
      case "worker":
      case "worker-invalid":
        return this.#workerMessage(sender, inbound)
      case "invalid":
        if (this.#verbose) mdpLog(`E: invalid message (${inbound.reason}):`, message)
        return
    }
  }

  /** A REQUEST from a client: MMI is answered here, anything else goes to the service's queue. */
  async #clientMessage(client: Buffer, service: string, body: Buffer[]): Promise<void> {
    if (service.startsWith(MMI_PREFIX)) {
      let status: string = MmiStatus.NOT_IMPLEMENTED
      if (service === MMI_SERVICE) {
        const name = body[0]?.toString() ?? ""
        status = this.workersOf(name) > 0 ? MmiStatus.FOUND : MmiStatus.NOT_FOUND
      }
      // RFC 8: the reply body is the status code alone (the Guide's broker replaces the request body).
      await this.socket.send(clientReply(client, service, [status]))
      this.#emit({ type: "mmi", client, service, status })
      return
    }
    const entry = this.#serviceRequire(service)
    entry.requests.push([client, ...body])
    await this.#dispatch(entry)
  }

  async #workerMessage(sender: Buffer, inbound: Extract<ReturnType<typeof parseBrokerInbound>, { kind: "worker" | "worker-invalid" }>): Promise<void> {
    const key = keyOf(sender)
    const known = this.#workers.get(key)
    if (inbound.kind === "worker-invalid") {
      // RFC 7: an invalid message is dropped and its peer treated as invalid.
      if (this.#verbose) mdpLog(`E: invalid input message (${inbound.reason})`)
      if (known !== undefined) await this.#deleteWorker(known, true)
      else await this.#disconnect(sender)
      return
    }
    switch (inbound.command) {
      case MdpCommand.READY: {
        // A second READY, or a worker for the broker's own namespace: DISCONNECT (RFC 7; RFC 8 "Namespace").
        if (known !== undefined || inbound.service.startsWith(MMI_PREFIX)) {
          if (known !== undefined) await this.#deleteWorker(known, true)
          else await this.#disconnect(sender)
          return
        }
        const worker: WorkerEntry = { identity: sender, key, service: undefined, expiry: 0 }
        this.#workers.set(key, worker)
        if (this.#verbose) mdpLog(`I: registering new worker: ${printable(sender)}`)
        const service = this.#serviceRequire(inbound.service)
        worker.service = service
        service.workers++
        this.#emit({ type: "worker:ready", worker: sender, service: service.name })
        await this.#workerWaiting(worker)
        return
      }
      case MdpCommand.REPLY: {
        // A reply from a worker we don't know (we restarted, or expired it) or that holds no request.
        if (known === undefined || known.service === undefined || known.service.waiting.includes(known)) {
          return this.#disconnectUnknown(sender, known)
        }
        const service = known.service
        await this.socket.send(clientReply(inbound.client, service.name, inbound.body))
        this.#emit({ type: "reply", worker: sender, client: inbound.client, service: service.name })
        await this.#workerWaiting(known)
        return
      }
      case MdpCommand.HEARTBEAT:
        if (known === undefined) return this.#disconnectUnknown(sender, known)
        known.expiry = performance.now() + this.#expiry
        return
      case MdpCommand.DISCONNECT:
        if (known !== undefined) await this.#deleteWorker(known, false, "disconnect")
        return
    }
  }

  async #disconnectUnknown(sender: Buffer, known: WorkerEntry | undefined): Promise<void> {
    if (known !== undefined) await this.#deleteWorker(known, true)
    else await this.#disconnect(sender)
  }

  #serviceRequire(name: string): ServiceEntry {
    let entry = this.#services.get(name)
    if (entry === undefined) {
      entry = { name, requests: [], waiting: [], workers: 0 }
      this.#services.set(name, entry)
      if (this.#verbose) mdpLog(`I: added service: ${name}`)
    }
    return entry
  }

  /** The worker is idle again: to the back of both waiting lists, expiry renewed, then serve its queue. */
  async #workerWaiting(worker: WorkerEntry): Promise<void> {
    this.#waiting.push(worker)
    worker.service!.waiting.push(worker)
    worker.expiry = performance.now() + this.#expiry
    await this.#dispatch(worker.service!)
  }

  /** Hands queued requests of `service` to its idle workers, least recently used first. */
  async #dispatch(service: ServiceEntry): Promise<void> {
    this.#purge()
    while (service.waiting.length > 0 && service.requests.length > 0) {
      const worker = service.waiting.shift()!
      remove(this.#waiting, worker)
      const [client, ...body] = service.requests.shift()!
      if (this.#verbose) mdpLog(`I: sending REQUEST to worker`)
      await this.socket.send(brokerRequest(worker.identity, client!, body))
      this.#emit({ type: "dispatch", worker: worker.identity, client: client!, service: service.name })
    }
  }

  /**
   * Deletes idle workers whose heartbeats stopped. Every idle worker is checked: the waiting list is in the
   * order workers became idle, not in expiry order, since a HEARTBEAT renews a worker's expiry in place (the
   * Guide's C broker stops at the first live worker, so a dead one queued behind it is never expired).
   */
  #purge(): void {
    const now = performance.now()
    for (const worker of this.#waiting.filter((w) => w.expiry <= now)) {
      if (this.#verbose) mdpLog(`I: deleting expired worker: ${printable(worker.identity)}`)
      this.#forget(worker, "expired")
    }
  }

  async #deleteWorker(worker: WorkerEntry, disconnect: boolean, reason: "disconnect" | "protocol" = "protocol"): Promise<void> {
    if (disconnect) await this.#disconnect(worker.identity)
    this.#forget(worker, reason)
  }

  #forget(worker: WorkerEntry, reason: "expired" | "disconnect" | "protocol"): void {
    const service = worker.service
    if (service !== undefined) {
      remove(service.waiting, worker)
      service.workers--
    }
    remove(this.#waiting, worker)
    this.#workers.delete(worker.key)
    this.#emit({ type: "worker:deleted", worker: worker.identity, service: service?.name, reason })
  }

  async #disconnect(identity: Buffer): Promise<void> {
    if (this.#verbose) mdpLog("I: sending DISCONNECT to worker")
    await this.socket.send([identity, ...workerCommand(MdpCommand.DISCONNECT)])
  }

  async #sendWorker(worker: WorkerEntry, command: MdpCommand): Promise<void> {
    if (this.#verbose) mdpLog(`I: sending ${MDP_COMMAND_NAMES[command]} to worker`)
    await this.socket.send([worker.identity, ...workerCommand(command)])
  }
}

function remove<T>(list: T[], item: T): void {
  const index = list.indexOf(item)
  if (index >= 0) list.splice(index, 1)
}
