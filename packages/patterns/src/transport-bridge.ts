import { Proxy, XPublisher, XSubscriber, type Context, type Socket, type XPublisherOptions, type XSubscriberOptions } from "@zmq-ts/core"
import { attach, type Attachments } from "./attachment.js"
import { ServiceBase } from "./service.js"
import { terminateProxy } from "./wait.js"

export interface TransportBridgeOptions {
  /**
   * Where the XSUB facing the publishers goes — usually `{ connect: "tcp://10.0.0.1:5556" }` (a string
   * binds, for publishers that connect to the bridge).
   */
  readonly upstream: Attachments
  /** Where the XPUB facing the subscribers goes; a string binds (the Guide: "tcp://10.1.1.0:8100"). */
  readonly downstream: Attachments
  /**
   * Subscribe upstream to everything at once, as the Guide's wuproxy does with SUB + `""`, instead of only
   * to what downstream subscribers ask for. Default false: subscriptions travel upstream as subscribers
   * make and cancel them, so publishers filter at the source.
   */
  readonly subscribeAll?: boolean
  /** A socket that gets a copy of every message, both ways (data and subscriptions). Not closed by `stop()`. */
  readonly capture?: Socket
  /** The context of both sockets. Default: the shared context. */
  readonly context?: Context
  readonly upstreamOptions?: Omit<XSubscriberOptions, "context">
  readonly downstreamOptions?: Omit<XPublisherOptions, "context">
}

/**
 * A transport bridge (the Guide, chapter 2, "Transport Bridging"): republishes what publishers on one
 * network or transport send to subscribers on another, as an XSUB ⇄ XPUB proxy:
 *
 *   publishers ──▶ upstream XSUB ══ Proxy ══ downstream XPUB ──▶ subscribers
 *                   ▲ subscriptions ◀───────── (0x01/0x00 + topic) ◀┘
 *
 * Messages cross whole, multipart included (sockets receive and send whole messages only). Subscriptions
 * flow the other way, so a subscriber behind the bridge filters exactly as if connected to the publisher
 * (XPUB passes on the first subscription to a topic and the last cancel; XSUB re-sends them all upstream
 * after a reconnect).
 */
export class TransportBridge extends ServiceBase {
  readonly upstream: XSubscriber
  readonly downstream: XPublisher
  readonly proxy: Proxy<XSubscriber, XPublisher>
  readonly #options: TransportBridgeOptions
  #upstreamEndpoints: string[] = []
  #downstreamEndpoints: string[] = []

  constructor(options: TransportBridgeOptions) {
    super()
    this.#options = options
    const context = options.context === undefined ? {} : { context: options.context }
    this.upstream = new XSubscriber({ ...options.upstreamOptions, ...context })
    this.downstream = new XPublisher({ ...options.downstreamOptions, ...context })
    this.proxy = new Proxy(this.upstream, this.downstream, options.capture)
  }

  /** The endpoints the upstream XSUB is bound to (usually none: it connects). */
  get upstreamEndpoints(): readonly string[] {
    return this.#upstreamEndpoints
  }

  /** The endpoints the downstream XPUB is bound to, wildcards resolved (after `start()`). */
  get downstreamEndpoints(): readonly string[] {
    return this.#downstreamEndpoints
  }

  protected async open(): Promise<void> {
    this.#downstreamEndpoints = await attach(this.downstream, this.#options.downstream, "downstream")
    this.#upstreamEndpoints = await attach(this.upstream, this.#options.upstream, "upstream")
    if (this.#options.subscribeAll === true) await this.upstream.send(Buffer.of(1))
  }

  protected loop(): Promise<void> {
    return this.proxy.run()
  }

  protected shut(): void {
    terminateProxy(this.proxy)
    this.upstream.close()
    this.downstream.close()
  }
}
