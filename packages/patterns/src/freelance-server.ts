import { Router, type Context, type Message, type MessageLike, type RouterOptions } from "@zmq-ts/core"
import { localError, PatternErrorCode } from "./errors.js"
import { FREELANCE_PING, FREELANCE_PONG } from "./freelance-protocol.js"
import { ServiceBase } from "./service.js"

/** What a Freelance server answers to a request body: one frame or more (the CCF is put in front for it). */
export type FreelanceHandler = (
  body: Message[],
) => MessageLike | readonly MessageLike[] | Promise<MessageLike | readonly MessageLike[]>

/** What the server saw, reported synchronously to `onEvent`. */
export type FreelanceServerEvent =
  | { readonly type: "ping"; readonly client: Buffer }
  /** A request: the client's routing id, its CCF (returned unmodified) and the body. */
  | { readonly type: "request"; readonly client: Buffer; readonly control: Buffer; readonly body: readonly Buffer[] }

export interface FreelanceServerOptions {
  /** Where the ROUTER binds (the Guide's flserver3: "tcp://*:5555"). */
  readonly bind: string
  /**
   * The server's routing id: its public endpoint, the string clients connect to (RFC 10). Default: `bind`
   * with a `*` host made `localhost` ("tcp://*:5555" → "tcp://localhost:5555", as the Guide's flserver3).
   */
  readonly identity?: string
  /** Answers a request. Default: "OK" (the Guide's flserver3). A handler that throws stops the server. */
  readonly handler?: FreelanceHandler
  /** The context of the socket. Default: the shared context. */
  readonly context?: Context
  /** Options of the ROUTER (its routing id is `identity`). */
  readonly routerOptions?: Omit<RouterOptions, "context" | "routingId">
  /** Called synchronously on every `FreelanceServerEvent`. */
  readonly onEvent?: (event: FreelanceServerEvent) => void
}

/** The public endpoint of a bind endpoint: "tcp://*:5555" → "tcp://localhost:5555"; undefined if it cannot be known. */
function publicEndpoint(bind: string): string | undefined {
  const endpoint = bind.replace(/^(tcp|ws|wss):\/\/\*:/, "$1://localhost:")
  return endpoint.includes("*") ? undefined : endpoint
}

const asFrames = (reply: MessageLike | readonly MessageLike[]): MessageLike[] => (Array.isArray(reply) ? [...(reply as readonly MessageLike[])] : [reply as MessageLike])

/**
 * A Freelance server (the Guide's flserver3, chapter 4 "Model Three"), speaking RFC 10/FLP: a ROUTER whose
 * routing id is its public endpoint, bound to `bind`. It answers ["PING"] with ["PONG"], and a request
 * [CCF, body…] with [CCF, reply…], the CCF unmodified (RFC 10, "Overall Operation").
 *
 * ```ts
 * const server = new FreelanceServer({ bind: "tcp://*:5555" }) // identity "tcp://localhost:5555"
 * await server.start()
 * ```
 *
 * Requests are answered one at a time, in the order they arrive; anything else (a one-frame message that
 * is not PING) is dropped.
 */
export class FreelanceServer extends ServiceBase {
  readonly socket: Router
  /** The routing id, which clients must use as the endpoint they connect to. */
  readonly identity: string
  readonly #options: FreelanceServerOptions
  #requests = 0

  constructor(options: FreelanceServerOptions) {
    super()
    const identity = options.identity ?? publicEndpoint(options.bind)
    if (identity === undefined || identity.length === 0 || Buffer.byteLength(identity) > 255) {
      throw localError(PatternErrorCode.INVALID_OPTION, `a Freelance server needs its public endpoint as identity; give one for ${options.bind}`)
    }
    this.identity = identity
    this.#options = options
    const context = options.context === undefined ? {} : { context: options.context }
    this.socket = new Router({ ...options.routerOptions, routingId: identity, ...context })
  }

  /** How many requests it has answered. */
  get requests(): number {
    return this.#requests
  }

  protected async open(): Promise<void> {
    await this.socket.bind(this.#options.bind)
  }

  protected async loop(): Promise<void> {
    const handler = this.#options.handler ?? (() => "OK")
    for (;;) {
      const [client, control, ...body] = await this.socket.receive()
      if (client === undefined || control === undefined) continue
      if (body.length === 0) {
        if (!control.equals(FREELANCE_PING)) continue // neither a ping nor a request
        this.#options.onEvent?.({ type: "ping", client })
        await this.socket.send([client, FREELANCE_PONG])
        continue
      }
      this.#options.onEvent?.({ type: "request", client, control, body })
      const reply = asFrames(await handler(body))
      this.#requests++
      await this.socket.send([client, control, ...reply])
    }
  }

  protected shut(): void {
    this.socket.close()
  }
}
