import { Poller, Request, type Context, type Message } from "@zmq-ts/core"
import { isInterrupted } from "@zmq-ts/zhelpers"
import { localError, PatternErrorCode } from "./errors.js"
import {
  MDP_REQUEST_RETRIES,
  MDP_REQUEST_TIMEOUT,
  MDPC_CLIENT,
  mdpLog,
  parseClientReply,
  type MdpFrame,
} from "./majordomo-protocol.js"
import { checkCount, checkTimeout, closedOr } from "./wait.js"

export interface MajordomoClientOptions {
  /** How long to wait for each reply before reconnecting and resending, in ms. Default 2500 (mdcliapi). */
  readonly timeout?: number
  /** How many times a request is sent before giving up. Default 3 (mdcliapi's REQUEST_RETRIES). */
  readonly retries?: number
  /** Log what is sent and received on stderr, as the Guide's `-v`. Default false. */
  readonly verbose?: boolean
  /** The context of the socket. Default: the shared context. */
  readonly context?: Context
}

/**
 * A Majordomo client (MDP/Client, RFC 7; the Guide's mdcliapi): synchronous request-reply over a REQ socket,
 * with the Lazy Pirate's recovery — if no reply comes within `timeout`, the socket is closed, a new one
 * connects, and the request is sent again, up to `retries` times in all.
 *
 * ```ts
 * const client = new MajordomoClient("tcp://localhost:5555")
 * const reply = await client.request("echo", ["Hello world"]) // Buffer[] | undefined
 * client.close()
 * ```
 *
 * `request()` resolves with the reply body (the frames after "MDPC01" and the service name), or `undefined`
 * once every try timed out (mdcli_send returns NULL), or when the process was interrupted (SIGINT, caught by
 * zhelpers' s_catch_signals). Requests from one client are **queued**: a `request()` made while another is
 * pending starts after it ends, so replies come back in the order asked, as MDP/Client is strictly
 * synchronous (RFC 7 "MDP/Client"). `close()` rejects the pending and queued requests with
 * `ERR_PATTERN_CLOSED`.
 *
 * Requests may be delivered more than once (a retry after a lost reply): Majordomo assumes idempotent
 * workers (RFC 7 "Architecture"; the Guide's "Idempotent Services").
 */
export class MajordomoClient {
  readonly broker: string
  readonly #timeout: number
  readonly #retries: number
  readonly #verbose: boolean
  readonly #context: Context | undefined
  #socket: Request | undefined
  #queue: Promise<unknown> = Promise.resolve()
  #closed = false

  constructor(broker: string, options: MajordomoClientOptions = {}) {
    this.broker = broker
    this.#timeout = checkTimeout("timeout", options.timeout ?? MDP_REQUEST_TIMEOUT)
    this.#retries = checkCount("retries", options.retries ?? MDP_REQUEST_RETRIES, 1)
    this.#verbose = options.verbose ?? false
    this.#context = options.context
    this.#connect()
  }

  /** True once `close()` was called. */
  get closed(): boolean {
    return this.#closed
  }

  /**
   * Sends `body` to `service` and resolves with the reply body, or `undefined` after `retries` tries without
   * a reply. Queued behind a request still pending on this client.
   */
  request(service: string, body: readonly (Buffer | string)[]): Promise<Buffer[] | undefined> {
    if (this.#closed) return Promise.reject(localError(PatternErrorCode.CLOSED, "client is closed"))
    const run = this.#queue.then(() => this.#request(service, body))
    this.#queue = run.catch(() => undefined)
    return run
  }

  /** Closes the socket (linger 0); pending and queued requests reject with ERR_PATTERN_CLOSED. */
  close(): void {
    this.#closed = true
    this.#socket?.close()
    this.#socket = undefined
  }

  /** mdcli_connect_to_broker: a fresh REQ socket each time (a REQ that lost its reply can't send again). */
  #connect(): void {
    this.#socket?.close()
    const context = this.#context === undefined ? {} : { context: this.#context }
    this.#socket = new Request({ linger: 0, ...context })
    this.#socket.connect(this.broker)
    if (this.#verbose) mdpLog(`I: connecting to broker at ${this.broker}...`)
  }

  async #request(service: string, body: readonly MdpFrame[]): Promise<Buffer[] | undefined> {
    if (this.#closed) throw localError(PatternErrorCode.CLOSED, "client is closed")
    // REQ adds frame 0 itself (RFC 7 "MDP/Client"): [MDPC01, service, body…].
    const request: MdpFrame[] = [MDPC_CLIENT, service, ...body]
    for (let left = this.#retries; left > 0; left--) {
      const socket = this.#socket!
      if (this.#verbose) mdpLog(`I: send request to '${service}' service:`, request.map(toBuffer))
      try {
        await socket.send(request)
        const ready = await new Poller().add(socket).poll(this.#timeout)
        if (ready.length > 0) {
          const message = await socket.receive()
          if (this.#verbose) mdpLog(`I: received reply:`, message)
          const reply = parseClientReply(message, false, service)
          if (reply !== undefined) return reply
          // A malformed reply (mdcliapi asserts): treated as no reply, so the request is tried again.
          if (this.#verbose) mdpLog("W: malformed reply, discarding")
        }
      } catch (error) {
        if (isInterrupted(error)) {
          if (this.#verbose) mdpLog("W: interrupt received, killing client...")
          return undefined
        }
        throw closedOr(error, this.#closed || socket.closed, "client was closed during the request")
      }
      if (this.#closed) throw localError(PatternErrorCode.CLOSED, "client was closed during the request")
      if (left > 1) {
        if (this.#verbose) mdpLog("W: no reply, reconnecting...")
        this.#connect()
      }
    }
    if (this.#verbose) mdpLog("W: permanent error, abandoning")
    // A fresh socket for the next request: this one still waits for the abandoned reply.
    this.#connect()
    return undefined
  }
}

const toBuffer = (frame: MdpFrame): Message => (typeof frame === "string" ? Buffer.from(frame) : frame)
