import type { Buffer } from "#platform/buffer"
import { emitWarning } from "#platform/process"
import { setImmediate } from "#platform/timers"
import { zmqError, ZmqError } from "../common/errors.js"
import type { SocketEvent } from "../common/events.js"
import { Fifo } from "../common/fifo.js"
import { holdAlive, releaseAlive } from "../common/keep-alive.js"
import {
  checkOptionType,
  OptionStore,
  RECONNECT_STOP_AFTER_DISCONNECT,
  SOCKET_OPTIONS,
  SOCKET_TYPE_NUMBERS,
  type OptionName,
  type OptionValue,
  type SocketOptionProperties,
  type SocketTypeName,
  type SocketOptionValues,
  type WritableOptions,
} from "../common/options.js"
import { bindToThread } from "../common/thread-affinity.js"
import { Context, context as defaultContext } from "../context/context.js"
import type { Frames } from "../pipes/message.js"
import type { PipeEnd, PipeListener } from "../pipes/pipe.js"
import type { SocketHost } from "../pipes/socket-host.js"
import { splitEndpoint } from "../transports/registry.js"
import type { Transport, TransportBinding, TransportConnection, TransportEndpoint } from "../transports/transport.js"
import { checkAddress, checkArgumentCount } from "./arguments.js"
import { toSendFrame, toSendMessage, type Message, type MessageLike } from "./message-like.js"
import { Observer, OBSERVE, type EventFeed } from "./observer.js"

/**
 * What every socket type's constructor takes: the context to join, and options every socket type has (each
 * socket class adds its own), assigned as properties.
 */
export interface CommonSocketOptions extends WritableOptions<SocketOptionProperties> {
  /** The context the socket belongs to; the shared default `context` when not given. */
  context?: Context
}

/** True when `X` and `Y` are the same type (so a readonly property can be told from a writable one). */
type IfEquals<X, Y, A, B> = (<T>() => T extends X ? 1 : 2) extends <T>() => T extends Y ? 1 : 2 ? A : B
/** The keys of `T`'s properties that can be assigned: not readonly, and not methods. */
type WritableKeys<T> = {
  [P in keyof T]-?: T[P] extends (...args: never[]) => unknown ? never : IfEquals<{ [Q in P]: T[P] }, { -readonly [Q in P]: T[P] }, P, never>
}[keyof T]

/**
 * zeromq.js's `SocketOptions<S>`: what `new S({...})` takes for socket class `S`, its writable option
 * properties and the context. (Each class also has its own named interface, `DealerOptions` and so on.)
 */
export type SocketOptions<S extends AnySocket> = Partial<Pick<S, WritableKeys<S>>> & { context?: Context }

/**
 * Type-only key: a socket class whose received messages carry more than frames (the draft types: Server's
 * `[message, { routingId }]`, Dish's `[message, { group }]`) declares under it what `receive()` and `for
 * await` give. Never set at run time.
 */
export const RECEIVED: unique symbol = Symbol("received")

/** What `receive()` resolves to on socket class `S`: its declared `[RECEIVED]` shape, else `Message[]`. */
export type Received<S> = S extends { readonly [RECEIVED]?: infer M extends object[] } ? M : Message[]

/**
 * Any socket of ours, whatever `receive()` gives: a Server or a Dish receives more than frames, so it is no
 * `Socket` to code that reads one as frames, but the Poller, a Proxy and the option helpers take it.
 */
export type AnySocket = Omit<Socket, "receive" | typeof Symbol.asyncIterator>

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
  readonly message: Frames
  readonly resolve: () => void
}

interface ReceiveRequest extends PendingCall {
  readonly resolve: (message: Frames) => void
}

/** Takes the oldest waiting call off `queue` and stops its timeout; it no longer keeps the thread alive. */
function takeCall<R extends PendingCall>(queue: Fifo<R>): R {
  const call = queue.shift()!
  if (call.timer !== undefined) clearTimeout(call.timer)
  releaseAlive()
  return call
}

/**
 * A `while (true) await pub.send(…)` loop (the Guide's wuserver) never waits if every send resolves at once,
 * and then the event loop never turns: nothing is written, no timer or signal is seen. zeromq.js lets 512
 * sends and receives of a socket (`max_sync_operations`) resolve at once per turn of the event loop, then
 * delays the next one; so do we, so that a loop of awaited sends or receives lets `setInterval` run as
 * often as with zeromq.js. The burst is also what leaves together in one write.
 */
const SYNC_OPERATIONS_PER_TURN = 512
/** What a send that went through at once returns: one shared promise, not a new one per message. */
const SENT = Promise.resolve()

// The errors close(), terminate() and interrupt() give waiting calls, made only when a call waits.
const closedWhileWaiting = (): ZmqError => zmqError("EAGAIN", "the socket was closed while this call waited")
const contextTerminated = (): ZmqError => zmqError("ETERM", "context was terminated")
const interrupted = (): ZmqError => zmqError("EINTR", "interrupted")

/** A call the socket's state forbids for now (REQ/REP lockstep): with a timeout other than 0 it waits. */
function isStateError(error: unknown): boolean {
  return ZmqError.isInstance(error) && error.code === "EFSM"
}

/** A ROUTER `mandatory` send to an unknown peer: it waits while no peer has room, as zeromq.js polls first. */
function isUnroutable(error: unknown): boolean {
  return ZmqError.isInstance(error) && error.code === "EHOSTUNREACH"
}

/**
 * The base of every socket type: endpoints, options, and the send/receive machinery (libzmq's
 * `socket_base_t`). A socket type is a routing strategy over pipes; it implements the `x*` hooks below and
 * nothing else. Sends that cannot proceed (every pipe at its high-water mark, or no peer yet) wait in order;
 * concurrent `send()` calls queue instead of failing with EBUSY, and so do concurrent `receive()` calls.
 */
export abstract class Socket implements PipeListener {
  // No public fields: a socket is sealed, and zeromq.js's sockets have no own properties.
  /** `events`, made on first access (observer.ts). */
  #events: Observer | undefined
  readonly #context: Context
  readonly #zmtpType: SocketTypeName
  readonly #options: OptionStore

  #closed = false
  #lastEndpoint: string | null = null
  readonly #bindings = new Map<string, TransportBinding>()
  /** Connections by the address as given; connecting twice to one address makes two, as in libzmq. */
  readonly #connections = new Map<string, TransportConnection[]>()
  /** A bind or unbind is in progress: every other call fails with EBUSY until it settles (zeromq.js). */
  #blocked = false
  /** `close()` came while blocked: the socket closes once the bind or unbind has settled. */
  #closeRequested = false
  /** Sends and receives resolved at once in this turn of the event loop (see SYNC_OPERATIONS_PER_TURN). */
  #syncOperations = 0
  readonly #resetSyncOperations = (): void => {
    this.#syncOperations = 0
  }
  readonly #sendQueue = new Fifo<SendRequest>()
  readonly #receiveQueue = new Fifo<ReceiveRequest>()
  readonly #host: SocketHost
  /** Poller and Proxy callbacks, run whenever readiness may have changed. */
  readonly #readinessWatchers = new Set<() => void>()

  /**
   * `type` is the ZMTP socket type; `options` the argument of the socket class's constructor, which ends
   * with `applyOptions(options)`. As zeromq.js does: the options must be an object; its `context` must be a
   * Context, and is taken out of the caller's object (zeromq.js deletes it there before assigning the rest
   * as properties, so code reusing the object gets the default context the second time; so does ours).
   */
  protected constructor(type: SocketTypeName, options: object | undefined) {
    if (new.target === Socket) {
      // zeromq.js's `new Socket(type)` makes a socket of any type; ours are made by their classes.
      if (typeof type !== "number") throw new TypeError("Socket type must be a number")
      throw zmqError("ENOTSUP", "make sockets with their classes (new Dealer(), …), not new Socket(type)")
    }
    if (options !== undefined && (options === null || (typeof options !== "object" && typeof options !== "function"))) {
      throw new TypeError("Options must be an object")
    }
    let context = defaultContext
    if (options !== undefined && "context" in options) {
      const given: unknown = options.context
      if (!(given instanceof Context)) throw zmqError("EINVAL", `the context option must be a Context, got ${describe(given)}`)
      context = given
      Reflect.deleteProperty(options, "context") // fails on a frozen object; then assigning it throws, as in zeromq.js
    }
    this.#context = context
    this.#zmtpType = type
    this.#options = new OptionStore(type, { blocky: context.blocky, ipv6: context.ipv6 })
    bindToThread(this, "Socket", "create sockets in the thread that uses them and connect threads over inproc:// with a shared Context")
    this.#host = this.#makeHost()
  }

  /**
   * The end of every socket class's constructor, as zeromq.js's: seals the socket, so that a misspelt or
   * foreign option throws instead of being ignored, then assigns the options as properties (`Object.assign`,
   * so an unknown one throws "Cannot add property x, object is not extensible" and a read-only one "Cannot
   * set property type of #<Socket> which has only a getter", word for word as in zeromq.js), and only then
   * joins the context, so a socket whose options were refused is not left behind in it. Sealing here, not in
   * this base constructor, leaves the socket classes' private fields added before it.
   */
  protected applyOptions(options: object | undefined): void {
    Object.seal(this)
    if (options !== undefined) Object.assign(this, options)
    this.#context.register(this)
  }

  /** Monitor events (zeromq.js `Observer`). */
  get events(): Observer {
    // zeromq.js makes the socket's Observer on first access, and it keeps events from then on; a closed
    // socket has none (zmq_socket_monitor: ENOTSOCK).
    if (this.#closed) throw zmqError("ENOTSOCK", "the socket is closed: its events ended with it")
    return (this.#events ??= new Observer(this))
  }

  /** The context the socket belongs to. */
  get context(): Context {
    return this.#context
  }

  /** ZMQ_TYPE: libzmq's number for the socket type (PAIR 0, PUB 1, SUB 2, … XSUB 10), as zeromq.js gives it. */
  get type(): number {
    this.#checkOptionAccess()
    return SOCKET_TYPE_NUMBERS[this.#zmtpType]
  }

  /** @internal The ZMTP name of the socket type ("PUSH", "ROUTER", …): what the handshake names; or "STREAM". */
  get zmtpType(): SocketTypeName {
    return this.#zmtpType
  }

  /** The options as the pipes, sessions and transports act on them. */
  protected get options(): Readonly<SocketOptionValues> {
    return this.#options.effective
  }

  // ── routing strategy hooks ─────────────────────────────────────────────────────────────────────────

  /** A new pipe to a peer. With `requiresPeerIdentity`, only pipes whose peer is known are attached. */
  protected abstract xattach(pipe: PipeEnd): void
  /** The pipe is gone (peer left, or we disconnected); it may still hold messages the socket should read. */
  protected abstract xdetach(pipe: PipeEnd): void
  /** Routes one message now; false = no pipe can take it yet (wait). Throws EFSM/EHOSTUNREACH etc. */
  protected abstract xsend(message: Frames): boolean
  /** `xsend` of a one-frame message; strategies that can queue the frame without an array override it. */
  protected xsendFrame(frame: Buffer): boolean {
    return this.xsend([frame])
  }
  /** The next message for the application, or undefined. Throws EFSM where the state forbids receiving. */
  protected abstract xreceive(): Frames | undefined
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
  /** What its connections carry: ZMTP, or raw bytes (STREAM). */
  protected get wire(): "zmtp" | "raw" {
    return "zmtp"
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

  /** ZMQ_LAST_ENDPOINT: the last endpoint bound, with `*` ports resolved. ENOTSOCK once closed, as an option. */
  get lastEndpoint(): string | null {
    this.#checkOptionAccess()
    return this.#lastEndpoint
  }

  /**
   * Binds to `address` (`tcp://host:port` with `*` for any interface or a random port, `ipc://path`,
   * `inproc://name`). Until it settles, every other call on the socket fails with EBUSY, as in zeromq.js.
   */
  bind(address: string): Promise<void> {
    checkArgumentCount(1, arguments.length)
    checkAddress(address)
    this.#validateOpen()
    this.#blocked = true
    return this.#bind(address).finally(this.#unblock)
  }

  async #bind(address: string): Promise<void> {
    const { transport, endpoint } = this.#resolve(address, "bind")
    let binding: TransportBinding
    holdAlive() // a bind in progress keeps the thread alive (one across threads waits for the hub)
    try {
      binding = await transport.bind(this.#host, endpoint)
    } catch (error) {
      // The transport reports bind:error where libzmq does (stream-listener.ts); inproc reports nothing.
      throw ZmqError.isInstance(error) ? error : zmqError("EINVAL", String(error), address, error)
    } finally {
      releaseAlive()
    }
    // Known by the endpoint as bound (a wildcard resolved), which is what unbind() takes, as in libzmq.
    this.#bindings.set(binding.endpoint, binding)
    this.#lastEndpoint = binding.endpoint
    // The transport reported `bind` (ZMQ_EVENT_LISTENING comes from libzmq's listeners: none for inproc).
  }

  /** Unbinds the endpoint as bound: `lastEndpoint`'s form, with wildcards resolved. */
  unbind(address: string): Promise<void> {
    checkArgumentCount(1, arguments.length)
    checkAddress(address)
    this.#validateOpen()
    this.#blocked = true
    return this.#unbind(address).finally(this.#unblock)
  }

  async #unbind(address: string): Promise<void> {
    this.#resolve(address, "bind") // a malformed address is EINVAL, not ENOENT
    const binding = this.#bindings.get(address)
    if (binding === undefined) throw zmqError("ENOENT", `not bound to ${address}`, address)
    this.#bindings.delete(address)
    this.#closePipesOf(binding.endpoint)
    holdAlive()
    try {
      await binding.close()
    } finally {
      releaseAlive()
    }
  }

  readonly #unblock = (): void => {
    this.#blocked = false
    if (this.#closeRequested) this.close()
  }

  connect(address: string): void {
    checkArgumentCount(1, arguments.length)
    checkAddress(address)
    this.#validateOpen()
    this.#connect(this.#resolve(address, "connect"), undefined)
  }

  disconnect(address: string): void {
    checkArgumentCount(1, arguments.length)
    checkAddress(address)
    this.#validateOpen()
    this.#resolve(address, "connect") // a malformed address is EINVAL, not ENOENT
    const connections = this.#connections.get(address)
    if (connections === undefined) throw zmqError("ENOENT", `not connected to ${address}`, address)
    this.#connections.delete(address)
    this.#closePipesOf(address)
    for (const connection of connections) connection.close(this.options.linger)
    if ((this.options.reconnectStop & RECONNECT_STOP_AFTER_DISCONNECT) !== 0) this.#disconnected = true
  }

  /** See SocketHost's `disconnected`. */
  #disconnected = false

  /**
   * Sends a message: one frame or an array of frames (strings are UTF-8; `null` is an empty frame; other
   * values are sent as their text, as zeromq.js does; an empty array sends nothing). Resolves once the
   * message is queued on a pipe. Buffers are not copied: do not modify them after sending.
   */
  send(message: MessageLike | readonly MessageLike[]): Promise<void> {
    if (message === undefined) throw new TypeError("Message must be present")
    this.#validateOpen()
    if (arguments.length > 1) {
      return Promise.reject(new TypeError(`Expected 1 argument but received ${arguments.length}`))
    }
    if (!this.canSend) return Promise.reject(zmqError("ENOTSUP", `${this.constructor.name} cannot send`))
    let parts: Frames
    try {
      if (Array.isArray(message)) {
        parts = toSendMessage(message)
        if (parts.length === 0) return this.#resolveSoon(undefined)
        if (this.#sendQueue.length === 0 && this.xsend(parts)) return this.#sent()
      } else {
        // One frame, the common case: routed as itself, with no array made for it unless it has to wait.
        const frame = toSendFrame(message)
        if (this.#sendQueue.length === 0 && this.xsendFrame(frame)) return this.#sent()
        parts = [frame]
      }
    } catch (error) {
      if (error instanceof TypeError) throw error // a value with no text (a Symbol), as zeromq.js throws
      // zeromq.js polls before it sends: REQ/REP out of step, or a mandatory ROUTER with no peer that has
      // room, waits until the socket may send, unless sendTimeout is 0.
      if (!this.#sendMustWait(error) || this.options.sendTimeout === 0) return Promise.reject(error)
      parts ??= toSendMessage(message)
    }
    // Also when earlier sends are still waiting: with sendTimeout 0 this one must not queue behind them.
    if (this.options.sendTimeout === 0) {
      return Promise.reject(zmqError("EAGAIN", "socket is not writable (no peer with room below its high-water mark)"))
    }
    return new Promise<void>((resolve, reject) => {
      this.#wait(this.#sendQueue, { message: parts, resolve, reject, timer: undefined }, this.options.sendTimeout, "send")
    })
  }

  /** Receives the next whole message: its frames, each a `Message` (a Buffer), as zeromq.js types it. */
  receive(): Promise<Received<this>> {
    checkArgumentCount(0, arguments.length)
    const frames = this.#receiveFrames()
    const shape = this.receivedShape
    return (shape === undefined ? frames : frames.then(shape)) as Promise<Received<this>>
  }

  /**
   * How the draft types turn what `xreceive` gives into what `receive()` resolves to (Server's routing id,
   * Dish's group); none for the others, whose messages are their frames.
   */
  protected get receivedShape(): ((message: Frames) => object[]) | undefined {
    return undefined
  }

  #receiveFrames(): Promise<Frames> {
    this.#validateOpen()
    if (!this.canReceive) return Promise.reject(zmqError("ENOTSUP", `${this.constructor.name} cannot receive`))
    if (this.#receiveQueue.length === 0) {
      let message: Frames | undefined
      try {
        message = this.xreceive()
      } catch (error) {
        // REQ/REP out of step: zeromq.js waits until the socket may receive, unless receiveTimeout is 0.
        if (!isStateError(error) || this.options.receiveTimeout === 0) return Promise.reject(error)
      }
      if (message !== undefined) return this.#received(message)
    }
    if (this.options.receiveTimeout === 0) {
      return Promise.reject(zmqError("EAGAIN", "no message is waiting"))
    }
    return new Promise<Frames>((resolve, reject) => {
      this.#wait(this.#receiveQueue, { resolve, reject, timer: undefined }, this.options.receiveTimeout, "receive")
    })
  }

  /**
   * `for await (const message of socket)`: ends when the socket closes. Hand-written rather than an async
   * generator: when a message is already waiting, `next()` costs one resolved promise and nothing else.
   */
  [Symbol.asyncIterator](): AsyncIterator<Received<this>, undefined> {
    type Item = Received<this>
    const done: IteratorReturnResult<undefined> = { value: undefined, done: true }
    const shape = this.receivedShape
    const iterator: AsyncIterator<Item, undefined> & AsyncIterable<Item> = {
      next: (): Promise<IteratorResult<Item, undefined>> => {
        if (this.#closed) return Promise.resolve(done)
        if (this.#receiveQueue.length === 0 && this.canReceive && !this.#blocked) {
          let message: Frames | undefined
          try {
            message = this.xreceive()
          } catch (error) {
            if (!isStateError(error) || this.options.receiveTimeout === 0) return Promise.reject(error)
          }
          if (message !== undefined) {
            this.#afterReceive()
            return this.#resolveSoon({ value: (shape === undefined ? message : shape(message)) as Item, done: false })
          }
        }
        return this.receive().then(
          (value) => ({ value, done: false }),
          (error: unknown) => {
            // As zeromq.js's iterator: a receive ended by close (EAGAIN) or by context termination ends it.
            if (ZmqError.isInstance(error) && (error.code === "ETERM" || (error.code === "EAGAIN" && this.#closed))) return done
            throw error
          },
        )
      },
      return: (): Promise<IteratorResult<Item, undefined>> => Promise.resolve(done),
      [Symbol.asyncIterator]() {
        return iterator
      },
    }
    return iterator
  }

  /**
   * Closes the socket. Pending `send()`/`receive()` calls reject with EAGAIN, as in zeromq.js. Messages
   * already queued are still delivered for up to `linger` ms (-1: until sent; 0: dropped) in the
   * background. During a bind or unbind, the socket closes once it has settled (`closed` stays false until
   * then), as in zeromq.js.
   */
  close(): void {
    checkArgumentCount(0, arguments.length)
    if (this.#blocked) {
      this.#closeRequested = true
      this.#notifyReadiness() // a running Proxy holding the socket checks whether its context is ending
      return
    }
    if (this.#closed) return
    this.#closed = true
    this.#rejectAll(closedWhileWaiting)
    // Pipes first: their far ends start flushing within linger; then stop listening and reconnecting.
    this.closePipes(this.options.linger)
    for (const binding of new Set(this.#bindings.values())) void binding.close()
    this.#bindings.clear()
    for (const connections of this.#connections.values()) for (const connection of connections) connection.close(this.options.linger)
    this.#connections.clear()
    this.context.unregister(this)
    this.#notifyReadiness()
    this.#emit({ type: "end" }) // the socket's Observer ends with it
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.close()
  }

  /** @internal Context termination: reject everything blocked with ETERM, then close. */
  terminate(): void {
    this.#rejectAll(contextTerminated)
    this.close()
  }

  /**
   * Rejects every pending `send()`/`receive()` (and any Poller waiting on this socket) with EINTR, as a
   * signal interrupts blocking libzmq calls. The socket stays open. (zhelpers' s_catch_signals uses this.)
   */
  interrupt(): void {
    this.#interrupts++
    this.#rejectAll(interrupted)
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
    checkAddress(address)
    this.#validateOpen()
    this.#connect(this.#resolve(address, "connect"), routingId)
  }

  /** Wakes waiting senders/receivers after the strategy's state changed (e.g. REQ got its reply). */
  protected wake(): void {
    this.#drainSends()
    this.#drainReceives()
    this.#notifyReadiness()
  }

  /**
   * @internal How many peers the socket has a pipe to now, over any transport: what a pattern waits on
   * before it sends (the Guide's "wait for workers"), where inproc raises no monitor events to count.
   * `watchReadiness` watchers hear every change.
   */
  get peerCount(): number {
    let count = 0
    for (const pipe of this.#pipes) if (pipe.peer !== undefined && !pipe.peerClosed) count++
    return count
  }

  /**
   * @internal Calls `watcher` whenever `readable`/`writable` may have changed (a Poller re-checks then), and
   * whenever a peer comes or goes. Returns the function that stops watching.
   */
  watchReadiness(watcher: () => void): () => void {
    this.#readinessWatchers.add(watcher)
    return () => this.#readinessWatchers.delete(watcher)
  }

  #notifyReadiness(): void {
    if (this.#readinessWatchers.size === 0) return
    for (const watcher of [...this.#readinessWatchers]) watcher()
  }

  /** An option property's getter (zeromq.js's): ENOTSOCK once the socket is closed. */
  protected readOption(name: OptionName): OptionValue {
    this.#checkOptionAccess()
    return this.#options.read(name)
  }

  /**
   * An option property's setter, in zeromq.js's order: a value of the wrong type is a TypeError even on a
   * closed socket; then ENOTSOCK once closed; then, once the socket has endpoints (or a bind is in
   * progress), zeromq.js's warning for the options it does not expect to apply at once; then libzmq's check
   * of the value.
   */
  protected writeOption(name: OptionName, value: unknown): void {
    checkOptionType(name, value)
    this.#checkOptionAccess()
    if (SOCKET_OPTIONS[name].immediate !== true && (this.#blocked || this.endpointCount > 0)) {
      emitWarning("Socket option will not take effect until next connect/bind.")
    }
    this.#options.write(name, value)
    // New high-water marks apply to the pipes that exist, as in libzmq (and zeromq.js relies on it).
    if (name === "sendHighWaterMark" || name === "receiveHighWaterMark") for (const pipe of this.#pipes) pipe.resize?.()
  }

  #checkOptionAccess(): void {
    if (this.#closed) throw zmqError("ENOTSOCK", "the socket is closed: its options can no longer be read or set")
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
    const connection = transport.connect(this.#host, endpoint, routingId)
    const existing = this.#connections.get(endpoint.address)
    if (existing === undefined) this.#connections.set(endpoint.address, [connection])
    else existing.push(connection)
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
    let sentAny = false
    for (let request = queue.peek(); request !== undefined; request = queue.peek()) {
      let sent: boolean
      try {
        sent = this.xsend(request.message)
      } catch (error) {
        if (this.#sendMustWait(error)) break // it waits for the socket to allow it (see send())
        takeCall(queue).reject(error as Error)
        continue
      }
      if (!sent) break
      takeCall(queue).resolve()
      sentAny = true
    }
    if (sentAny && this.#receiveQueue.length > 0) this.#drainReceives()
  }

  #drainReceives(): void {
    const queue = this.#receiveQueue
    let receivedAny = false
    while (queue.length > 0) {
      let message: Frames | undefined
      try {
        message = this.xreceive()
      } catch (error) {
        if (isStateError(error)) break
        takeCall(queue).reject(error as Error)
        continue
      }
      if (message === undefined) break
      takeCall(queue).resolve(message)
      receivedAny = true
    }
    if (receivedAny && this.#sendQueue.length > 0) this.#drainSends()
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

  /**
   * Rejects every waiting call with one error, made only when some call waits: building a ZmqError (and its
   * stack trace) cost close() ~0.2 ms per socket.
   */
  #rejectAll(makeError: () => ZmqError): void {
    if (this.#sendQueue.length === 0 && this.#receiveQueue.length === 0) return
    const error = makeError()
    while (this.#sendQueue.length > 0) takeCall(this.#sendQueue).reject(error)
    while (this.#receiveQueue.length > 0) takeCall(this.#receiveQueue).reject(error)
  }

  /** zeromq.js's `ValidateOpen`: EBUSY during a bind or unbind, EBADF ("Socket is closed") once closed. */
  #validateOpen(): void {
    if (this.#blocked) {
      throw new ZmqError("EBUSY", "Socket is blocked by a bind or unbind operation", {
        details: "a bind or unbind on this socket has not settled yet; await it first",
      })
    }
    if (this.#closed) throw zmqError("EBADF", "the socket is closed")
  }

  /** Resolves with `value` at once, or on the next turn once this turn has had its burst. */
  #resolveSoon<T>(value: T): Promise<T> {
    if (this.#syncOperations === 0) setImmediate(this.#resetSyncOperations)
    if (++this.#syncOperations < SYNC_OPERATIONS_PER_TURN) return Promise.resolve(value)
    return new Promise((resolve) => setImmediate(() => resolve(value)))
  }

  #sendMustWait(error: unknown): boolean {
    return isStateError(error) || (isUnroutable(error) && !this.xwritable())
  }

  /** A send went through: it may have changed what the socket can receive (REQ awaits its reply). */
  #sent(): Promise<void> {
    if (this.#receiveQueue.length > 0) this.#drainReceives()
    if (this.#syncOperations === 0) setImmediate(this.#resetSyncOperations)
    if (++this.#syncOperations < SYNC_OPERATIONS_PER_TURN) return SENT
    return new Promise((resolve) => setImmediate(resolve))
  }

  /** A message was received: it may have changed what the socket can send (REP may now reply). */
  #received(message: Frames): Promise<Frames> {
    this.#afterReceive()
    return this.#resolveSoon(message)
  }

  #afterReceive(): void {
    if (this.#sendQueue.length > 0) this.#drainSends()
  }


  #emit(event: SocketEvent): void {
    this.#eventFeed?.(event)
  }

  #makeHost(): SocketHost {
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const socket = this
    return {
      get type() {
        return socket.#zmtpType
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
      wire: socket.wire,
      get disconnected() {
        return socket.#disconnected
      },
      listener: socket,
      attachPipe: (pipe) => socket.#attach(pipe),
      emit: (event) => socket.#emit(event),
    }
  }

  // ── for Observer and Proxy (socket/observer.ts, tools/proxy.ts) ────────────────────────────────────

  /**
   * @internal An Observer attaches here (`socket.events`, `new Observer(socket)`): `feed` gets every event
   * from now on, `end` last, until the returned function is called. As libzmq monitors a socket once, a new
   * observer ends the one before it, which gets `end` (socket_base.cpp's monitor() stops the previous
   * monitor with ZMQ_EVENT_MONITOR_STOPPED). ENOTSOCK on a closed socket, as zmq_socket_monitor.
   */
  [OBSERVE](feed: EventFeed): () => void {
    if (this.#closed) throw zmqError("ENOTSOCK", "the socket is closed: there is nothing left to observe")
    this.#eventFeed?.({ type: "end" })
    this.#eventFeed = feed
    return () => {
      if (this.#eventFeed === feed) this.#eventFeed = undefined
    }
  }

  /** What the socket's Observer is fed. */
  #eventFeed: EventFeed | undefined

  /** @internal How many endpoints the socket is bound or connected to (zeromq.js's `endpoints`). */
  get endpointCount(): number {
    let count = this.#bindings.size
    for (const connections of this.#connections.values()) count += connections.length
    return count
  }

  /**
   * @internal A running Proxy takes the socket (zeromq.js's `State::Blocked`): the application's calls fail
   * with EBUSY and `close()` waits, until the returned function releases it. The proxy itself moves messages
   * with `takeMessage()`/`putMessage()`.
   */
  holdForProxy(): () => void {
    this.#blocked = true
    return this.#unblock
  }

  /** @internal For a Proxy: the next message if one is waiting now. */
  takeMessage(): Frames | undefined {
    return this.canReceive ? this.xreceive() : undefined
  }

  /** @internal For a Proxy: routes `message` now if it can; false when no peer has room. */
  putMessage(message: Frames): boolean {
    return this.canSend && this.xsend(message)
  }
}

// Options as typed properties (zeromq.js style): `socket.linger = 0`, `new Push({ linger: 0 })`. The options
// of every socket type are defined here, on Socket.prototype; the others by the classes that have them
// (`defineSocketOptions`), so that, the socket being sealed, another type's option throws as in zeromq.js.
// eslint-disable-next-line @typescript-eslint/no-empty-interface, @typescript-eslint/no-unsafe-declaration-merging
export interface Socket extends SocketOptionProperties {}

/** How the property accessors reach the socket's protected option methods. */
interface OptionAccess {
  readOption(name: OptionName): OptionValue
  writeOption(name: OptionName, value: unknown): void
}

function defineOptionProperties(prototype: object, include: (name: OptionName) => boolean): void {
  for (const name of Object.keys(SOCKET_OPTIONS) as OptionName[]) {
    if (!include(name)) continue
    // Not enumerable, as zeromq.js's: `for…in` and spreads do not list them.
    const descriptor: PropertyDescriptor = {
      get(this: OptionAccess) {
        return this.readOption(name)
      },
      configurable: true,
    }
    if (SOCKET_OPTIONS[name].readOnly !== true) {
      descriptor.set = function set(this: OptionAccess, value: unknown) {
        this.writeOption(name, value)
      }
    }
    Object.defineProperty(prototype, name, descriptor)
  }
}

defineOptionProperties(Socket.prototype, (name) => SOCKET_OPTIONS[name].on === undefined)

/** Defines on a socket class the options zeromq.js gives its type beyond those of every socket. */
export function defineSocketOptions(socketClass: { readonly prototype: AnySocket }, type: SocketTypeName): void {
  defineOptionProperties(socketClass.prototype, (name) => SOCKET_OPTIONS[name].on?.includes(type) === true)
}

function describe(value: unknown): string {
  if (value === null) return "null"
  if (typeof value !== "object") return typeof value
  return (value as object).constructor?.name ?? "an object"
}
