import type { Context } from "@zmq-ts/core"
import { PatternError, PatternErrorCode } from "./errors.js"
import { MajordomoClient } from "./majordomo-client.js"
import { MajordomoWorker, type MajordomoWorkerOptions } from "./majordomo-worker.js"
import { ServiceBase } from "./service.js"
import { generateTitanicUuid, isTitanicUuid, TitanicStore } from "./titanic-store.js"

/** RFC 9 "Status Frames": three digits; clients must not read anything into text after them. */
export const TitanicStatus = {
  /** The TSP service did it (for titanic.reply: the real service answered, its reply follows). */
  OK: "200",
  /** No reply yet: retry later. */
  PENDING: "300",
  /** Invalid or unknown UUID (or, here, a malformed request): do not retry. */
  UNKNOWN: "400",
  /** Internal error (the disk): retry later. */
  ERROR: "500",
} as const
export type TitanicStatus = (typeof TitanicStatus)[keyof typeof TitanicStatus]

/** RFC 9 "Services": the three services a Titanic server implements. */
export const TITANIC_REQUEST = "titanic.request"
export const TITANIC_REPLY = "titanic.reply"
export const TITANIC_CLOSE = "titanic.close"

/** titanic.c's TITANIC_DIR. */
export const DEFAULT_TITANIC_DIRECTORY = ".titanic"
/** titanic.c dispatches once per second if there is no activity. */
export const DEFAULT_DISPATCH_INTERVAL = 1000
/** titanic.c's s_service_success: mdcli_set_timeout(client, 1000), mdcli_set_retries(client, 1). */
export const DEFAULT_SERVICE_TIMEOUT = 1000
export const DEFAULT_SERVICE_RETRIES = 1

/** What Titanic did, reported synchronously to `onEvent`. */
export type TitanicEvent =
  /** titanic.request: a request was stored durably (its "200" + UUID goes out next). */
  | { readonly type: "stored"; readonly uuid: string; readonly service: string }
  /** titanic.request could not store it: "500" goes out. */
  | { readonly type: "store-failed"; readonly error: unknown }
  /** The dispatcher sent a stored request to its service. */
  | { readonly type: "dispatch"; readonly uuid: string; readonly service: string }
  /** The service answered; the reply was stored. */
  | { readonly type: "replied"; readonly uuid: string; readonly service: string }
  /** The service is not there (MMI "404") or did not answer: tried again on a later pass. */
  | { readonly type: "deferred"; readonly uuid: string; readonly service: string; readonly reason: "no-service" | "no-reply" }
  /** titanic.reply answered with `status`. */
  | { readonly type: "query"; readonly uuid: string; readonly status: TitanicStatus }
  /** titanic.close removed the request and reply. */
  | { readonly type: "closed"; readonly uuid: string }

export interface TitanicOptions {
  /** The Majordomo broker, for the three services (as a worker) and for dispatching (as a client). */
  readonly broker: string
  /** Where requests and replies are kept. Default ".titanic" (titanic.c's TITANIC_DIR), relative to the cwd. */
  readonly directory?: string
  /** The context of every socket. Default: the shared context. */
  readonly context?: Context
  /** Log MDP traffic on stderr (the Guide's `-v`). Default false. */
  readonly verbose?: boolean
  /** How often pending requests are retried when nothing new arrives, in ms. Default 1000. */
  readonly dispatchInterval?: number
  /** The dispatcher's MajordomoClient timeout per try, in ms. Default 1000. */
  readonly serviceTimeout?: number
  /** The dispatcher's MajordomoClient tries per pass. Default 1. */
  readonly serviceRetries?: number
  /** Ask the broker (MMI, RFC 8 `mmi.service`) whether a service exists before sending it a request. Default true. */
  readonly mmi?: boolean
  /** Options of the three MajordomoWorkers (heartbeat, reconnect, liveness). */
  readonly workerOptions?: Omit<MajordomoWorkerOptions, "context" | "verbose">
  /** Called synchronously on every `TitanicEvent`. */
  readonly onEvent?: (event: TitanicEvent) => void
  /** The store to use. Default: `new TitanicStore(directory)`. */
  readonly store?: TitanicStore
}

type Frames = readonly (Buffer | string)[]

/**
 * The Titanic server (RFC 9 TSP; the Guide's titanic.c): disconnected, persistent request-reply on top of
 * Majordomo. It is a worker for three services and a client of the real ones:
 *
 *   client ──MDP──▶ broker ──▶ titanic.request: store [service, body…] on disk → "200" + UUID
 *                          ──▶ titanic.reply:   [UUID] → "200" + reply | "300" pending | "400" unknown
 *                          ──▶ titanic.close:   [UUID] → delete request and reply → "200"
 *   dispatcher: each pending request ──MDP──▶ broker ──▶ real service; the reply is stored on disk
 *
 * No request acknowledged with "200" is lost: it is on disk (fsync-ed, `TitanicStore`) before the reply
 * leaves, and the dispatcher retries it — across restarts of Titanic, the broker or the workers — until the
 * service answers or the client closes it. Replies are kept until titanic.close (titanic.reply is
 * idempotent). Delivery to the service is at least once, as Majordomo's (RFC 7 assumes idempotent workers).
 *
 * ```ts
 * const titanic = new Titanic({ broker: "tcp://localhost:5555", directory: ".titanic" })
 * await titanic.start()
 * ```
 */
export class Titanic extends ServiceBase {
  readonly store: TitanicStore
  readonly #options: TitanicOptions
  readonly #workers: MajordomoWorker[] = []
  #client: MajordomoClient | undefined
  /** UUIDs waiting for their reply, oldest first (titanic.c's queue file, kept in memory: the disk has it too). */
  readonly #queue: string[] = []
  #wake: (() => void) | undefined
  /** Mutations of one UUID's files happen one at a time (a close racing a reply must not leave an orphan). */
  #serial: Promise<unknown> = Promise.resolve()
  /** A request arrived during a pass: start the next pass at once. */
  #nudged = false

  constructor(options: TitanicOptions) {
    super()
    this.#options = options
    this.store = options.store ?? new TitanicStore(options.directory ?? DEFAULT_TITANIC_DIRECTORY)
  }

  /** How many stored requests wait for a reply. */
  get pendingRequests(): number {
    return this.#queue.length
  }

  protected async open(): Promise<void> {
    await this.store.open()
    for (const { uuid } of await this.store.pending()) this.#queue.push(uuid)
    const { broker, context, verbose } = this.#options
    const shared = { ...(context === undefined ? {} : { context }), ...(verbose === undefined ? {} : { verbose }) }
    for (const service of [TITANIC_REQUEST, TITANIC_REPLY, TITANIC_CLOSE]) {
      this.#workers.push(new MajordomoWorker(broker, service, { ...this.#options.workerOptions, ...shared }))
    }
    this.#client = new MajordomoClient(broker, {
      timeout: this.#options.serviceTimeout ?? DEFAULT_SERVICE_TIMEOUT,
      retries: this.#options.serviceRetries ?? DEFAULT_SERVICE_RETRIES,
      ...shared,
    })
  }

  protected async loop(): Promise<void> {
    const [request, reply, close] = this.#workers as [MajordomoWorker, MajordomoWorker, MajordomoWorker]
    await Promise.all([
      this.#serve(request, (body) => this.#onRequest(body)),
      this.#serve(reply, (body) => this.#onReply(body)),
      this.#serve(close, (body) => this.#onClose(body)),
      this.#dispatcher(),
    ])
  }

  protected shut(): void {
    for (const worker of this.#workers) worker.close()
    this.#client?.close()
    this.#wake?.()
  }

  /**
   * Sends one stored request to its service and stores the reply. Resolves true when the request is done
   * with (answered, or closed meanwhile), false to try again on a later pass. Protected so a test can put
   * a broken variant in its place.
   */
  protected async dispatch(uuid: string): Promise<boolean> {
    const request = await this.store.readRequest(uuid)
    if (request === undefined) return true // closed meanwhile
    const [serviceFrame, ...body] = request
    const service = serviceFrame!.toString()
    const client = this.#client!
    if (this.#options.mmi ?? true) {
      const found = await client.request("mmi.service", [service])
      if (found?.[0]?.toString() !== "200") {
        this.#emit({ type: "deferred", uuid, service, reason: "no-service" })
        return false
      }
    }
    this.#emit({ type: "dispatch", uuid, service })
    const reply = await client.request(service, body)
    if (reply === undefined) {
      this.#emit({ type: "deferred", uuid, service, reason: "no-reply" })
      return false
    }
    return this.#exclusive(async () => {
      if (!(await this.store.hasRequest(uuid))) return true // closed while in flight: no orphan reply
      await this.store.storeReply(uuid, reply)
      this.#emit({ type: "replied", uuid, service })
      return true
    })
  }

  async #serve(worker: MajordomoWorker, handle: (body: Buffer[]) => Promise<Frames>): Promise<void> {
    let reply: Frames | undefined
    try {
      for (;;) reply = await handle(await worker.receive(reply))
    } catch (error) {
      if (this.state === "stopped") return
      throw error
    }
  }

  /** titanic.request: [service, body…] → "200" + UUID once stored (RFC 9 "The titanic.request Service"). */
  async #onRequest(body: Buffer[]): Promise<Frames> {
    if (body.length < 2) return [TitanicStatus.UNKNOWN]
    const uuid = generateTitanicUuid()
    try {
      await this.store.storeRequest(uuid, body)
    } catch (error) {
      this.#emit({ type: "store-failed", error })
      return [TitanicStatus.ERROR]
    }
    this.#emit({ type: "stored", uuid, service: body[0]!.toString() })
    this.#queue.push(uuid)
    this.#nudged = true
    this.#wake?.()
    return [TitanicStatus.OK, uuid]
  }

  /** titanic.reply: [UUID] → "200" + reply, "300" pending, "400" unknown (RFC 9 "The titanic.reply Service"). */
  async #onReply(body: Buffer[]): Promise<Frames> {
    const uuid = body[0]?.toString() ?? ""
    if (body.length !== 1 || !isTitanicUuid(uuid)) return [TitanicStatus.UNKNOWN]
    let answer: Frames
    try {
      const reply = await this.store.readReply(uuid)
      if (reply !== undefined) answer = [TitanicStatus.OK, ...reply]
      else answer = [(await this.store.hasRequest(uuid)) ? TitanicStatus.PENDING : TitanicStatus.UNKNOWN]
    } catch {
      answer = [TitanicStatus.ERROR]
    }
    this.#emit({ type: "query", uuid: uuid.toUpperCase(), status: answer[0] as TitanicStatus })
    return answer
  }

  /** titanic.close: [UUID] → delete both files → "200", also for an unknown UUID (RFC 9: idempotent). */
  async #onClose(body: Buffer[]): Promise<Frames> {
    const uuid = body[0]?.toString() ?? ""
    if (body.length !== 1 || !isTitanicUuid(uuid)) return [TitanicStatus.OK]
    const key = uuid.toUpperCase()
    try {
      await this.#exclusive(async () => {
        await this.store.remove(key)
      })
    } catch {
      return [TitanicStatus.ERROR]
    }
    const at = this.#queue.indexOf(key)
    if (at >= 0) this.#queue.splice(at, 1)
    this.#emit({ type: "closed", uuid: key })
    return [TitanicStatus.OK]
  }

  /** titanic.c's main loop: every pending request in turn, then wait for a new one or the interval. */
  async #dispatcher(): Promise<void> {
    const interval = this.#options.dispatchInterval ?? DEFAULT_DISPATCH_INTERVAL
    try {
      while (this.state === "running") {
        this.#nudged = false
        for (const uuid of [...this.#queue]) {
          if (this.state !== "running") return
          if (!this.#queue.includes(uuid)) continue
          if (await this.dispatch(uuid)) {
            const at = this.#queue.indexOf(uuid)
            if (at >= 0) this.#queue.splice(at, 1)
          }
        }
        if (this.state !== "running") return
        if (this.#nudged) {
          this.#nudged = false
          continue
        }
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, interval)
          this.#wake = () => {
            clearTimeout(timer)
            resolve()
          }
        })
        this.#wake = undefined
      }
    } catch (error) {
      if (this.state === "stopped" && (PatternError.isInstance(error) ? error.code === PatternErrorCode.CLOSED : true)) return
      throw error
    }
  }

  #exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#serial.then(fn)
    this.#serial = run.catch(() => undefined)
    return run
  }

  #emit(event: TitanicEvent): void {
    this.#options.onEvent?.(event)
  }
}
