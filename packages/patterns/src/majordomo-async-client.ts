import { Dealer, Poller, type Context } from "@zmq-ts/core"
import { isInterrupted } from "@zmq-ts/zhelpers"
import { localError, PatternErrorCode } from "./errors.js"
import { MDP_REQUEST_TIMEOUT, clientRequest, mdpLog, parseClientReply } from "./majordomo-protocol.js"
import { checkTimeout, closedOr } from "./wait.js"

export interface MajordomoAsyncClientOptions {
  /** How long `receive()` waits for a reply, in ms (-1: forever). Default 2500 (mdcliapi2). */
  readonly timeout?: number
  /** Log what is sent and received on stderr, as the Guide's `-v`. Default false. */
  readonly verbose?: boolean
  /** The context of the socket. Default: the shared context. */
  readonly context?: Context
}

/**
 * The asynchronous Majordomo client (MDP/Client over a DEALER, RFC 7; the Guide's mdcliapi2): `send()`
 * returns as soon as the request is queued, so many requests can be in flight; `receive()` waits (up to
 * `timeout`) for the next reply, whichever request it answers.
 *
 * ```ts
 * const client = new MajordomoAsyncClient("tcp://localhost:5555")
 * for (let i = 0; i < 1000; i++) await client.send("echo", ["Hello world"])
 * for (let i = 0; i < 1000; i++) if ((await client.receive()) === undefined) break
 * client.close()
 * ```
 *
 * As the Guide says of mdcliapi2, it does not retry and does not survive a broker crash: replies carry no
 * request number, so the application decides what to resend. `receive()` resolves with the reply body, or
 * `undefined` after `timeout` or on an interrupt (SIGINT via s_catch_signals), as mdcli_recv returns NULL.
 * Calls to `receive()` are served in order, one reply each. `close()` rejects pending calls with
 * `ERR_PATTERN_CLOSED`.
 */
export class MajordomoAsyncClient {
  readonly broker: string
  readonly #socket: Dealer
  readonly #timeout: number
  readonly #verbose: boolean
  #receives: Promise<unknown> = Promise.resolve()

  constructor(broker: string, options: MajordomoAsyncClientOptions = {}) {
    this.broker = broker
    this.#timeout = checkTimeout("timeout", options.timeout ?? MDP_REQUEST_TIMEOUT)
    this.#verbose = options.verbose ?? false
    const context = options.context === undefined ? {} : { context: options.context }
    this.#socket = new Dealer({ linger: 0, ...context })
    this.#socket.connect(broker)
    if (this.#verbose) mdpLog(`I: connecting to broker at ${broker}...`)
  }

  /** True once `close()` was called. */
  get closed(): boolean {
    return this.#socket.closed
  }

  /** Queues a request for `service`; resolves once the socket has taken it (not when it is answered). */
  async send(service: string, body: readonly (Buffer | string)[]): Promise<void> {
    if (this.#socket.closed) throw localError(PatternErrorCode.CLOSED, "client is closed")
    // A DEALER must write frame 0 itself (RFC 7 "MDP/Client").
    const request = clientRequest(service, body)
    if (this.#verbose) mdpLog(`I: send request to '${service}' service:`, request)
    try {
      await this.#socket.send(request)
    } catch (error) {
      throw closedOr(error, this.#socket.closed, "client was closed during send")
    }
  }

  /** The body of the next reply, or `undefined` after `timeout` ms without one. */
  receive(): Promise<Buffer[] | undefined> {
    if (this.#socket.closed) return Promise.reject(localError(PatternErrorCode.CLOSED, "client is closed"))
    const run = this.#receives.then(() => this.#receive())
    this.#receives = run.catch(() => undefined)
    return run
  }

  /** Closes the socket (linger 0): requests not yet sent are dropped. */
  close(): void {
    this.#socket.close()
  }

  async #receive(): Promise<Buffer[] | undefined> {
    const socket = this.#socket
    try {
      for (;;) {
        if (socket.closed) throw localError(PatternErrorCode.CLOSED, "client is closed")
        const ready = await new Poller().add(socket).poll(this.#timeout)
        if (ready.length === 0) {
          if (this.#verbose) mdpLog("W: permanent error, abandoning request")
          return undefined
        }
        const message = await socket.receive()
        if (this.#verbose) mdpLog(`I: received reply:`, message)
        const reply = parseClientReply(message, true)
        if (reply !== undefined) return reply
        if (this.#verbose) mdpLog("W: malformed reply, discarding")
      }
    } catch (error) {
      if (isInterrupted(error)) {
        if (this.#verbose) mdpLog("W: interrupt received, killing client...")
        return undefined
      }
      throw closedOr(error, socket.closed, "client was closed during receive")
    }
  }
}
