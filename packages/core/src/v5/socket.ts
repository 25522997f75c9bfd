import type { Buffer } from "node:buffer"
import { EventEmitter } from "node:events"
import { ZmqError, Subscriber, Poller, type Socket as V6Socket, type MessageLike } from "@zmq-ts/core"
import { Fifo } from "../common/fifo.js"
import { ZMQ_DONTWAIT, ZMQ_SNDMORE } from "./constants.js"
import { compatError, compatFailure, withCompatErrors } from "./errors.js"
import { watchMonitorEvents, type MonitorEventArguments, type MonitorEventName } from "./monitor.js"
import { options as shortOptions, type ShortOptionName } from "./option-constants.js"
import { getOption, setOption, type OptionInput, type OptionValue } from "./socket-options.js"
import { makeSocket, receives, sends, type SocketType } from "./socket-types.js"

/** What `bind`, `unbind` and `send` call back with: nothing on success, the error otherwise. */
export type Callback = (error?: Error) => void

/** The events of a compat socket and their arguments. */
export type SocketEventMap = {
  /** A received message: one argument per frame. */
  message: Buffer[]
  /** A failure with no callback to report it to (a `send` without one, a `bind` without one, a receive). */
  error: [error: Error]
  /** `bind(address, callback)` completed. */
  bind: [address: string]
  /** `unbind(address, callback)` completed. */
  unbind: [address: string]
} & { [Name in MonitorEventName]: MonitorEventArguments }

/** A message handed to `send()` (with all its ZMQ_SNDMORE parts), waiting to go to the v6 socket. */
interface Outgoing {
  readonly frames: MessageLike[]
  readonly callbacks: Callback[]
  readonly dontWait: boolean
}

const CLOSED = "the compat socket was closed"

/**
 * zeromq.js's v5 compatibility socket (`zeromq/v5-compat`): an EventEmitter over one of our v6 sockets.
 *
 * Received messages are emitted as `"message"` with one argument per frame, from a loop that starts with
 * the first `"message"` listener (so nothing is lost before one exists) and waits, with a Poller, until
 * the socket is readable: a REQ with no request out or a REP owing a reply just waits, as libzmq's poll
 * does, where our v6 `receive()` would fail with EFSM.
 *
 * Sent messages queue here and go to the v6 socket in order, each once the socket is writable (so a burst
 * of requests on a REQ goes out one per reply, as in v5); `send` never blocks and never throws, and reports
 * through its callback or the `"error"` event. `pause()` holds both directions until `resume()`.
 */
export class Socket extends EventEmitter<SocketEventMap> {
  /** The type name the socket was made with ("req", "xrep", …). */
  readonly type: SocketType
  readonly #socket: V6Socket
  /** Parts given with ZMQ_SNDMORE so far, their callbacks and flags. */
  #parts: MessageLike[] = []
  #partCallbacks: Callback[] = []
  #partFlags = 0
  readonly #outgoing = new Fifo<Outgoing>()
  /** A message received just as the socket was paused; emitted first on resume. */
  readonly #held: Buffer[][] = []
  #paused = false
  #receiveStarted = false
  #receiving = false
  #waitingToSend = false
  #readable: Poller | undefined
  #writable: Poller | undefined
  #stopMonitor: (() => void) | undefined
  /** Binds in flight by address, so an unbind of the same address waits for its bind (bindSync). */
  readonly #binding = new Map<string, Promise<void>>()

  constructor(type: SocketType) {
    super()
    this.type = type
    this.#socket = withCompatErrors(() => makeSocket(type))
    if (receives(type)) {
      const plainEmitter = this as unknown as EventEmitter
      const startOnMessageListener = (event: string | symbol): void => {
        if (event !== "message") return
        plainEmitter.off("newListener", startOnMessageListener)
        this.#receiveStarted = true
        queueMicrotask(() => void this.#receiveLoop())
      }
      plainEmitter.on("newListener", startOnMessageListener)
    }
  }

  /** True once `close()` was called. */
  get closed(): boolean {
    return this.#socket.closed
  }

  // ── endpoints ──────────────────────────────────────────────────────────────────────────────────────

  /** Binds; then emits `"bind"` and calls `callback`, or calls `callback(error)` (`"error"` without one). */
  bind(address: string, callback?: Callback): this {
    this.#startBind(address).then(
      () =>
        process.nextTick(() => {
          this.emit("bind", address)
          callback?.call(this)
        }),
      (error: unknown) => process.nextTick(() => this.#report(compatError(error), callback)),
    )
    return this
  }

  /**
   * Starts binding and returns at once. Our v6 `bind()` is asynchronous (a tcp listen is, in Node.js), so
   * unlike v5 this throws only for a closed socket: any other failure is emitted as `"error"`. Peers may connect meanwhile (tcp and
   * ipc peers retry; inproc names are taken at once), and an `unbind` of the address waits for the bind.
   */
  bindSync(address: string): this {
    this.#assertOpen()
    this.#startBind(address).catch((error: unknown) => this.#report(compatError(error), undefined))
    return this
  }

  /** Unbinds; then emits `"unbind"` and calls `callback`, or calls `callback(error)` (`"error"` without one). */
  unbind(address: string, callback?: Callback): this {
    this.#startUnbind(address).then(
      () =>
        process.nextTick(() => {
          this.emit("unbind", address)
          callback?.call(this)
        }),
      (error: unknown) => process.nextTick(() => this.#report(compatError(error), callback)),
    )
    return this
  }

  /** Starts unbinding and returns at once; a failure is emitted as `"error"` (see `bindSync`). */
  unbindSync(address: string): this {
    this.#assertOpen()
    this.#startUnbind(address).catch((error: unknown) => this.#report(compatError(error), undefined))
    return this
  }

  connect(address: string): this {
    withCompatErrors(() => this.#socket.connect(address))
    return this
  }

  disconnect(address: string): this {
    withCompatErrors(() => this.#socket.disconnect(address))
    return this
  }

  #startBind(address: string): Promise<void> {
    const binding = this.#socket.bind(address)
    const settled = binding.then(
      () => undefined,
      () => undefined,
    )
    this.#binding.set(address, settled)
    void settled.then(() => {
      if (this.#binding.get(address) === settled) this.#binding.delete(address)
      this.#flushSends()
    })
    return binding
  }

  async #startUnbind(address: string): Promise<void> {
    await this.#binding.get(address)
    await this.#socket.unbind(address)
  }

  // ── sending ────────────────────────────────────────────────────────────────────────────────────────

  /**
   * Queues a message: one frame, or an array of frames. With ZMQ_SNDMORE the frames are held until a
   * `send` without it completes the message; every callback given along the way is called once the whole
   * message is queued on the socket, or with the error that stopped it. ZMQ_DONTWAIT makes a message that
   * cannot be queued at once fail with EAGAIN instead of waiting; so does `sndtimeo` when it runs out.
   */
  send(message: MessageLike | readonly MessageLike[], flags?: number | null, callback?: Callback): this {
    const bits = (flags ?? 0) | 0
    if (Array.isArray(message)) for (const frame of message as readonly MessageLike[]) this.#parts.push(frame)
    else this.#parts.push(message as MessageLike)
    if (callback !== undefined) this.#partCallbacks.push(callback)
    this.#partFlags |= bits
    if ((bits & ZMQ_SNDMORE) !== 0) return this

    const outgoing: Outgoing = {
      frames: this.#parts,
      callbacks: this.#partCallbacks,
      dontWait: (this.#partFlags & ZMQ_DONTWAIT) !== 0,
    }
    this.#parts = []
    this.#partCallbacks = []
    this.#partFlags = 0
    if (!sends(this.type)) {
      this.#fail(outgoing, new Error("Cannot send on this socket type."))
    } else if (this.#socket.closed) {
      this.#fail(outgoing, compatFailure("ENOTSOCK", CLOSED))
    } else if (outgoing.dontWait && (this.#outgoing.length > 0 || this.#paused)) {
      // Messages queued ahead of it (or a pause) hold it back, and ZMQ_DONTWAIT means "now or never".
      this.#fail(outgoing, compatFailure("EAGAIN", "earlier messages are still waiting to be sent"))
    } else {
      this.#outgoing.push(outgoing)
      this.#flushSends()
    }
    return this
  }

  /** Hands queued messages to the v6 socket while it can take them at once. */
  #flushSends(): void {
    const socket = this.#socket
    for (let next = this.#outgoing.peek(); next !== undefined && !this.#paused; next = this.#outgoing.peek()) {
      if (socket.closed) return
      if (!socket.writable) {
        if (next.dontWait || sendTimeoutOf(socket) === 0) {
          this.#outgoing.shift()
          this.#fail(next, compatFailure("EAGAIN", `${socket.constructor.name} socket cannot queue the message now`))
          continue
        }
        this.#waitToSend(next)
        return
      }
      this.#outgoing.shift()
      const outgoing = next
      socket.send(outgoing.frames).then(
        () => this.#settle(outgoing, undefined),
        (error: unknown) => this.#settle(outgoing, compatError(error)),
      )
    }
  }

  /** Waits (one wait at a time) until the socket is writable, then flushes; honours `sndtimeo`. */
  #waitToSend(head: Outgoing): void {
    if (this.#waitingToSend) return
    this.#waitingToSend = true
    const timeout = sendTimeoutOf(this.#socket)
    this.#writable ??= new Poller().add(this.#socket, "writable")
    void this.#poll(this.#writable, timeout).then((ready) => {
      this.#waitingToSend = false
      if (!ready && timeout > 0 && !this.#socket.closed && this.#outgoing.peek() === head) {
        this.#outgoing.shift()
        this.#fail(head, compatFailure("EAGAIN", `send timed out after ${timeout} ms`))
      }
      this.#flushSends()
    })
  }

  /** Reports a message's outcome to its callbacks, or a failure as `"error"` when it has none. */
  #settle(outgoing: Outgoing, error: Error | undefined, quiet = false): void {
    for (const callback of outgoing.callbacks) {
      try {
        callback.call(this, error)
      } catch (thrown) {
        // A throwing callback must not vanish into our promise chain: throw it as a callback would.
        process.nextTick(() => {
          throw thrown
        })
      }
    }
    if (error !== undefined && outgoing.callbacks.length === 0 && !quiet) this.#emitError(error)
  }

  /** `#settle` with an error, on the next tick: callbacks never run inside the `send()` call itself. */
  #fail(outgoing: Outgoing, error: Error, quiet = false): void {
    process.nextTick(() => this.#settle(outgoing, error, quiet))
  }

  // ── receiving ──────────────────────────────────────────────────────────────────────────────────────

  async #receiveLoop(): Promise<void> {
    if (this.#receiving) return
    this.#receiving = true
    const socket = this.#socket
    try {
      while (!this.#paused && !socket.closed) {
        const held = this.#held.shift()
        if (held !== undefined) {
          this.#deliver(held)
          continue
        }
        if (!socket.readable) {
          this.#readable ??= new Poller().add(socket, "readable")
          await this.#poll(this.#readable, -1)
          continue
        }
        let message: Buffer[]
        try {
          message = await socket.receive()
        } catch (error) {
          if (socket.closed) return
          // A timeout (rcvtimeo) only means nothing came: keep listening, as v5 did.
          if (!(ZmqError.isInstance(error) && error.code === "EAGAIN")) this.#emitError(compatError(error))
          await new Promise((resolve) => setImmediate(resolve)) // never spin on a repeating failure
          continue
        }
        if (this.#paused) {
          this.#held.push(message)
          return
        }
        this.#deliver(message)
      }
    } finally {
      this.#receiving = false
    }
  }

  #deliver(message: Buffer[]): void {
    try {
      this.emit("message", ...message)
    } catch (error) {
      // As v5: a throwing "message" listener becomes an "error" event, and the messages keep coming.
      this.#emitError(error instanceof Error ? error : new Error(String(error)))
    }
    // A reply received lets a REQ send its next request; a request received lets a REP reply.
    this.#flushSends()
  }

  /** Resolves true when the poller's socket is ready, false on timeout, close or interruption. */
  async #poll(poller: Poller, timeout: number): Promise<boolean> {
    try {
      return (await poller.poll(timeout)).length > 0
    } catch (error) {
      const quiet = this.#socket.closed || (ZmqError.isInstance(error) && error.code === "EINTR")
      if (!quiet) this.#emitError(compatError(error))
      return false
    }
  }

  /**
   * zeromq.js removed v5's synchronous `read()`: a v6 socket receives only through promises. Listen for
   * `"message"` instead (with `pause()`/`resume()` for flow control).
   */
  read(): never {
    throw new Error("read() has been removed from compatibility mode; use on('message', ...) instead.")
  }

  /** Stops emitting messages and sending queued ones until `resume()`; `send()` still queues. */
  pause(): this {
    this.#paused = true
    return this
  }

  resume(): this {
    this.#paused = false
    if (this.#receiveStarted) queueMicrotask(() => void this.#receiveLoop())
    this.#flushSends()
    return this
  }

  // ── subscriptions, options ─────────────────────────────────────────────────────────────────────────

  subscribe(filter: string | Buffer): this {
    const socket = this.#socket
    if (!(socket instanceof Subscriber)) throw new Error("Subscriber socket required")
    withCompatErrors(() => socket.subscribe(filter))
    return this
  }

  unsubscribe(filter: string | Buffer): this {
    const socket = this.#socket
    if (!(socket instanceof Subscriber)) throw new Error("Subscriber socket required")
    withCompatErrors(() => socket.unsubscribe(filter))
    return this
  }

  /** Sets an option by its number (`zmq.ZMQ_LINGER`) or its short name (`"linger"`). */
  setsockopt(option: number | ShortOptionName, value: OptionInput): this {
    setOption(this.#socket, option, value)
    return this
  }

  /** Reads an option by its number (`zmq.ZMQ_LINGER`) or its short name (`"linger"`). */
  getsockopt(option: number | ShortOptionName): OptionValue {
    return getOption(this.#socket, option)
  }

  // ── monitoring, closing ────────────────────────────────────────────────────────────────────────────

  /**
   * Emits the socket's monitor events under v5's names (`"connect"`, `"listen"`, `"accept"`,
   * `"disconnect"`, …) with `(value, address, error)`. Every event is passed on as it happens, so the
   * polling interval and batch size of v5 have no use: giving them warns, as zeromq.js does.
   */
  monitor(interval?: number, numOfEvents?: number): this {
    if (interval || numOfEvents) {
      process.emitWarning("Arguments to monitor() are ignored in compatibility mode; all events are read automatically")
    }
    this.#stopMonitor?.()
    this.#stopMonitor = watchMonitorEvents(this.#socket.events, (name, ...args) => this.emit(name, ...args))
    return this
  }

  unmonitor(): this {
    this.#stopMonitor?.()
    this.#stopMonitor = undefined
    return this
  }

  /**
   * Closes the socket. Messages already handed to it are delivered within `linger`; messages still queued
   * here are dropped, and their callbacks called with a "Socket is closed" error.
   */
  close(): this {
    this.#socket.close()
    const dropped = this.#outgoing.drain()
    if (this.#parts.length > 0) dropped.push({ frames: this.#parts, callbacks: this.#partCallbacks, dontWait: false })
    this.#parts = []
    this.#partCallbacks = []
    this.#partFlags = 0
    for (const outgoing of dropped) this.#fail(outgoing, compatFailure("ENOTSOCK", CLOSED), true)
    return this
  }

  /** The one check the "Sync" calls can make before returning: the socket is open. */
  #assertOpen(): void {
    if (this.#socket.closed) throw compatFailure("ENOTSOCK", CLOSED)
  }

  /** A failure nobody asked to hear of directly: a callback if there is one, else `"error"` unless closed. */
  #report(error: Error, callback: Callback | undefined): void {
    if (callback !== undefined) callback.call(this, error)
    else if (!this.#socket.closed) this.#emitError(error)
  }

  /**
   * Emits `"error"`. With no listener EventEmitter throws it; we are in a callback of our own then, so it is
   * thrown on the next tick instead, an uncaught exception as in v5, and our loops go on.
   */
  #emitError(error: Error): void {
    try {
      this.emit("error", error)
    } catch (thrown) {
      process.nextTick(() => {
        throw thrown
      })
    }
  }
}

/**
 * v5's option properties (`sock.linger = 0`, `sock.identity`): each reads and writes the option of its
 * short name through `getsockopt`/`setsockopt`, so the same values and errors apply.
 */
export interface ShortOptionProperties {
  /** ZMQ_FD: reading throws (there is no file descriptor to poll). */
  readonly _fd: OptionValue
  /** ZMQ_EVENTS: ZMQ_POLLIN | ZMQ_POLLOUT as the socket is now. */
  readonly _ioevents: number
  /** ZMQ_RCVMORE: reading throws (messages always arrive whole). */
  readonly _receiveMore: OptionValue
  /** ZMQ_SUBSCRIBE (write-only, SUB). */
  set _subscribe(topic: string | Uint8Array)
  /** ZMQ_UNSUBSCRIBE (write-only, SUB). */
  set _unsubscribe(topic: string | Uint8Array)
  affinity: number
  backlog: number
  get identity(): string | null
  set identity(value: string | Uint8Array | null)
  linger: number
  rate: number
  rcvbuf: number
  readonly last_endpoint: string | null
  reconnect_ivl: number
  recovery_ivl: number
  sndbuf: number
  /** ZMQ_MECHANISM: 0 NULL, 1 PLAIN (read-only). */
  readonly mechanism: number
  get plain_server(): number
  set plain_server(value: number | boolean)
  get plain_username(): string | null
  set plain_username(value: string | Uint8Array | null)
  get plain_password(): string | null
  set plain_password(value: string | Uint8Array | null)
  /** CURVE options: zmq-ts has no CURVE yet; they read as unset and setting them fails with ENOTSUP. */
  get curve_server(): number
  set curve_server(value: number | boolean)
  get curve_publickey(): string | null
  set curve_publickey(value: string | Uint8Array | null)
  get curve_secretkey(): string | null
  set curve_secretkey(value: string | Uint8Array | null)
  get curve_serverkey(): string | null
  set curve_serverkey(value: string | Uint8Array | null)
  get zap_domain(): string
  set zap_domain(value: string | Uint8Array)
  heartbeat_ivl: number
  heartbeat_ttl: number
  heartbeat_timeout: number
  connect_timeout: number
}

// eslint-disable-next-line @typescript-eslint/no-empty-interface, @typescript-eslint/no-unsafe-declaration-merging
export interface Socket extends ShortOptionProperties {}
for (const name of Object.keys(shortOptions) as ShortOptionName[]) {
  Object.defineProperty(Socket.prototype, name, {
    get(this: Socket) {
      return this.getsockopt(name)
    },
    set(this: Socket, value: OptionInput) {
      this.setsockopt(name, value)
    },
    enumerable: true,
    configurable: true,
  })
}

/** `createSocket`'s options: short option names and their values, applied in order as `sock[name] = value`. */
export type CreateSocketOptions = { readonly [Name in ShortOptionName]?: OptionInput }

/**
 * Makes a socket of `type` with `options` set on it (v5's `zmq.socket("req", { linger: 0 })`). A name
 * that is not an option fails with "Unknown option" (v5 would have set a plain property, silently).
 */
export function createSocket(type: SocketType, options: CreateSocketOptions = {}): Socket {
  const socket = new Socket(type)
  try {
    for (const [name, value] of Object.entries(options)) {
      if (value === undefined) continue
      if (!Object.hasOwn(shortOptions, name)) throw new Error("Unknown option")
      socket.setsockopt(name as ShortOptionName, value)
    }
  } catch (error) {
    socket.close()
    throw error
  }
  return socket
}

/** The v6 socket's `sendTimeout`: only the socket types that send have it, and only those get here. */
function sendTimeoutOf(socket: V6Socket): number {
  return (socket as unknown as { readonly sendTimeout: number }).sendTimeout
}
