import {
  Poller,
  Pull,
  Push,
  Subscriber,
  ZmqError,
  type Context,
  type Message,
  type MessageLike,
  type PullOptions,
  type PushOptions,
  type Socket,
  type SubscriberOptions,
} from "@zmq-ts/core"
import { localError, PatternErrorCode } from "./errors.js"
import { PIPELINE_KILL } from "./pipeline-signals.js"

/** What a worker makes of one task: the result message (a frame or several), at once or later. */
export type TaskHandler = (task: Message[]) => MessageLike | readonly MessageLike[] | Promise<MessageLike | readonly MessageLike[]>

export interface PipelineWorkerOptions {
  /** The ventilator's task endpoint (a PULL connects; the Guide: "tcp://localhost:5557"). */
  readonly ventilator: string
  /** The sink's result endpoint (a PUSH connects; the Guide: "tcp://localhost:5558"). */
  readonly sink: string
  /** The sink's control endpoint, for KILL (a SUB connects; the Guide: "tcp://localhost:5559"). */
  readonly control: string
  /** Makes a task's result. A handler that throws ends the worker: `run()` rejects with its error. */
  readonly handler: TaskHandler
  /** The context of the sockets. Default: the shared context. */
  readonly context?: Context
  readonly receiverOptions?: Omit<PullOptions, "context">
  readonly senderOptions?: Omit<PushOptions, "context">
  readonly controllerOptions?: Omit<SubscriberOptions, "context">
}

/** Why a worker's `run()` ended: the sink's KILL, or `stop()`. */
export interface PipelineWorkerExit {
  readonly reason: "killed" | "stopped"
  /** How many tasks it processed. */
  readonly tasks: number
}

const KILL_FRAME = Buffer.from(PIPELINE_KILL)

/**
 * A pipeline worker (the Guide's taskwork2): pulls tasks from the ventilator, pushes each result to the
 * sink, and exits cleanly — every socket closed, `run()` resolved — when the sink broadcasts KILL.
 *
 * ```ts
 * const worker = new PipelineWorker({ ventilator, sink, control, handler: async ([ms]) => { await s_sleep(Number(ms)); return "" } })
 * const { tasks } = await worker.run() // until KILL
 * ```
 *
 * It subscribes to KILL and connects its SUB before its PULL, so that by the time the ventilator counts it
 * as connected its kill subscription is under way (the sink waits for it before killing: `Sink.kill()`).
 */
export class PipelineWorker implements AsyncDisposable {
  readonly receiver: Pull
  readonly sender: Push
  readonly controller: Subscriber
  readonly #options: PipelineWorkerOptions
  #exit: Promise<PipelineWorkerExit> | undefined
  #stopping = false
  #tasks = 0

  constructor(options: PipelineWorkerOptions) {
    if (typeof options.handler !== "function") throw localError(PatternErrorCode.INVALID_OPTION, "handler must be a function")
    this.#options = options
    const context = options.context === undefined ? {} : { context: options.context }
    this.receiver = new Pull({ ...options.receiverOptions, ...context })
    this.sender = new Push({ ...options.senderOptions, ...context })
    this.controller = new Subscriber({ ...options.controllerOptions, ...context })
  }

  /** How many tasks this worker has processed so far. */
  get tasks(): number {
    return this.#tasks
  }

  /**
   * Connects and processes tasks until KILL (or `stop()`), then closes its sockets (results already sent
   * are still delivered, within `linger`). Resolves with why it ended.
   */
  run(): Promise<PipelineWorkerExit> {
    if (this.#exit !== undefined) return Promise.reject(localError(PatternErrorCode.INVALID_STATE, "worker was already run"))
    this.#exit = this.#run()
    return this.#exit
  }

  async #run(): Promise<PipelineWorkerExit> {
    const { receiver, sender, controller } = this
    try {
      controller.subscribe(KILL_FRAME)
      controller.connect(this.#options.control)
      sender.connect(this.#options.sink)
      receiver.connect(this.#options.ventilator)
      const poller = new Poller<Socket>().add(receiver).add(controller)
      while (!this.#stopping) {
        let ready
        try {
          ready = await poller.poll()
        } catch (error) {
          if (this.#stopping && ZmqError.isInstance(error) && error.code === "EINTR") break
          throw error
        }
        for (const { socket } of ready) {
          if (socket === receiver) {
            //  Process task
            const result = await this.#options.handler(await receiver.receive())
            await sender.send(result as MessageLike | MessageLike[])
            this.#tasks++
          } else {
            //  Any waiting controller command acts as 'KILL'
            const [command] = await controller.receive()
            if (command !== undefined && command.equals(KILL_FRAME)) return { reason: "killed", tasks: this.#tasks }
          }
        }
      }
      return { reason: "stopped", tasks: this.#tasks }
    } finally {
      receiver.close()
      sender.close()
      controller.close()
    }
  }

  /** Ends `run()` after the task in hand (tasks still queued for this worker are not processed). */
  stop(): void {
    if (this.#stopping) return
    this.#stopping = true
    if (!this.controller.closed) this.controller.interrupt() // wakes the poll
  }

  /** `stop()`, then waits for `run()` to end (or closes the sockets if it never ran). */
  async [Symbol.asyncDispose](): Promise<void> {
    this.stop()
    if (this.#exit === undefined) {
      this.receiver.close()
      this.sender.close()
      this.controller.close()
      return
    }
    await this.#exit.catch(() => {})
  }
}
