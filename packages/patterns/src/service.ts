import { isInterrupted } from "@zmq-ts/zhelpers"
import { localError, PatternErrorCode } from "./errors.js"
import { isClosing } from "./wait.js"

/** Where a service is in its life: `new` → `running` (after `start()`) → `stopped` (after `stop()` or a failure). */
export type ServiceState = "new" | "running" | "stopped"

/**
 * What the long-running patterns (brokers, queue, bridge) have in common: `start()` binds and starts
 * forwarding in the background, `stop()` ends that and closes the sockets. `await using` stops them too.
 */
export interface Service extends AsyncDisposable {
  readonly state: ServiceState
  /** Binds (and connects) the sockets, then starts the loop in the background. Resolves once bound. */
  start(): Promise<void>
  /**
   * Stops the loop and closes the sockets; resolves once the loop has ended. Rejects with the error that
   * ended the loop, if one did (a signal caught by zhelpers' s_catch_signals is not an error).
   */
  stop(): Promise<void>
  /** Resolves when the loop ends: after `stop()`, a signal (EINTR), or rejects with the error that ended it. */
  done(): Promise<void>
}

/** @internal The start/stop bookkeeping of every Service. */
export abstract class ServiceBase implements Service {
  #state: ServiceState = "new"
  #loop: Promise<void> | undefined
  #failure: { error: unknown } | undefined

  /** Binds/connects the sockets. */
  protected abstract open(): Promise<void>
  /** The forwarding loop; returns or throws ETERM/ENOTSOCK once `shut()` closed the sockets. */
  protected abstract loop(): Promise<void>
  /** Closes the sockets (and ends anything the loop waits on). */
  protected abstract shut(): void

  get state(): ServiceState {
    return this.#state
  }

  async start(): Promise<void> {
    if (this.#state !== "new") throw localError(PatternErrorCode.INVALID_STATE, `cannot start a service that is ${this.#state}`)
    this.#state = "running"
    try {
      await this.open()
    } catch (error) {
      this.#state = "stopped"
      this.shut()
      throw error
    }
    if (this.#state !== "running") throw localError(PatternErrorCode.CLOSED, "service was stopped while starting")
    this.#loop = this.loop().then(
      () => undefined,
      (error: unknown) => {
        if (this.#state === "stopped" && isClosing(error, true)) return
        if (isInterrupted(error)) return
        this.#failure = { error }
      },
    ).finally(() => {
      this.#state = "stopped"
      this.shut()
    })
  }

  async stop(): Promise<void> {
    if (this.#state !== "stopped") {
      this.#state = "stopped"
      this.shut()
    }
    await this.done()
  }

  async done(): Promise<void> {
    if (this.#loop !== undefined) await this.#loop
    if (this.#failure !== undefined) throw this.#failure.error
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop()
  }
}
