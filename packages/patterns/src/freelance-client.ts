import { Router, ZmqError, type Context, type Message, type RouterOptions } from "@zmq-ts/core"
import type { Frame } from "./envelope.js"
import { localError, PatternErrorCode } from "./errors.js"
import {
  decodeSequence,
  DEFAULT_FREELANCE_GLOBAL_TIMEOUT,
  DEFAULT_FREELANCE_PING_INTERVAL,
  DEFAULT_FREELANCE_SERVER_TTL,
  encodeSequence,
  FREELANCE_PING,
  FREELANCE_PONG,
} from "./freelance-protocol.js"
import { FreelanceServerTable } from "./freelance-server-table.js"
import { isClosing } from "./wait.js"

/** What the client did or saw, reported synchronously to `onEvent` (for logs, metrics and tests). */
export type FreelanceEvent =
  /** `connect(server)` was called. */
  | { readonly type: "connect"; readonly server: string }
  /** A PING went to a server. */
  | { readonly type: "ping"; readonly server: string }
  /** A PONG came from a server. */
  | { readonly type: "pong"; readonly server: string }
  /** A server that had expired was heard from again: it is alive, at the back of the preference order. */
  | { readonly type: "alive"; readonly server: string }
  /** A server was silent for `serverTtl`: no request goes to it until it is heard from again. */
  | { readonly type: "expired"; readonly server: string }
  /** A request (or a retry of it) went to a server. */
  | { readonly type: "send"; readonly server: string; readonly sequence: number }
  /** A reply settled its request. */
  | { readonly type: "reply"; readonly server: string; readonly sequence: number }
  /** A reply matched no waiting request (a late one, a duplicate, or a malformed CCF): dropped. */
  | { readonly type: "stale"; readonly server: string; readonly sequence: number | undefined }
  /** A request got no reply within `globalTimeout`: it was rejected with TIMEOUT. */
  | { readonly type: "timeout"; readonly sequence: number }
  /** A message came from a peer whose routing id is none of the connected endpoints: dropped. */
  | { readonly type: "unknown"; readonly server: string }

export interface FreelanceClientOptions {
  /** How long a request waits for a reply from any server before it rejects with TIMEOUT. Default 2500 ms (the Guide's GLOBAL_TIMEOUT). */
  readonly globalTimeout?: number
  /**
   * How often a server is pinged when nothing else was heard from it, and how long a request waits for its
   * reply before it is sent again. Default 2000 ms (the Guide's PING_INTERVAL).
   */
  readonly pingInterval?: number
  /** How long a silent server is still used: past this it is dead until heard from again. Default 6000 ms (the Guide's SERVER_TTL). */
  readonly serverTtl?: number
  /** The context of the socket. Default: the shared context. */
  readonly context?: Context
  /**
   * Options of the ROUTER (`mandatory` and `sendTimeout: 0` are always set: that is how a server that is not
   * connected is skipped at once; RFC 10 forbids a client routing id).
   */
  readonly routerOptions?: Omit<RouterOptions, "context" | "mandatory" | "sendTimeout" | "routingId">
  /** Called synchronously on every `FreelanceEvent`. */
  readonly onEvent?: (event: FreelanceEvent) => void
}

interface PendingRequest {
  readonly sequence: number
  /** [CCF, body…] */
  readonly frames: readonly Buffer[]
  readonly deadline: number
  /** The server it was last sent to, if it was sent. */
  server: string | undefined
  /** When it is sent again if still unanswered. */
  resendAt: number
  readonly resolve: (reply: Buffer[]) => void
  readonly reject: (error: Error) => void
}

const toBuffer = (frame: Frame): Buffer =>
  typeof frame === "string" ? Buffer.from(frame, "utf8") : Buffer.isBuffer(frame) ? frame : Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength)

/** EHOSTUNREACH: no connection to that server now; EAGAIN: its pipe is full. Either way, try another. */
const isUnroutable = (error: unknown): boolean =>
  ZmqError.isInstance(error) && (error.code === "EHOSTUNREACH" || error.code === "EAGAIN")

const positive = (value: number | undefined, fallback: number, name: string): number => {
  const ms = value ?? fallback
  if (!Number.isFinite(ms) || ms <= 0) throw localError(PatternErrorCode.INVALID_OPTION, `${name} must be a positive number of ms, not ${value}`)
  return ms
}

/**
 * The Guide's Freelance client, model three (chapter 4, "Complex and Nasty": flcliapi), speaking RFC 10/FLP:
 * a ROUTER connected to every server, which addresses each server by its endpoint (a Freelance server's
 * routing id is the endpoint clients connect to), pings them to know which are alive, and sends each request
 * to the first alive one, failing over to the next when that one dies.
 *
 *   FreelanceClient (ROUTER) ──connect──▶ server A (ROUTER, routing id "tcp://a:5555")
 *                             ──connect──▶ server B (ROUTER, routing id "tcp://b:5555") …
 *
 * ```ts
 * const client = new FreelanceClient()
 * client.connect("tcp://localhost:5555")
 * client.connect("tcp://localhost:5556")
 * const reply = await client.request("random name") // Buffer[]: the reply body, CCF removed
 * client.close()
 * ```
 *
 * - `request()` resolves with the reply body, or rejects with `PatternError` TIMEOUT when no server answered
 *   within `globalTimeout`. Requests may overlap: each has its own sequence number in the CCF, and a reply
 *   whose sequence number matches no waiting request (a late reply to a request that timed out, or the second
 *   reply to a request that was sent twice) is dropped, never given to another request.
 * - A request goes to the most preferred alive server (the order of `connect()` calls; a server that died
 *   and came back goes to the back). A server that is not connected at that moment is skipped. If the reply
 *   has not come after `pingInterval`, the request is sent again, to whichever server is first alive then;
 *   it is sent again at once if the connection to its server drops. Servers may thus see a request twice.
 * - Liveness (RFC 10, "Server Reliability"): each server is pinged every `pingInterval` unless something
 *   else came from it; one silent for `serverTtl` is dead and gets no request until it answers again.
 *   As in the Guide, a server is assumed alive from `connect()` until its first `serverTtl` runs out.
 *
 * Unlike the Guide's flcliapi, there is no agent thread: the agent's loop is this object, run by the event
 * loop, with one timer set to the next thing due (the Guide's "tickless" timer).
 */
export class FreelanceClient implements Disposable {
  /** The ROUTER that talks to the servers. */
  readonly socket: Router
  readonly globalTimeout: number
  readonly pingInterval: number
  readonly serverTtl: number
  readonly #onEvent: ((event: FreelanceEvent) => void) | undefined
  readonly #servers: FreelanceServerTable
  readonly #pending = new Map<number, PendingRequest>()
  /** Servers whose connection is down now (between a disconnect and the next handshake). */
  readonly #down = new Set<string>()
  #sequence = 0
  #closed = false
  #timer: ReturnType<typeof setTimeout> | undefined
  #timerAt = Infinity
  /** The agent's work, one step at a time (a message, a timer tick, a new request). */
  #chain: Promise<void> = Promise.resolve()
  #loop: Promise<void> | undefined

  constructor(options: FreelanceClientOptions = {}) {
    this.globalTimeout = positive(options.globalTimeout, DEFAULT_FREELANCE_GLOBAL_TIMEOUT, "globalTimeout")
    this.pingInterval = positive(options.pingInterval, DEFAULT_FREELANCE_PING_INTERVAL, "pingInterval")
    this.serverTtl = positive(options.serverTtl, DEFAULT_FREELANCE_SERVER_TTL, "serverTtl")
    this.#onEvent = options.onEvent
    this.#servers = new FreelanceServerTable(this.pingInterval, this.serverTtl)
    const context = options.context === undefined ? {} : { context: options.context }
    this.socket = this.createSocket({ ...options.routerOptions, mandatory: true, sendTimeout: 0, ...context })
    this.socket.events.on("handshake", ({ address }) => this.#run(() => this.#connected(address)))
    this.socket.events.on("disconnect", ({ address }) => this.#run(() => this.#disconnected(address)))
  }

  /**
   * Makes the ROUTER (called once, by the constructor, with the options it must have). Override to use an
   * instrumented Router subclass (metrics, tests); it must keep these options.
   */
  protected createSocket(options: RouterOptions): Router {
    return new Router(options)
  }

  /** True once `close()` was called. */
  get closed(): boolean {
    return this.#closed
  }

  /** The endpoints connected to, in preference order of `connect()`. */
  get servers(): readonly string[] {
    return this.#servers.endpoints()
  }

  /** How many requests wait for a reply now. */
  get pendingRequests(): number {
    return this.#pending.size
  }

  /** True if `server` is alive now: heard from (or connected) less than `serverTtl` ago. */
  isAlive(server: string): boolean {
    return this.#servers.isAlive(server, performance.now())
  }

  /**
   * Connects to a server. `endpoint` must be the server's routing id too (RFC 10: server identities are
   * their public endpoints), so connect with exactly the string the server uses: "tcp://localhost:5555" and
   * "tcp://127.0.0.1:5555" are different servers to FLP.
   */
  connect(endpoint: string): void {
    if (this.#closed) throw localError(PatternErrorCode.CLOSED, "the client is closed")
    if (this.#servers.has(endpoint)) throw localError(PatternErrorCode.INVALID_OPTION, `already connected to ${endpoint}`)
    this.socket.connect(endpoint)
    this.#servers.add(endpoint, performance.now())
    this.#emit({ type: "connect", server: endpoint })
    this.#startLoop()
    this.#schedule()
  }

  /**
   * Sends a request (one frame or more) and resolves with the reply body (the frames after the CCF). Rejects
   * with `PatternError` TIMEOUT if no server answered within `globalTimeout`, CLOSED if the client is closed
   * first, INVALID_OPTION for a request of no frames.
   */
  request(...frames: Frame[]): Promise<Buffer[]> {
    if (this.#closed) return Promise.reject(localError(PatternErrorCode.CLOSED, "the client is closed"))
    if (frames.length === 0) return Promise.reject(localError(PatternErrorCode.INVALID_OPTION, "a request needs at least one frame"))
    const sequence = ++this.#sequence
    const body = frames.map(toBuffer)
    return new Promise<Buffer[]>((resolve, reject) => {
      const now = performance.now()
      const request: PendingRequest = {
        sequence,
        frames: [encodeSequence(sequence), ...body],
        deadline: now + this.globalTimeout,
        server: undefined,
        resendAt: now,
        resolve,
        reject,
      }
      this.#pending.set(sequence, request)
      this.#startLoop()
      this.#run(() => this.#dispatch(request))
    })
  }

  /** Closes the socket; waiting requests reject with CLOSED. */
  close(): void {
    if (this.#closed) return
    this.#closed = true
    if (this.#timer !== undefined) clearTimeout(this.#timer)
    this.#timer = undefined
    for (const request of this.#pending.values()) request.reject(localError(PatternErrorCode.CLOSED, "the client was closed before a reply came"))
    this.#pending.clear()
    this.socket.close()
  }

  [Symbol.dispose](): void {
    this.close()
  }

  #emit(event: FreelanceEvent): void {
    this.#onEvent?.(event)
  }

  /** Runs one step of the agent after the ones before it; a step that fails rejects every waiting request. */
  #run(step: () => Promise<void> | void): void {
    this.#chain = this.#chain
      .then(async () => {
        if (!this.#closed) await step()
      })
      .catch((error: unknown) => {
        if (this.#closed && isClosing(error, true)) return
        for (const request of this.#pending.values()) request.reject(error instanceof Error ? error : new Error(String(error)))
        this.#pending.clear()
      })
      .finally(() => this.#schedule())
  }

  #startLoop(): void {
    if (this.#loop !== undefined) return
    this.#loop = (async () => {
      try {
        for await (const message of this.socket) this.#run(() => this.#fromServer(message))
      } catch (error) {
        if (!isClosing(error, this.socket.closed)) throw error
      }
    })()
    this.#loop.catch(() => {})
  }

  /** Sets the one timer to the next thing due: a request's deadline or retry, a PING, a server's expiry. */
  #schedule(): void {
    if (this.#closed) return
    let next = this.#servers.nextDue()
    for (const request of this.#pending.values()) next = Math.min(next, request.deadline, request.resendAt)
    if (next === this.#timerAt && this.#timer !== undefined) return
    if (this.#timer !== undefined) clearTimeout(this.#timer)
    this.#timer = undefined
    this.#timerAt = next
    if (next === Infinity) return
    this.#timer = setTimeout(() => {
      this.#timer = undefined
      this.#timerAt = Infinity
      this.#run(() => this.#tick())
    }, Math.max(0, Math.ceil(next - performance.now())))
  }

  async #tick(): Promise<void> {
    const now = performance.now()
    for (const server of this.#servers.expire(now)) this.#emit({ type: "expired", server })
    for (const request of [...this.#pending.values()]) {
      if (now >= request.deadline) {
        this.#pending.delete(request.sequence)
        this.#emit({ type: "timeout", sequence: request.sequence })
        request.reject(localError(PatternErrorCode.TIMEOUT, `no reply to request ${request.sequence} within ${this.globalTimeout} ms`))
      } else if (now >= request.resendAt || (request.server !== undefined && !this.#servers.isAlive(request.server, now))) {
        await this.#dispatch(request)
      }
    }
    for (const server of this.#servers.duePings(now)) await this.#ping(server)
  }

  /**
   * The servers a request may go to at `now`, most preferred first; it goes to the first of them that is
   * connected. Default: the alive ones, in the order of `connect()` (a revived server at the back). A
   * subclass may prioritise differently (RFC 10 leaves that to clients), but should offer only alive servers
   * (`isAlive()`): a server silent for `serverTtl` is dead to RFC 10.
   */
  protected selectServers(now: number): readonly string[] {
    return this.#servers.alive(now)
  }

  /** Sends `request` to the first alive server that is connected; if none is, it waits for one. */
  async #dispatch(request: PendingRequest): Promise<void> {
    const now = performance.now()
    request.resendAt = now + this.pingInterval
    request.server = undefined
    for (const server of this.selectServers(now)) {
      if (this.#pending.get(request.sequence) !== request) return // settled meanwhile
      if (this.#down.has(server)) continue
      try {
        await this.socket.send([server, ...request.frames])
      } catch (error) {
        if (isUnroutable(error)) continue
        throw error
      }
      request.server = server
      this.#emit({ type: "send", server, sequence: request.sequence })
      return
    }
  }

  async #ping(server: string): Promise<void> {
    try {
      await this.socket.send([server, FREELANCE_PING])
    } catch (error) {
      if (isUnroutable(error)) return // not connected: the next PING may find it
      throw error
    }
    this.#emit({ type: "ping", server })
  }

  /** Requests sent to nobody (no server was connected) go out now. */
  async #dispatchWaiting(): Promise<void> {
    for (const request of [...this.#pending.values()]) if (request.server === undefined) await this.#dispatch(request)
  }

  /** The connection to `server` is up (again): PING it at once rather than at the next interval. */
  async #connected(server: string): Promise<void> {
    if (!this.#servers.has(server)) return
    this.#down.delete(server)
    await this.#ping(server)
    await this.#dispatchWaiting()
  }

  /** The connection to `server` dropped: what was sent to it is resent now, to another server if one is up. */
  async #disconnected(server: string): Promise<void> {
    if (!this.#servers.has(server)) return
    this.#down.add(server)
    for (const request of [...this.#pending.values()]) if (request.server === server) await this.#dispatch(request)
  }

  /** [server, "PONG"] or [server, CCF, reply…]. */
  async #fromServer(message: Message[]): Promise<void> {
    const server = message[0]!.toString("utf8")
    const heard = this.#servers.heard(server, performance.now())
    if (heard === "unknown") {
      this.#emit({ type: "unknown", server })
      return
    }
    if (heard === "revived") this.#emit({ type: "alive", server })
    if (message.length === 2 && message[1]!.equals(FREELANCE_PONG)) {
      this.#emit({ type: "pong", server })
    } else {
      const sequence = message.length >= 3 ? decodeSequence(message[1]!) : undefined
      const request = sequence === undefined ? undefined : this.#pending.get(sequence)
      if (request === undefined) {
        this.#emit({ type: "stale", server, sequence })
      } else {
        this.#pending.delete(request.sequence)
        this.#emit({ type: "reply", server, sequence: request.sequence })
        request.resolve(message.slice(2))
      }
    }
    if (heard === "revived") await this.#dispatchWaiting()
  }
}
