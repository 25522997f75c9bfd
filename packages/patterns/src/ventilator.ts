import { Push, type Context, type MessageLike, type PushOptions } from "@zmq-ts/core"
import { attach, type Attachments } from "./attachment.js"
import { localError, PatternErrorCode } from "./errors.js"
import { encodeBatchStart } from "./pipeline-signals.js"
import { checkCount, checkTimeout } from "./wait.js"

export interface VentilatorOptions {
  /** Where the PUSH socket that hands out tasks goes; a string binds (the Guide: "tcp://*:5557"). */
  readonly endpoint: Attachments
  /** The sink's endpoint for the batch start (a PUSH connects; the Guide: "tcp://localhost:5558"). */
  readonly sinkEndpoint: string
  /** The context of both sockets. Default: the shared context. */
  readonly context?: Context
  /** Options of the task PUSH socket. */
  readonly senderOptions?: Omit<PushOptions, "context">
  /** Options of the PUSH socket to the sink. */
  readonly sinkOptions?: Omit<PushOptions, "context">
}

/** What `dispatch()` sends: one task message, a frame or an array of frames. */
export type Task = MessageLike | readonly MessageLike[]

/**
 * The pipeline's ventilator (the Guide's taskvent): tells the sink a batch starts, then hands the tasks out
 * round-robin to the connected workers (PUSH).
 *
 * The Guide waits for "Enter" so the workers can connect first: with PUSH, the first worker to connect would
 * otherwise get the whole batch. `waitForWorkers(n)` waits instead until n workers are connected to the task
 * socket — counted from its pipes to peers (over tcp and ipc made at each handshake, over inproc at each
 * connect), so every task sent afterwards is spread over all of them.
 *
 * ```ts
 * await using ventilator = new Ventilator({ endpoint: "tcp://*:5557", sinkEndpoint: "tcp://localhost:5558" })
 * await ventilator.bind()
 * await ventilator.waitForWorkers(4, { timeout: 10_000 })
 * await ventilator.dispatch(workloads.map(String))
 * ```
 */
export class Ventilator implements AsyncDisposable {
  /** The PUSH socket that hands out tasks. */
  readonly sender: Push
  /** The PUSH socket that tells the sink a batch starts. */
  readonly sink: Push
  readonly #options: VentilatorOptions
  #endpoints: string[] = []
  #bound = false

  constructor(options: VentilatorOptions) {
    this.#options = options
    const context = options.context === undefined ? {} : { context: options.context }
    this.sender = new Push({ ...options.senderOptions, ...context })
    this.sink = new Push({ ...options.sinkOptions, ...context })
  }

  /** The endpoints the task socket is bound to, wildcards resolved (after `bind()`). */
  get endpoints(): readonly string[] {
    return this.#endpoints
  }

  /** How many workers are connected to the task socket now. */
  get connectedWorkers(): number {
    return this.sender.closed ? 0 : this.sender.peerCount
  }

  /** Binds the task socket and connects to the sink. */
  async bind(): Promise<void> {
    if (this.#bound) throw localError(PatternErrorCode.INVALID_STATE, "ventilator is already bound")
    this.#bound = true
    this.#endpoints = await attach(this.sender, this.#options.endpoint, "endpoint")
    this.sink.connect(this.#options.sinkEndpoint)
  }

  /**
   * Resolves once `count` workers are connected (instead of the Guide's "press Enter"). Rejects with
   * ERR_PATTERN_TIMEOUT after `timeout` ms (default -1: forever), ERR_PATTERN_CLOSED if closed meanwhile.
   */
  waitForWorkers(count: number, options: { readonly timeout?: number } = {}): Promise<number> {
    try {
      checkCount("count", count, 0)
      checkTimeout("timeout", options.timeout ?? -1)
    } catch (error) {
      return Promise.reject(error)
    }
    const timeout = options.timeout ?? -1
    return new Promise((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined
      let stopWatching = (): void => {}
      const finish = (): void => {
        stopWatching()
        if (timer !== undefined) clearTimeout(timer)
      }
      const check = (): void => {
        if (this.connectedWorkers >= count) {
          finish()
          resolve(this.connectedWorkers)
        } else if (this.sender.closed) {
          finish()
          reject(localError(PatternErrorCode.CLOSED, "ventilator was closed while waiting for workers"))
        }
      }
      stopWatching = this.sender.watchReadiness(check)
      if (timeout >= 0) {
        timer = setTimeout(() => {
          finish()
          reject(localError(PatternErrorCode.TIMEOUT, `timed out waiting for ${count} workers (${this.connectedWorkers} connected)`))
        }, timeout)
      }
      check()
    })
  }

  /**
   * Sends the batch start to the sink — how many tasks, and how many workers (default: those connected now)
   * so the sink can make sure each one hears the kill signal — then every task, in order. Resolves with the
   * number of tasks once all are queued. With no worker connected, tasks wait for one (PUSH).
   */
  async dispatch(tasks: Iterable<Task>, options: { readonly workers?: number } = {}): Promise<number> {
    if (!this.#bound) throw localError(PatternErrorCode.INVALID_STATE, "bind() before dispatch()")
    const list = [...tasks]
    const workers = checkCount("workers", options.workers ?? this.connectedWorkers, 0)
    await this.sink.send(encodeBatchStart({ tasks: list.length, workers }))
    for (const task of list) await this.sender.send(task)
    return list.length
  }

  close(): void {
    this.sender.close()
    this.sink.close()
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.close()
  }
}
