import type { Buffer } from "node:buffer"
import type { SocketType } from "@zmq-ts/zmtp"
import { zmqError, ZmqError } from "../common/errors.js"
import type { SocketEvent } from "../common/events.js"
import { Fifo } from "../common/fifo.js"
import { holdAlive, releaseAlive } from "../common/keep-alive.js"
import { defaultOptions, OPTION_CHECKS, type SocketOptionValues } from "../common/options.js"
import { bindToThread } from "../common/thread-affinity.js"
import { context as defaultContext, type Context } from "../context/context.js"
import type { Message } from "../pipes/message.js"
import type { PipeEnd, PipeListener } from "../pipes/pipe.js"
import type { SocketHost } from "../pipes/socket-host.js"
import { splitEndpoint } from "../transports/registry.js"
import type { Transport, TransportBinding, TransportConnection, TransportEndpoint } from "../transports/transport.js"
import { toFrame, toMessage, type MessageLike } from "./message-like.js"
import { Observer } from "./observer.js"

/** What every socket type's constructor takes: options as typed properties, and the context to join. */
export interface SocketOptions extends Partial<SocketOptionValues> {
  /** The context the socket belongs to; the shared default `context` when not given. */
  context?: Context
}

/** An endpoint resolved to the transport of the socket's context that serves it. */
interface ResolvedEndpoint {
  readonly transport: Transport
  readonly endpoint: TransportEndpoint
}

/** A `send()` or `receive()` call waiting for the socket. */
interface PendingCall {
  readonly reject: (error: Error) => void
  timer: ReturnType<typeof setTimeout> | undefined
}

interface SendRequest extends PendingCall {
  readonly message: Message
  readonly resolve: () => void
}

interface ReceiveRequest extends PendingCall {
  readonly resolve: (message: Message) => void
}

/** Takes the oldest waiting call off `queue` and stops its timeout; it no longer keeps the thread alive. */
function takeCall<R extends PendingCall>(queue: Fifo<R>): R {
  const call = queue.shift()!
  if (call.timer !== undefined) clearTimeout(call.timer)
  releaseAlive()
  return call
}

const RESOLVED = Promise.resolve()

/**
 * A `while (true) await pub.send(…)` loop (the Guide's wuserver) never waits if every send resolves at once,
 * and then the event loop never turns: nothing is written, no signal is seen. So after a burst of this many
 * sends within one turn of the event loop, one send resolves only on the next turn. The burst is also what
 * leaves together in one write.
 */
const SENDS_PER_TURN = 1024
let sendsThisTurn = 0
const resetSendsThisTurn = (): void => {
  sendsThisTurn = 0
}

function yieldEvery(): Promise<void> {
  if (sendsThisTurn === 0) setImmediate(resetSendsThisTurn)
  if (++sendsThisTurn < SENDS_PER_TURN) return RESOLVED
  return new Promise((resolve) => setImmediate(resolve))
}
/** Socket types libzmq applies ZMQ_CONFLATE to. */
const CONFLATING_TYPES = new Set<string>(["PUSH", "PULL", "DEALER", "PUB", "SUB", "XPUB", "XSUB"])

/**
 * The base of every socket type: endpoints, options, and the send/receive machinery (libzmq's
 * `socket_base_t`). A socket type is a routing strategy over pipes; it implements the `x*` hooks below and
 * nothing else. Sends that cannot proceed (every pipe at its high-water mark, or no peer yet) wait in order;
 * concurrent `send()` calls queue instead of failing with EBUSY, and so do concurrent `receive()` calls.
 */
export abstract class Socket implements PipeListener, AsyncIterable<Message> {
  /** Monitor events (zeromq.js `Observer`). */
  readonly events = new Observer()
  readonly context: Context
  /** The ZMTP socket type name ("PUSH", "ROUTER", …). */
  readonly type: SocketType
  protected readonly options: SocketOptionValues = defaultOptions()
  /** Per-type boolean options (ZMQ_ROUTER_MANDATORY, ZMQ_REQ_CORRELATE…), kept here so constructor options apply. */
  readonly #flags = new Map<string, boolean>()

  #closed = false
  #lastEndpoint: string | null = null
  readonly #bindings = new Map<string, TransportBinding>()
  readonly #connections = new Map<string, TransportConnection>()
  readonly #sendQueue = new Fifo<SendRequest>()
  readonly #receiveQueue = new Fifo<ReceiveRequest>()
  readonly #host: SocketHost
  /** Poller and Proxy callbacks, run whenever readiness may have changed. */
  readonly #readinessWatchers = new Set<() => void>()

  protected constructor(type: SocketType, options: Record<string, unknown> = {}) {
    this.type = type
    const { context, ...rest } = options as { context?: Context }
    this.context = context ?? defaultContext
    if (!this.context.blocky) this.options.linger = 0
    for (const [key, value] of Object.entries(rest)) {
      if (value === undefined) continue
      if (!(key in this)) throw zmqError("EINVAL", `unknown option ${JSON.stringify(key)} for ${this.constructor.name}`)
      ;(this as Record<string, unknown>)[key] = value
    }
    this.context.register(this)
    bindToThread(this, "Socket", "create sockets in the thread that uses them and connect threads over inproc:// with a shared Context")
    this.#host = this.#makeHost()
  }

  // ── routing strategy hooks ─────────────────────────────────────────────────────────────────────────

  /** A new pipe to a peer. With `requiresPeerIdentity`, only pipes whose peer is known are attached. */
  protected abstract xattach(pipe: PipeEnd): void
  /** The pipe is gone (peer left, or we disconnected); it may still hold messages the socket should read. */
  protected abstract xdetach(pipe: PipeEnd): void
  /** Routes one message now; false = no pipe can take it yet (wait). Throws EFSM/EHOSTUNREACH etc. */
  protected abstract xsend(message: Message): boolean
  /** `xsend` of a one-frame message; strategies that can queue the frame without an array override it. */
  protected xsendFrame(frame: Buffer): boolean {
    return this.xsend([frame])
  }
  /** The next message for the application, or undefined. Throws EFSM where the state forbids receiving. */
  protected abstract xreceive(): Message | undefined
  /** True when `xsend` would accept a message now (for `writable` and the Poller). */
  protected abstract xwritable(): boolean
  /** True when `xreceive` would return a message now. */
  protected abstract xreadable(): boolean
  /** A pipe that was full can take messages again / a pipe has messages: hooks for strategies that track them. */
  protected xpipeWritable(_pipe: PipeEnd): void {}
  /** The pipe's connection was re-established and our queued messages on it dropped (SUB resends subscriptions). */
  protected xhiccuped(_pipe: PipeEnd): void {}
  protected xpipeReadable(_pipe: PipeEnd): void {}
  /** Socket types that route by the peer's routing id (ROUTER) attach pipes only after the handshake. */
  protected get requiresPeerIdentity(): boolean {
    return false
  }
  /** Socket types that can send (all but PULL, SUB). */
  protected get canSend(): boolean {
    return true
  }
  /** Socket types that can receive (all but PUSH, PUB). */
  protected get canReceive(): boolean {
    return true
  }

  // ── public API (zeromq.js v6) ──────────────────────────────────────────────────────────────────────

  get closed(): boolean {
    return this.#closed
  }

  /** True when `receive()` would resolve at once. */
  get readable(): boolean {
    return !this.#closed && this.canReceive && this.xreadable()
  }

  /** True when `send()` would resolve at once. */
  get writable(): boolean {
    return !this.#closed && this.canSend && this.#sendQueue.length === 0 && this.xwritable()
  }

  /** ZMQ_LAST_ENDPOINT: the last endpoint bound, with `*` ports resolved. */
  get lastEndpoint(): string | null {
    return this.#lastEndpoint
  }

  async bind(address: string): Promise<void> {
    this.#assertOpen()
    const { transport, endpoint } = this.#resolve(address, "bind")
    if (this.#bindings.has(address)) throw zmqError("EADDRINUSE", `already bound to ${address}`, address)
    let binding: TransportBinding
    holdAlive() // a bind in progress keeps the thread alive (one across threads waits for the hub)
    try {
      binding = await transport.bind(this.#host, endpoint)
    } catch (error) {
      const failure = ZmqError.isInstance(error) ? error : zmqError("EINVAL", String(error), address, error)
      this.#emit({ type: "bind:error", address, error: failure })
      throw failure
    } finally {
      releaseAlive()
    }
    if (this.#closed) {
      await binding.close()
      throw zmqError("ETERM", "socket was closed while binding", address)
    }
    this.#bindings.set(address, binding)
    if (binding.endpoint !== address) this.#bindings.set(binding.endpoint, binding)
    this.#lastEndpoint = binding.endpoint
    this.#emit({ type: "bind", address: binding.endpoint })
  }

  async unbind(address: string): Promise<void> {
    this.#assertOpen()
    const binding = this.#bindings.get(address)
    if (binding === undefined) throw zmqError("ENOENT", `not bound to ${address}`, address)
    for (const [key, value] of this.#bindings) if (value === binding) this.#bindings.delete(key)
    this.#closePipesOf(binding.endpoint)
    holdAlive()
    try {
      await binding.close()
    } finally {
      releaseAlive()
    }
  }

  connect(address: string): void {
    this.#assertOpen()
    this.#connect(this.#resolve(address, "connect"), undefined)
  }

  disconnect(address: string): void {
    this.#assertOpen()
    const connection = this.#connections.get(address)
    if (connection === undefined) throw zmqError("ENOENT", `not connected to ${address}`, address)
    this.#connections.delete(address)
    this.#closePipesOf(address)
    connection.close(this.options.linger)
  }

  /**
   * Sends a message: one frame or an array of frames (strings are UTF-8; numbers become their decimal text,
   * as zeromq.js does). Resolves once the message is queued on a pipe. Buffers are not copied: do not modify
   * them after sending.
   */
  send(message: MessageLike | readonly MessageLike[]): Promise<void> {
    if (this.#closed) return Promise.reject(zmqError("ENOTSOCK", "socket is closed"))
    if (!this.canSend) return Promise.reject(zmqError("ENOTSUP", `${this.constructor.name} cannot send`))
    let parts: Message
    try {
      if (Array.isArray(message)) {
        parts = toMessage(message)
        if (this.#sendQueue.length === 0 && this.xsend(parts)) return yieldEvery()
      } else {
        // One frame, the common case: routed as itself, with no array made for it unless it has to wait.
        const frame = toFrame(message as MessageLike, 0)
        if (this.#sendQueue.length === 0 && this.xsendFrame(frame)) return yieldEvery()
        parts = [frame]
      }
    } catch (error) {
      return Promise.reject(error)
    }
    // Also when earlier sends are still waiting: with sendTimeout 0 this one must not queue behind them.
    if (this.options.sendTimeout === 0) {
      return Promise.reject(zmqError("EAGAIN", "socket is not writable (no peer with room below its high-water mark)"))
    }
    return new Promise<void>((resolve, reject) => {
      this.#wait(this.#sendQueue, { message: parts, resolve, reject, timer: undefined }, this.options.sendTimeout, "send")
    })
  }

  /** Receives the next whole message. */
  receive(): Promise<Message> {
    if (this.#closed) return Promise.reject(zmqError("ENOTSOCK", "socket is closed"))
    if (!this.canReceive) return Promise.reject(zmqError("ENOTSUP", `${this.constructor.name} cannot receive`))
    if (this.#receiveQueue.length === 0) {
      let message: Message | undefined
      try {
        message = this.xreceive()
      } catch (error) {
        return Promise.reject(error)
      }
      if (message !== undefined) return Promise.resolve(message)
    }
    if (this.options.receiveTimeout === 0) {
      return Promise.reject(zmqError("EAGAIN", "no message is waiting"))
    }
    return new Promise<Message>((resolve, reject) => {
      this.#wait(this.#receiveQueue, { resolve, reject, timer: undefined }, this.options.receiveTimeout, "receive")
    })
  }

  /**
   * `for await (const message of socket)`: ends when the socket closes. Hand-written rather than an async
   * generator: when a message is already waiting, `next()` costs one resolved promise and nothing else.
   */
  [Symbol.asyncIterator](): AsyncIterator<Message, undefined> {
    const done: IteratorReturnResult<undefined> = { value: undefined, done: true }
    const iterator: AsyncIterator<Message, undefined> & AsyncIterable<Message> = {
      next: (): Promise<IteratorResult<Message, undefined>> => {
        if (this.#closed) return Promise.resolve(done)
        if (this.#receiveQueue.length === 0 && this.canReceive) {
          let message: Message | undefined
          try {
            message = this.xreceive()
          } catch (error) {
            return Promise.reject(error)
          }
          if (message !== undefined) return Promise.resolve({ value: message, done: false })
        }
        return this.receive().then(
          (value) => ({ value, done: false }),
          (error: unknown) => {
            if (ZmqError.isInstance(error) && (error.code === "ETERM" || error.code === "ENOTSOCK")) return done
            throw error
          },
        )
      },
      return: (): Promise<IteratorResult<Message, undefined>> => Promise.resolve(done),
      [Symbol.asyncIterator]() {
        return iterator
      },
    }
    return iterator
  }

  /**
   * Closes the socket. Pending `send()`/`receive()` calls reject with ETERM. Messages already queued are
   * still delivered for up to `linger` ms (-1: until sent; 0: dropped) in the background.
   */
  close(): void {
    if (this.#closed) return
    this.#closed = true
    this.#rejectAll(zmqError("ETERM", "socket was closed"))
    // Pipes first: their far ends start flushing within linger; then stop listening and reconnecting.
    this.closePipes(this.options.linger)
    for (const binding of new Set(this.#bindings.values())) void binding.close()
    this.#bindings.clear()
    for (const connection of this.#connections.values()) connection.close(this.options.linger)
    this.#connections.clear()
    this.context.unregister(this)
    this.#notifyReadiness()
    this.#emit({ type: "end" })
    this.events.close()
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.close()
  }

  /** @internal Context termination: reject everything blocked with ETERM, then close. */
  terminate(): void {
    this.#rejectAll(zmqError("ETERM", "context was terminated"))
    this.close()
  }

  /**
   * Rejects every pending `send()`/`receive()` (and any Poller waiting on this socket) with EINTR, as a
   * signal interrupts blocking libzmq calls. The socket stays open. (zhelpers' s_catch_signals uses this.)
   */
  interrupt(): void {
    this.#interrupts++
    this.#rejectAll(zmqError("EINTR", "interrupted"))
    this.#notifyReadiness()
  }

  /** @internal Counts `interrupt()` calls, so a Poller can tell it was interrupted. */
  get interruptCount(): number {
    return this.#interrupts
  }

  #interrupts = 0

  // ── for subclasses ─────────────────────────────────────────────────────────────────────────────────

  /** Every pipe the socket holds (the strategy keeps its own lists; the base tracks them for close). */
  readonly #pipes = new Set<PipeEnd>()

  protected get pipes(): ReadonlySet<PipeEnd> {
    return this.#pipes
  }

  /** Closes every pipe; with linger ≠ 0 the far ends keep delivering what was queued. */
  protected closePipes(linger: number): void {
    for (const pipe of this.#pipes) {
      if (linger === 0) pipe.discardOutgoing()
      pipe.close()
      this.xdetach(pipe)
    }
    this.#pipes.clear()
  }

  #closePipesOf(endpoint: string): void {
    for (const pipe of [...this.#pipes]) {
      if (pipe.endpoint !== endpoint) continue
      if (this.options.linger === 0) pipe.discardOutgoing()
      this.#pipes.delete(pipe)
      pipe.close()
      this.xdetach(pipe)
    }
  }

  /** Connects with per-connection options (Router.connect's routingId). */
  protected connectWith(address: string, routingId: Buffer | undefined): void {
    this.#assertOpen()
    this.#connect(this.#resolve(address, "connect"), routingId)
  }

  /** Wakes waiting senders/receivers after the strategy's state changed (e.g. REQ got its reply). */
  protected wake(): void {
    this.#drainSends()
    this.#drainReceives()
    this.#notifyReadiness()
  }

  /**
   * @internal Calls `watcher` whenever `readable`/`writable` may have changed (a Poller re-checks then).
   * Returns the function that stops watching.
   */
  watchReadiness(watcher: () => void): () => void {
    this.#readinessWatchers.add(watcher)
    return () => this.#readinessWatchers.delete(watcher)
  }

  #notifyReadiness(): void {
    if (this.#readinessWatchers.size === 0) return
    for (const watcher of [...this.#readinessWatchers]) watcher()
  }

  protected flag(name: string): boolean {
    return this.#flags.get(name) ?? false
  }

  protected setFlag(name: string, value: unknown): void {
    if (typeof value !== "boolean") throw zmqError("EINVAL", `${name} must be a boolean, got ${String(value)}`)
    this.#flags.set(name, value)
  }

  protected setOption<K extends keyof SocketOptionValues>(name: K, value: unknown): void {
    if (name === "conflate" && value === true && !CONFLATING_TYPES.has(this.type)) {
      throw zmqError("ENOTSUP", `conflate is not supported by ${this.type} sockets`)
    }
    this.options[name] = OPTION_CHECKS[name](name, value) as SocketOptionValues[K]
    // New high-water marks apply to the pipes that exist, as in libzmq (and zeromq.js relies on it).
    if (name === "sendHighWaterMark" || name === "receiveHighWaterMark") for (const pipe of this.#pipes) pipe.resize?.()
  }

  // ── PipeListener ───────────────────────────────────────────────────────────────────────────────────

  /** @internal */
  pipeReadable(pipe: PipeEnd): void {
    this.xpipeReadable(pipe)
    this.#drainReceives()
    this.#notifyReadiness()
  }

  /** @internal */
  pipeWritable(pipe: PipeEnd): void {
    this.xpipeWritable(pipe)
    this.#drainSends()
    this.#notifyReadiness()
  }

  /** @internal */
  pipeHiccuped(pipe: PipeEnd): void {
    if (this.#pipes.has(pipe)) this.xhiccuped(pipe)
  }

  /** @internal */
  pipeTerminated(pipe: PipeEnd): void {
    if (this.#pipes.delete(pipe)) this.xdetach(pipe)
    this.#drainReceives()
    this.#notifyReadiness()
  }

  // ── internals ──────────────────────────────────────────────────────────────────────────────────────

  /**
   * The transport for `address`'s scheme, and the endpoint as it parsed it. Throws EINVAL for a malformed
   * address and EPROTONOSUPPORT for a scheme zmq-ts has no transport for, as libzmq does.
   */
  #resolve(address: string, role: "bind" | "connect"): ResolvedEndpoint {
    const { scheme, rest } = splitEndpoint(address)
    const transport: Transport = this.context.transport(scheme)
    return { transport, endpoint: transport.parse(address, rest, role) }
  }

  #connect({ transport, endpoint }: ResolvedEndpoint, routingId: Buffer | undefined): void {
    if (this.#connections.has(endpoint.address)) {
      throw zmqError("EINVAL", `already connected to ${endpoint.address}`, endpoint.address)
    }
    this.#connections.set(endpoint.address, transport.connect(this.#host, endpoint, routingId))
  }

  #attach(pipe: PipeEnd): void {
    if (this.#closed) {
      pipe.close()
      return
    }
    this.#pipes.add(pipe)
    this.xattach(pipe)
    this.#drainSends()
    this.#drainReceives()
    this.#notifyReadiness()
  }

  #drainSends(): void {
    const queue = this.#sendQueue
    for (let request = queue.peek(); request !== undefined; request = queue.peek()) {
      let sent: boolean
      try {
        sent = this.xsend(request.message)
      } catch (error) {
        takeCall(queue).reject(error as Error)
        continue
      }
      if (!sent) return
      takeCall(queue).resolve()
    }
  }

  #drainReceives(): void {
    const queue = this.#receiveQueue
    while (queue.length > 0) {
      let message: Message | undefined
      try {
        message = this.xreceive()
      } catch (error) {
        takeCall(queue).reject(error as Error)
        continue
      }
      if (message === undefined) return
      takeCall(queue).resolve(message)
    }
  }

  /**
   * Queues a blocked call, which keeps the thread alive while it waits (as in zeromq.js); after `timeout` ms
   * (when > 0) it leaves the queue and fails with EAGAIN.
   */
  #wait<R extends PendingCall>(queue: Fifo<R>, call: R, timeout: number, operation: string): void {
    if (timeout > 0) {
      call.timer = setTimeout(() => {
        const kept = queue.drain().filter((item) => item !== call)
        for (const item of kept) queue.push(item)
        releaseAlive()
        call.reject(zmqError("EAGAIN", `${operation} timed out after ${timeout} ms`))
      }, timeout)
    }
    holdAlive()
    queue.push(call)
  }

  #rejectAll(error: ZmqError): void {
    while (this.#sendQueue.length > 0) takeCall(this.#sendQueue).reject(error)
    while (this.#receiveQueue.length > 0) takeCall(this.#receiveQueue).reject(error)
  }

  #assertOpen(): void {
    if (this.#closed) throw zmqError("ENOTSOCK", "socket is closed")
  }

  #emit(event: SocketEvent): void {
    this.events.emit(event)
  }

  #makeHost(): SocketHost {
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const socket = this
    return {
      get type() {
        return socket.type
      },
      get options() {
        return socket.options
      },
      get closed() {
        return socket.#closed
      },
      get blocky() {
        return socket.context.blocky
      },
      get requiresPeerIdentity() {
        return socket.requiresPeerIdentity
      },
      listener: socket,
      attachPipe: (pipe) => socket.#attach(pipe),
      emit: (event) => socket.#emit(event),
    }
  }
}

// Options as typed properties (zeromq.js style): `socket.linger = 0`, `new Push({ sendHighWaterMark: 10 })`.
// eslint-disable-next-line @typescript-eslint/no-empty-interface, @typescript-eslint/no-unsafe-declaration-merging
export interface Socket extends SocketOptionValues {}
for (const name of Object.keys(OPTION_CHECKS) as Array<keyof SocketOptionValues>) {
  Object.defineProperty(Socket.prototype, name, {
    get(this: { options: SocketOptionValues }) {
      return this.options[name]
    },
    set(this: { setOption(key: string, value: unknown): void }, value: unknown) {
      this.setOption(name, value)
    },
    enumerable: true,
    configurable: true,
  })
}
