import { Dealer, Poller, type Context } from "@zmq-ts/core"
import { localError, PatternErrorCode } from "./errors.js"
import {
  MDP_HEARTBEAT_INTERVAL,
  MDP_HEARTBEAT_LIVENESS,
  MDP_RECONNECT_INTERVAL,
  MdpCommand,
  MMI_PREFIX,
  mdpLog,
  parseWorkerInbound,
  workerCommand,
  workerReply,
  type MdpFrame,
} from "./majordomo-protocol.js"
import { cancellableSleep, checkCount, checkTimeout, closedOr } from "./wait.js"

export interface MajordomoWorkerOptions {
  /** How often to send HEARTBEAT while waiting for a request, in ms. Default 2500 (mdwrkapi). */
  readonly heartbeat?: number
  /** How long to wait before reconnecting after the broker was found gone, in ms. Default 2500. */
  readonly reconnect?: number
  /** Missed heartbeats before the broker is taken for dead (3–5 per RFC 7 "Heartbeating"). Default 3. */
  readonly liveness?: number
  /** Log what is sent and received on stderr, as the Guide's `-v`. Default false. */
  readonly verbose?: boolean
  /** The context of the socket. Default: the shared context. */
  readonly context?: Context
}

/** What `serve()` does with one request: the reply body, at once or later. */
export type MajordomoHandler = (request: Buffer[]) => Promise<readonly (Buffer | string)[]> | readonly (Buffer | string)[]

/**
 * A Majordomo worker (MDP/Worker, RFC 7; the Guide's mdwrkapi) for one service: a DEALER that registers
 * with READY, then takes one request at a time.
 *
 * ```ts
 * const worker = new MajordomoWorker("tcp://localhost:5555", "echo")
 * let reply: Buffer[] | undefined
 * for (;;) reply = await worker.receive(reply) // echo: send back what came
 * ```
 *
 * `receive(reply)` is mdwrk_recv: it sends `reply` (if given) to the client of the last request, then waits
 * for the next request and resolves with its body. While waiting it sends HEARTBEAT every `heartbeat` ms and
 * counts the broker's; after `liveness` silent intervals (or on DISCONNECT) it waits `reconnect` ms, opens a
 * new socket and registers again (RFC 7 "Opening and Closing a Connection": a reconnected ZeroMQ socket does
 * not re-register by itself). As in the Guide, heartbeats are sent only inside `receive()`: a worker stuck
 * in its work falls silent, and the broker stops giving it requests.
 *
 * `close()` sends DISCONNECT (best effort), closes the socket and makes a pending `receive()` reject with
 * `ERR_PATTERN_CLOSED`. An interrupt (SIGINT via s_catch_signals) rejects it with core's EINTR error.
 */
export class MajordomoWorker {
  readonly broker: string
  readonly service: string
  readonly #heartbeat: number
  readonly #reconnect: number
  readonly #liveness: number
  readonly #verbose: boolean
  readonly #context: Context | undefined
  #socket: Dealer | undefined
  /** The client address of the request being worked on (mdwrkapi's reply_to). */
  #replyTo: Buffer | undefined
  #heartbeatAt = 0
  #livenessLeft = 0
  #closed = false
  #receiving = false
  #pause: { cancel(): void } | undefined
  #handled = 0

  constructor(broker: string, service: string, options: MajordomoWorkerOptions = {}) {
    if (service.startsWith(MMI_PREFIX)) {
      // RFC 8 "Namespace": the broker would disconnect it; say so at once.
      throw localError(PatternErrorCode.INVALID_OPTION, `service ${service} is in the broker's mmi.* namespace`)
    }
    this.broker = broker
    this.service = service
    this.#heartbeat = checkCount("heartbeat", options.heartbeat ?? MDP_HEARTBEAT_INTERVAL, 1)
    this.#reconnect = checkTimeout("reconnect", options.reconnect ?? MDP_RECONNECT_INTERVAL)
    this.#liveness = checkCount("liveness", options.liveness ?? MDP_HEARTBEAT_LIVENESS, 1)
    this.#verbose = options.verbose ?? false
    this.#context = options.context
  }

  /** True once `close()` was called. */
  get closed(): boolean {
    return this.#closed
  }

  /** How many replies this worker has sent. */
  get handled(): number {
    return this.#handled
  }

  /**
   * Sends `reply` to the client of the last request (if given), then resolves with the next request's body.
   * Connects and registers on the first call.
   */
  async receive(reply?: readonly (Buffer | string)[]): Promise<Buffer[]> {
    if (this.#closed) throw localError(PatternErrorCode.CLOSED, "worker is closed")
    if (this.#receiving) throw localError(PatternErrorCode.INVALID_STATE, "receive() is already waiting")
    this.#receiving = true
    try {
      if (this.#socket === undefined) await this.#connect()
      if (reply !== undefined) {
        // mdwrkapi asserts reply_to; without a request to answer there is nobody to send it to.
        if (this.#replyTo === undefined) throw localError(PatternErrorCode.INVALID_STATE, "no request to reply to")
        await this.#send(workerReply(this.#replyTo, reply))
        this.#handled++
      }
      this.#replyTo = undefined
      return await this.#next()
    } catch (error) {
      throw closedOr(error, this.#closed, "worker was closed")
    } finally {
      this.#receiving = false
    }
  }

  /** Answers requests with `handler` until `close()` (resolves then) or an error (rejects with it). */
  async serve(handler: MajordomoHandler): Promise<void> {
    let reply: readonly (Buffer | string)[] | undefined
    for (;;) {
      let request: Buffer[]
      try {
        request = await this.receive(reply)
      } catch (error) {
        if (this.#closed) return
        throw error
      }
      reply = await handler(request)
    }
  }

  /** Sends DISCONNECT (best effort) and closes the socket; a pending `receive()` rejects with ERR_PATTERN_CLOSED. */
  close(): void {
    if (this.#closed) return
    this.#closed = true
    this.#pause?.cancel()
    const socket = this.#socket
    this.#socket = undefined
    if (socket !== undefined && !socket.closed) {
      // RFC 7: "The worker MAY send DISCONNECT at any time". Without waiting (close() is synchronous): a short
      // linger lets it leave.
      socket.linger = 100
      void socket.send(workerCommand(MdpCommand.DISCONNECT)).catch(() => {})
      socket.close()
    }
  }

  async #send(message: Buffer[]): Promise<void> {
    if (this.#verbose) mdpLog(`I: sending ${commandName(message[2]!)} to broker`, message)
    await this.#socket!.send(message)
  }

  /** mdwrk_connect_to_broker: a new socket, READY, full liveness. */
  async #connect(): Promise<void> {
    this.#socket?.close()
    const context = this.#context === undefined ? {} : { context: this.#context }
    this.#socket = new Dealer({ linger: 0, ...context })
    this.#socket.connect(this.broker)
    if (this.#verbose) mdpLog(`I: connecting to broker at ${this.broker}...`)
    await this.#send(workerCommand(MdpCommand.READY, [this.service]))
    this.#livenessLeft = this.#liveness
    this.#heartbeatAt = performance.now() + this.#heartbeat
  }

  async #next(): Promise<Buffer[]> {
    for (;;) {
      const socket = this.#socket!
      const ready = await new Poller().add(socket).poll(this.#heartbeat)
      if (ready.length > 0) {
        const message = await socket.receive()
        if (this.#verbose) mdpLog(`I: received message from broker:`, message)
        this.#livenessLeft = this.#liveness
        const command = parseWorkerInbound(message)
        if (command.command === MdpCommand.REQUEST) {
          this.#replyTo = command.client
          return command.body
        }
        if (command.command === MdpCommand.DISCONNECT) await this.#connect()
        else if (command.command === "invalid" && this.#verbose) mdpLog(`E: invalid input message (${command.reason})`)
      } else if (--this.#livenessLeft === 0) {
        if (this.#verbose) mdpLog("W: disconnected from broker - retrying...")
        const pause = cancellableSleep(this.#reconnect)
        this.#pause = pause
        await pause.done
        this.#pause = undefined
        if (this.#closed) throw localError(PatternErrorCode.CLOSED, "worker was closed")
        await this.#connect()
      }
      if (performance.now() >= this.#heartbeatAt) {
        await this.#send(workerCommand(MdpCommand.HEARTBEAT))
        this.#heartbeatAt = performance.now() + this.#heartbeat
      }
    }
  }
}

function commandName(code: Buffer): string {
  switch (code[0]) {
    case MdpCommand.READY:
      return "READY"
    case MdpCommand.REPLY:
      return "REPLY"
    case MdpCommand.HEARTBEAT:
      return "HEARTBEAT"
    case MdpCommand.DISCONNECT:
      return "DISCONNECT"
    default:
      return "REQUEST"
  }
}
