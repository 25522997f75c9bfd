import { Pull, XPublisher, type Context, type Message, type PullOptions, type XPublisherOptions } from "@zmq-ts/core"
import { attach, type Attachments } from "./attachment.js"
import { localError, PatternErrorCode } from "./errors.js"
import { decodeBatchStart, PIPELINE_KILL, type BatchStart } from "./pipeline-signals.js"
import { checkCount, checkTimeout, closedOr, deadlineAfter, receiveBefore, remaining } from "./wait.js"

export interface SinkOptions {
  /** Where the PULL socket for results (and the batch start) goes; a string binds (the Guide: "tcp://*:5558"). */
  readonly endpoint: Attachments
  /** Where the publisher of KILL goes; a string binds (the Guide: "tcp://*:5559"). */
  readonly control: Attachments
  /** The context of both sockets. Default: the shared context. */
  readonly context?: Context
  readonly receiverOptions?: Omit<PullOptions, "context">
  readonly controllerOptions?: Omit<XPublisherOptions, "context" | "verbosity" | "manual">
}

export interface CollectOptions {
  /** How many results to collect. Default: the task count of the ventilator's batch start (waited for). */
  readonly results?: number
  /** ms to wait in all; -1 waits forever. Default -1. ERR_PATTERN_TIMEOUT when it runs out. */
  readonly timeout?: number
}

export interface KillOptions {
  /**
   * How many workers must be listening before KILL goes out (so none misses it). Default: the worker count
   * of the last batch start, else 0 (send at once).
   */
  readonly workers?: number
  /** Also wait until every worker that heard KILL has disconnected (tcp/ipc; inproc too). Default false. */
  readonly waitForExit?: boolean
  /** ms to wait in all; -1 waits forever. Default -1. ERR_PATTERN_TIMEOUT when it runs out. */
  readonly timeout?: number
}

const KILL_FRAME = Buffer.from(PIPELINE_KILL)

/**
 * The pipeline's sink (the Guide's tasksink2): collects the results of a batch, then broadcasts KILL so the
 * workers exit.
 *
 * The kill signal goes out on an XPUB (a PUB to the workers' SUB sockets), which lets the sink count the
 * workers listening for it: `kill()` first waits until as many are subscribed as the batch had workers, so a
 * worker whose SUB connected late still hears KILL (a plain PUB would drop it for that worker).
 *
 * ```ts
 * await using sink = new Sink({ endpoint: "tcp://*:5558", control: "tcp://*:5559" })
 * await sink.bind()
 * const results = await sink.collect()
 * await sink.kill({ waitForExit: true })
 * ```
 */
export class Sink implements AsyncDisposable {
  /** The PULL socket for results and batch starts. */
  readonly receiver: Pull
  /** The XPUB that broadcasts KILL (every subscription and cancel is passed to the sink, to count workers). */
  readonly controller: XPublisher
  readonly #options: SinkOptions
  #endpoints: string[] = []
  #controlEndpoints: string[] = []
  #bound = false
  #batch: BatchStart | undefined
  #killSubscribers = 0
  readonly #waiters = new Set<() => void>()

  constructor(options: SinkOptions) {
    this.#options = options
    const context = options.context === undefined ? {} : { context: options.context }
    this.receiver = new Pull({ ...options.receiverOptions, ...context })
    this.controller = new XPublisher({ ...options.controllerOptions, verbosity: "allSubsUnsubs", ...context })
  }

  /** The endpoints the result socket is bound to, wildcards resolved (after `bind()`). */
  get endpoints(): readonly string[] {
    return this.#endpoints
  }

  /** The endpoints the control socket is bound to, wildcards resolved (after `bind()`). */
  get controlEndpoints(): readonly string[] {
    return this.#controlEndpoints
  }

  /** How many subscribers would receive KILL now (workers subscribe to it; a subscriber to "" counts too). */
  get killSubscribers(): number {
    return this.#killSubscribers
  }

  /** The last batch start received from the ventilator. */
  get batch(): BatchStart | undefined {
    return this.#batch
  }

  async bind(): Promise<void> {
    if (this.#bound) throw localError(PatternErrorCode.INVALID_STATE, "sink is already bound")
    this.#bound = true
    this.#endpoints = await attach(this.receiver, this.#options.endpoint, "endpoint")
    this.#controlEndpoints = await attach(this.controller, this.#options.control, "control")
    void this.#watchSubscriptions()
  }

  async #watchSubscriptions(): Promise<void> {
    for await (const [frame] of this.controller) {
      if (frame === undefined || frame.length === 0 || frame[0]! > 1) continue
      const topic = frame.subarray(1)
      if (!KILL_FRAME.subarray(0, topic.length).equals(topic)) continue
      this.#killSubscribers += frame[0] === 1 ? 1 : -1
      this.#changed()
    }
    this.#changed()
  }

  #changed(): void {
    for (const waiter of [...this.#waiters]) waiter()
  }

  /**
   * Collects one batch of results, in arrival order: waits for the ventilator's batch start (unless
   * `results` says how many) and for that many results. A result that arrives before the batch start
   * counts. Rejects with ERR_PATTERN_TIMEOUT after `timeout`, ERR_PATTERN_CLOSED if closed meanwhile.
   */
  async collect(options: CollectOptions = {}): Promise<Message[][]> {
    if (!this.#bound) throw localError(PatternErrorCode.INVALID_STATE, "bind() before collect()")
    let expected = options.results === undefined ? undefined : checkCount("results", options.results, 0)
    const deadline = deadlineAfter(checkTimeout("timeout", options.timeout ?? -1))
    const results: Message[][] = []
    try {
      while (expected === undefined || results.length < expected) {
        const what = expected === undefined ? "the batch start" : `${expected - results.length} more results`
        const message = await receiveBefore(this.receiver, deadline, what)
        const batch = decodeBatchStart(message)
        if (batch === undefined) {
          results.push(message)
          continue
        }
        this.#batch = batch
        expected ??= batch.tasks
      }
    } catch (error) {
      throw closedOr(error, this.receiver.closed, "sink was closed while collecting")
    }
    return results
  }

  /**
   * Broadcasts KILL once `workers` workers are listening for it; with `waitForExit`, resolves only once they
   * have all disconnected. Rejects with ERR_PATTERN_TIMEOUT after `timeout`, ERR_PATTERN_CLOSED if closed.
   */
  async kill(options: KillOptions = {}): Promise<void> {
    if (!this.#bound) throw localError(PatternErrorCode.INVALID_STATE, "bind() before kill()")
    const workers = checkCount("workers", options.workers ?? this.#batch?.workers ?? 0, 0)
    const deadline = deadlineAfter(checkTimeout("timeout", options.timeout ?? -1))
    await this.#until(() => this.#killSubscribers >= workers, deadline, `${workers} workers to listen for KILL`)
    await this.controller.send(KILL_FRAME)
    if (options.waitForExit === true) await this.#until(() => this.#killSubscribers === 0, deadline, "the workers to exit")
  }

  #until(condition: () => boolean, deadline: number, what: string): Promise<void> {
    return new Promise((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined
      const finish = (): void => {
        this.#waiters.delete(check)
        if (timer !== undefined) clearTimeout(timer)
      }
      const check = (): void => {
        if (condition()) {
          finish()
          resolve()
        } else if (this.controller.closed) {
          finish()
          reject(localError(PatternErrorCode.CLOSED, `sink was closed while waiting for ${what}`))
        }
      }
      this.#waiters.add(check)
      const left = remaining(deadline)
      if (left >= 0) {
        timer = setTimeout(() => {
          finish()
          reject(localError(PatternErrorCode.TIMEOUT, `timed out waiting for ${what} (${this.#killSubscribers} listening)`))
        }, left)
      }
      check()
    })
  }

  close(): void {
    this.receiver.close()
    this.controller.close()
    this.#changed()
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.close()
  }
}
