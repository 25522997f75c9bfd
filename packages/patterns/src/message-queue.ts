import { Dealer, Proxy, Router, type Socket } from "@zmq-ts/core"
import { attach } from "./attachment.js"
import { ServiceBase } from "./service.js"
import { terminateProxy } from "./wait.js"
import type { SharedQueueOptions } from "./shared-queue-options.js"

export interface MessageQueueOptions extends SharedQueueOptions {
  /** A socket that gets a copy of every message, both ways (zmq_proxy's capture). It is not closed by `stop()`. */
  readonly capture?: Socket
}

/**
 * The Guide's message queue (chapter 2, "ZeroMQ's Built-In Proxy Function", msgqueue): the same ROUTER ⇄
 * DEALER shared queue as `RequestReplyBroker`, run by `Proxy` (zmq_proxy) instead of a poll loop:
 *
 *   clients (REQ) ──▶ frontend ROUTER ══ Proxy ══ backend DEALER ◀── workers (REP)
 *
 * `pause()`/`resume()` hold and release the flow (zmq_proxy_steerable's PAUSE/RESUME).
 */
export class MessageQueue extends ServiceBase {
  readonly frontend: Router
  readonly backend: Dealer
  readonly proxy: Proxy<Router, Dealer>
  readonly #options: MessageQueueOptions
  #frontendEndpoints: string[] = []
  #backendEndpoints: string[] = []

  constructor(options: MessageQueueOptions) {
    super()
    this.#options = options
    const context = options.context === undefined ? {} : { context: options.context }
    this.frontend = new Router({ ...options.frontendOptions, ...context })
    this.backend = new Dealer({ ...options.backendOptions, ...context })
    this.proxy = new Proxy(this.frontend, this.backend, options.capture)
  }

  /** The endpoints the frontend is bound to, wildcards resolved (after `start()`). */
  get frontendEndpoints(): readonly string[] {
    return this.#frontendEndpoints
  }

  /** The endpoints the backend is bound to, wildcards resolved (after `start()`). */
  get backendEndpoints(): readonly string[] {
    return this.#backendEndpoints
  }

  /** Holds messages in the sockets' queues until `resume()`. */
  pause(): void {
    this.proxy.pause()
  }

  resume(): void {
    this.proxy.resume()
  }

  protected async open(): Promise<void> {
    this.#frontendEndpoints = await attach(this.frontend, this.#options.frontend, "frontend")
    this.#backendEndpoints = await attach(this.backend, this.#options.backend, "backend")
  }

  protected loop(): Promise<void> {
    return this.proxy.run()
  }

  protected shut(): void {
    terminateProxy(this.proxy)
    this.frontend.close()
    this.backend.close()
  }
}
