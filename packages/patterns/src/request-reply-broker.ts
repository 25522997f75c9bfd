import { Dealer, Poller, Router, type Socket } from "@zmq-ts/core"
import { attach } from "./attachment.js"
import { ServiceBase } from "./service.js"
import type { SharedQueueOptions } from "./shared-queue-options.js"

/**
 * The Guide's request-reply broker (chapter 2, "Shared Queue", rrbroker) as a reusable service: a ROUTER
 * for clients, a DEALER for workers, and a poll loop that moves each whole message (routing envelope
 * included) to the other side. Clients and workers come and go freely; the DEALER spreads requests over the
 * workers connected at the time, round-robin, and the ROUTER routes each reply back by its envelope.
 *
 * ```ts
 * const broker = new RequestReplyBroker({ frontend: "tcp://*:5559", backend: "tcp://*:5560" })
 * await broker.start()
 * // … clients (Request) connect to 5559, workers (Reply) to 5560
 * await broker.stop()
 * ```
 *
 * Unlike a blocking zmq_send, a request is taken from the frontend only when the backend can take it (a
 * worker is connected), so replies keep flowing while there is no worker. A request already handed to a
 * worker that leaves before replying is lost (the client waits): the Guide's reliable patterns (chapter 4)
 * are the cure. `MessageQueue` is the same broker built on `Proxy`.
 */
export class RequestReplyBroker extends ServiceBase {
  readonly frontend: Router
  readonly backend: Dealer
  readonly #options: SharedQueueOptions
  #frontendEndpoints: string[] = []
  #backendEndpoints: string[] = []

  constructor(options: SharedQueueOptions) {
    super()
    this.#options = options
    const context = options.context === undefined ? {} : { context: options.context }
    this.frontend = new Router({ ...options.frontendOptions, ...context })
    this.backend = new Dealer({ ...options.backendOptions, ...context })
  }

  /** The endpoints the frontend is bound to, wildcards resolved (after `start()`). */
  get frontendEndpoints(): readonly string[] {
    return this.#frontendEndpoints
  }

  /** The endpoints the backend is bound to, wildcards resolved (after `start()`). */
  get backendEndpoints(): readonly string[] {
    return this.#backendEndpoints
  }

  protected async open(): Promise<void> {
    this.#frontendEndpoints = await attach(this.frontend, this.#options.frontend, "frontend")
    this.#backendEndpoints = await attach(this.backend, this.#options.backend, "backend")
  }

  protected async loop(): Promise<void> {
    const { frontend, backend } = this
    const poller = new Poller<Socket>()
    for (;;) {
      // The Guide polls both for input; we also wait for the backend to have room before taking a request.
      const backendWritable = backend.writable
      poller.add(backend, backendWritable ? "readable" : "both")
      if (backendWritable) poller.add(frontend, "readable")
      else poller.remove(frontend)
      for (const item of await poller.poll()) {
        if (item.socket === frontend && item.readable && backend.writable) await backend.send(await frontend.receive())
        else if (item.socket === backend && item.readable) await frontend.send(await backend.receive())
      }
    }
  }

  protected shut(): void {
    this.frontend.close()
    this.backend.close()
  }
}
