import { Buffer } from "#platform/buffer"
import { EventEmitter } from "node:events"
import { ZmqError, Subscriber, Poller, type Socket as V6Socket, type MessageLike } from "@zmq-ts/core"
import { Fifo } from "../common/fifo.js"
import { ZMQ_DONTWAIT, ZMQ_SNDMORE } from "./constants.js"
import { checkAddressType, checkEndpoint, expectedEndpoint } from "./endpoint.js"
import { compatError, compatFailure } from "./errors.js"
import { watchMonitorEvents, type MonitorEventArguments, type MonitorEventName } from "./monitor.js"
import { options as shortOptions, ZMQ_LAST_ENDPOINT, type ShortOptionName } from "./option-constants.js"
import { getOption, optionNumber, setOption, type OptionInput, type OptionValue } from "./socket-options.js"
import { makeSocket, receives, sends, type SocketType } from "./socket-types.js"

/** What `bind`, `unbind` and `send` call back with: nothing on success, the error otherwise. */
export type Callback = (error?: Error) => void

/** The events of a compat socket and their arguments. */
export type SocketEventMap = {
  /** A received message: one argument per frame. */
  message: Buffer[]
  /** A failure with no callback to report it to (a `send` or `bind` without one, `bindSync`, a receive). */
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

/**
 * A call that needs the v6 socket free: while a bind or unbind is in progress, the v6 socket refuses every
 * other call with EBUSY (as zeromq.js's), so calls made meanwhile wait here, in order.
 */
interface EndpointCall {
  /** Makes the call. A bind or unbind returns its promise: the calls behind it wait until it settles. */
  readonly run: () => Promise<unknown> | undefined
  /** The compat socket was closed before the call was made. */
  readonly cancel: () => void
}

/** zeromq.js's error for a call on a closed socket (EBADF, "Socket is closed"). */
function closedError(): ZmqError {
  return compatFailure("EBADF", "the socket is closed")
}

/** A v6 call that may throw at once, as a promise: a synchronous throw becomes its rejection. */
function attempt(action: () => Promise<void>): Promise<void> {
  try {
    return action()
  } catch (error) {
    return Promise.reject(error)
  }
}

/**
 * zeromq.js's v5 compatibility socket (`zeromq/v5-compat`): an EventEmitter over one of our v6 sockets.
 *
 * Received messages are emitted as `"message"` with one argument per frame, from a loop that starts with
 * the first `"message"` listener (so nothing is lost before one exists) and waits, with a Poller, until
 * the socket is readable.
 *
 * Sent messages queue here and go to the v6 socket one at a time, in order (so a burst of requests on a REQ
 * goes out one per reply, as in v5); `send` never blocks and never throws, and reports through its
 * callback or the `"error"` event. `pause()` holds both directions until `resume()`.
 *
 * Endpoint calls: zeromq.js's `bindSync`/`unbindSync` complete before they return. A Node.js listen
 * cannot, so ours check the address at once (a malformed one throws, as in zeromq.js), start the bind and
 * return; every call made on this socket until it settles (connect, another bind, send, receive) waits for
 * it here instead of failing with the v6 socket's EBUSY, so code written for the synchronous calls runs in
 * the same order. An inproc name is taken at once, inside `bindSync`, and `last_endpoint` reads the
 * endpoint at once wherever it is known before the listen (not for a random port). What only the listen
 * can tell (the address is in use, a host does not resolve) arrives as an `"error"` event.
 * docs/zeromqjs-compat.md lists the differences.
 */
export class Socket extends EventEmitter<SocketEventMap> {
  /** The type name the socket was made with ("req", "xrep", …). */
  readonly type: SocketType
  readonly #socket: V6Socket
  /** `close()` was called. The v6 socket closes at once, or, during a bind, once that has settled. */
  #closed = false
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
  /** The message handed to the v6 socket whose send has not settled yet. */
  #inFlight: Outgoing | undefined
  #readable: Poller | undefined
  #stopMonitor: (() => void) | undefined
  /** A bind or unbind of the v6 socket is in progress (it refuses every other call until it settles). */
  #blocked = false
  /** Endpoint calls waiting for it, in order. */
  readonly #endpointCalls = new Fifo<EndpointCall>()
  /** What waits for the v6 socket to be free again (the receive loop). */
  #whenFree: Array<() => void> = []
  /**
   * The endpoint the latest `bindSync`, still settling, will leave in ZMQ_LAST_ENDPOINT, where that is known
   * beforehand (see `expectedEndpoint`): `last_endpoint` reads it at once, as after zeromq.js's bindSync.
   */
  #expected: { readonly endpoint: string } | undefined

  constructor(type: SocketType) {
    super()
    this.type = type
    this.#socket = makeSocket(type)
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

  /** True once `close()` was called (or the v6 socket's context was terminated). */
  get closed(): boolean {
    return this.#closed || this.#socket.closed
  }

  // ── endpoints ──────────────────────────────────────────────────────────────────────────────────────

  /**
   * Binds; then emits `"bind"` and calls `callback`, or calls `callback(error)` (`"error"` without one).
   * A non-string address (TypeError) and a closed socket ("Socket is closed") throw, as in zeromq.js.
   */
  bind(address: string, callback?: Callback): this {
    checkAddressType(address)
    this.#assertOpen()
    this.#expected = undefined // this bind, not an earlier bindSync, will decide last_endpoint
    this.#call({
      run: () =>
        attempt(() => this.#socket.bind(address)).then(
          () =>
            process.nextTick(() => {
              this.emit("bind", address)
              callback?.call(this)
            }),
          (error: unknown) => process.nextTick(() => this.#report(compatError(error), callback)),
        ),
      cancel: () => this.#cancelled(callback),
    })
    return this
  }

  /**
   * zeromq.js's synchronous bind, as near as Node.js allows: throws at once for a non-string address, a
   * closed socket, and an address libzmq refuses before binding ("Invalid argument", "Protocol not
   * supported"); starts the bind, and returns. Later calls on this socket wait for the bind to settle.
   * `last_endpoint` reads the endpoint at once where it is known before the listen (an inproc name, an ipc
   * path, a tcp port of its own), for a random port once the listen has bound it. A failure of the listen
   * itself ("Address already in use") is emitted as `"error"`. Emits no `"bind"`, as zeromq.js's does not.
   */
  bindSync(address: string): this {
    checkAddressType(address)
    this.#assertOpen()
    checkEndpoint(address, "bind", this.#socket.ipv6)
    const endpoint = expectedEndpoint(address, this.#socket.ipv6)
    const expected = endpoint === undefined ? undefined : { endpoint }
    this.#expected = expected
    const settled = (): void => {
      // From now on the v6 socket says: the endpoint if the bind succeeded, the one before if it failed.
      if (this.#expected === expected) this.#expected = undefined
    }
    this.#call({
      run: () =>
        attempt(() => this.#socket.bind(address)).then(settled, (error: unknown) => {
          settled()
          this.#reportLater(compatError(error), undefined)
        }),
      cancel: settled,
    })
    return this
  }

  /** Unbinds (the endpoint as bound: `last_endpoint`'s form); then emits `"unbind"` and calls `callback`. */
  unbind(address: string, callback?: Callback): this {
    checkAddressType(address)
    this.#assertOpen()
    this.#call({
      run: () =>
        attempt(() => this.#socket.unbind(address)).then(
          () =>
            process.nextTick(() => {
              this.emit("unbind", address)
              callback?.call(this)
            }),
          (error: unknown) => process.nextTick(() => this.#report(compatError(error), callback)),
        ),
      cancel: () => this.#cancelled(callback),
    })
    return this
  }

  /**
   * The synchronous unbind, as `bindSync`: a malformed address throws; an endpoint that is not bound
   * ("No such endpoint") is emitted as `"error"`. Emits no `"unbind"`.
   */
  unbindSync(address: string): this {
    checkAddressType(address)
    this.#assertOpen()
    checkEndpoint(address, "bind", this.#socket.ipv6)
    this.#call({
      run: () => attempt(() => this.#socket.unbind(address)).catch((error: unknown) => this.#reportLater(compatError(error), undefined)),
      cancel: () => {},
    })
    return this
  }

  /**
   * Connects (throwing what the v6 `connect` throws, as zeromq.js does). During a bind of this socket the
   * connect waits for it: the address is checked at once, and what only the connect itself can refuse
   * then comes as `"error"`.
   */
  connect(address: string): this {
    this.#endpointCall(address, "connect", () => this.#socket.connect(address))
    return this
  }

  /** Disconnects, as `connect`: during a bind, "No such endpoint" comes as `"error"`. */
  disconnect(address: string): this {
    this.#endpointCall(address, "connect", () => this.#socket.disconnect(address))
    return this
  }

  #endpointCall(address: string, role: "connect", action: () => void): void {
    checkAddressType(address)
    this.#assertOpen()
    if (this.#free) {
      action()
      return
    }
    checkEndpoint(address, role, this.#socket.ipv6)
    this.#call({
      run: () => {
        action()
        return undefined
      },
      cancel: () => {},
    })
  }

  /** No bind or unbind is in progress and none waits: a call can go to the v6 socket now. */
  get #free(): boolean {
    return !this.#blocked && this.#endpointCalls.length === 0
  }

  /** Makes `call` now if the v6 socket is free (so what it throws, the caller gets), else after the others. */
  #call(call: EndpointCall): void {
    if (this.#free) this.#started(call.run())
    else this.#endpointCalls.push(call)
  }

  #started(pending: Promise<unknown> | undefined): void {
    if (pending === undefined) return
    this.#blocked = true
    const settled = (): void => {
      this.#blocked = false
      this.#runEndpointCalls()
    }
    pending.then(settled, settled)
  }

  /** Makes the calls that waited, up to the next bind or unbind; once none is left, wakes sends and receives. */
  #runEndpointCalls(): void {
    while (!this.#blocked) {
      const call = this.#endpointCalls.shift()
      if (call === undefined) break
      if (this.closed) {
        call.cancel()
        continue
      }
      try {
        this.#started(call.run())
      } catch (error) {
        // A connect or disconnect that waited: it cannot throw to its caller any more.
        this.#reportLater(compatError(error), undefined)
      }
    }
    if (this.#blocked) return
    for (const wake of this.#whenFree.splice(0)) wake()
    this.#flushSends()
  }

  /** A bind or unbind that never ran because the socket was closed first: its callback hears so. */
  #cancelled(callback: Callback | undefined): void {
    if (callback !== undefined) process.nextTick(() => callback.call(this, closedError()))
  }

  // ── sending ────────────────────────────────────────────────────────────────────────────────────────

  /**
   * Queues a message: one frame, or an array of frames. With ZMQ_SNDMORE the frames are held until a
   * `send` without it completes the message; every callback given along the way is called once the whole
   * message is queued on the socket, or with the error that stopped it. ZMQ_DONTWAIT makes a message that
   * cannot be queued at once fail with EAGAIN instead of waiting; so does `sndtimeo` when it runs out.
   * On a closed socket the callbacks get "Socket is closed" and nothing is emitted (zeromq.js keeps the
   * message and never calls them).
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
    if (this.closed) {
      this.#fail(outgoing, closedError())
    } else if (!sends(this.type)) {
      this.#fail(outgoing, new Error("Cannot send on this socket type."))
    } else if (outgoing.dontWait && (this.#inFlight !== undefined || this.#outgoing.length > 0 || this.#paused)) {
      // Messages queued ahead of it (or a pause) hold it back, and ZMQ_DONTWAIT means "now or never".
      this.#fail(outgoing, compatFailure("EAGAIN", "earlier messages are still waiting to be sent"))
    } else {
      this.#outgoing.push(outgoing)
      this.#flushSends()
    }
    return this
  }

  /**
   * Hands the next queued message to the v6 socket once the one before has settled, as zeromq.js's
   * compatibility layer does: the v6 `send()` waits for the socket (a REQ for its reply, a PUSH for a
   * peer) and applies `sndtimeo`, so each message's timeout runs from when it is the one being sent.
   */
  #flushSends(): void {
    while (this.#inFlight === undefined && !this.#paused && !this.#blocked && !this.closed) {
      const next = this.#outgoing.shift()
      if (next === undefined) return
      if (next.dontWait && !this.#socket.writable) {
        this.#fail(next, compatFailure("EAGAIN", `${this.#socket.constructor.name} socket cannot queue the message now`))
        continue
      }
      this.#inFlight = next
      // attempt(): what the v6 send throws at once reaches the callbacks later too, never inside send().
      void attempt(() => this.#socket.send(next.frames))
        .then(
          () => this.#settle(next, undefined),
          (error: unknown) => this.#settle(next, compatError(error)),
        )
        .then(() => {
          this.#inFlight = undefined
          this.#flushSends()
        })
    }
  }

  /**
   * Reports a message's outcome to its callbacks, or a failure as `"error"` when it has none and the socket
   * is open (what a closed socket drops, it drops quietly).
   */
  #settle(outgoing: Outgoing, error: Error | undefined): void {
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
    if (error !== undefined && outgoing.callbacks.length === 0 && !this.closed) this.#emitError(error)
  }

  /** `#settle` with an error, on the next tick: callbacks never run inside the `send()` call itself. */
  #fail(outgoing: Outgoing, error: Error): void {
    process.nextTick(() => this.#settle(outgoing, error))
  }

  // ── receiving ──────────────────────────────────────────────────────────────────────────────────────

  async #receiveLoop(): Promise<void> {
    if (this.#receiving) return
    this.#receiving = true
    const socket = this.#socket
    try {
      while (!this.#paused && !this.closed) {
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
        if (this.#blocked) {
          // The v6 socket refuses receive() during a bind (EBUSY): take the message once it has settled.
          await new Promise<void>((resolve) => this.#whenFree.push(resolve))
          continue
        }
        let message: Buffer[]
        try {
          message = await socket.receive()
        } catch (error) {
          if (this.closed) return
          // A timeout (rcvtimeo) only means nothing came: keep listening, as v5 did.
          if (!(ZmqError.isInstance(error) && error.code === "EAGAIN")) this.#emitError(compatError(error))
          await new Promise((resolve) => setImmediate(resolve)) // never spin on a repeating failure
          continue
        }
        // Closed meanwhile (the v6 socket may still be finishing a bind): nothing more is emitted.
        if (this.#closed) return
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
  }

  /** Resolves true when the poller's socket is ready, false on timeout, close or interruption. */
  async #poll(poller: Poller, timeout: number): Promise<boolean> {
    try {
      return (await poller.poll(timeout)).length > 0
    } catch (error) {
      const quiet = this.closed || (ZmqError.isInstance(error) && error.code === "EINTR")
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
    this.#checkOptionAccess()
    socket.subscribe(filter)
    return this
  }

  unsubscribe(filter: string | Buffer): this {
    const socket = this.#socket
    if (!(socket instanceof Subscriber)) throw new Error("Subscriber socket required")
    this.#checkOptionAccess()
    socket.unsubscribe(filter)
    return this
  }

  /** Sets an option by its number (`zmq.ZMQ_LINGER`) or its short name (`"linger"`). */
  setsockopt(option: number | ShortOptionName, value: OptionInput): this {
    setOption(this.#socket, option, value, () => this.#checkOptionAccess())
    return this
  }

  /** Reads an option by its number (`zmq.ZMQ_LINGER`) or its short name (`"linger"`). */
  getsockopt(option: number | ShortOptionName): OptionValue {
    if (this.#expected !== undefined && optionNumber(option) === ZMQ_LAST_ENDPOINT) {
      this.#checkOptionAccess()
      return this.#expected.endpoint
    }
    return getOption(this.#socket, option, () => this.#checkOptionAccess())
  }

  /**
   * After `close()`, options fail with ENOTSOCK as the closed v6 socket's do: also while its close waits
   * for a bind to settle, when it would still answer.
   */
  #checkOptionAccess(): void {
    if (this.#closed && !this.#socket.closed) throw compatFailure("ENOTSOCK", "the socket is closed: its options can no longer be read or set")
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
    this.#checkOptionAccess()
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
   * Closes the socket. Messages already handed to the v6 socket are delivered within `linger`; messages
   * still queued here are dropped, and their callbacks called with EAGAIN, the error zeromq.js gives the
   * send that close() interrupts; nothing is emitted. Endpoint calls still waiting for a bind are dropped
   * (a bind or unbind callback hears "Socket is closed"). During a bind the v6 socket closes once it has
   * settled; this socket counts as closed at once.
   */
  close(): this {
    if (!this.#closed) {
      this.#closed = true
      this.#expected = undefined
      for (const call of this.#endpointCalls.drain()) call.cancel()
      const dropped = this.#outgoing.drain()
      if (this.#parts.length > 0) dropped.push({ frames: this.#parts, callbacks: this.#partCallbacks, dontWait: false })
      this.#parts = []
      this.#partCallbacks = []
      this.#partFlags = 0
      const interrupted = compatFailure("EAGAIN", "the socket was closed before the message was sent")
      for (const outgoing of dropped) this.#fail(outgoing, interrupted)
      for (const wake of this.#whenFree.splice(0)) wake()
    }
    this.#socket.close()
    return this
  }

  /** zeromq.js's check before an endpoint call: "Socket is closed" (EBADF) once closed. */
  #assertOpen(): void {
    if (this.closed) throw closedError()
  }

  /** A failure nobody asked to hear of directly: a callback if there is one, else `"error"` unless closed. */
  #report(error: Error, callback: Callback | undefined): void {
    if (callback !== undefined) callback.call(this, error)
    else if (!this.closed) this.#emitError(error)
  }

  /** `#report` on the next tick, out of our promise callbacks. */
  #reportLater(error: Error, callback: Callback | undefined): void {
    process.nextTick(() => this.#report(error, callback))
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
 * short name through `getsockopt`/`setsockopt`, so the same values and errors apply. As in zeromq.js, a
 * string assigned to one is passed on as a UTF-8 Buffer (so `sock.linger = "5"` is zeromq.js's TypeError).
 * An option the socket's type does not have reads `undefined` and refuses a value.
 */
export interface ShortOptionProperties {
  /** ZMQ_FD: reading throws (there is no file descriptor to poll). */
  readonly _fd: never
  /** ZMQ_EVENTS: ZMQ_POLLIN | ZMQ_POLLOUT as the socket is now. */
  readonly _ioevents: number
  /** ZMQ_RCVMORE: reading throws (messages always arrive whole). */
  readonly _receiveMore: never
  /** ZMQ_SUBSCRIBE (write-only, SUB). */
  set _subscribe(topic: string | Uint8Array)
  /** ZMQ_UNSUBSCRIBE (write-only, SUB). */
  set _unsubscribe(topic: string | Uint8Array)
  /** ZMQ_AFFINITY. Stored and read back; no effect (zmq-ts has no I/O threads to pin). */
  affinity: number
  backlog: number
  /** ZMQ_IDENTITY (the routing id: REQ, REP, DEALER, ROUTER). */
  get identity(): string | null | undefined
  set identity(value: string | Uint8Array | null)
  linger: number
  /** ZMQ_RATE. Stored and read back; no effect (multicast only). */
  rate: number
  /** ZMQ_RCVBUF (the types that receive). Stored and read back; no effect (Node.js cannot set SO_RCVBUF). */
  get rcvbuf(): number | undefined
  set rcvbuf(value: number)
  readonly last_endpoint: string | null
  reconnect_ivl: number
  /** ZMQ_RECOVERY_IVL. Stored and read back; no effect (multicast only). */
  recovery_ivl: number
  /** ZMQ_SNDBUF (the types that send). Stored and read back; no effect (Node.js cannot set SO_SNDBUF). */
  get sndbuf(): number | undefined
  set sndbuf(value: number)
  /** ZMQ_MECHANISM: 0 NULL, 1 PLAIN (read-only). */
  readonly mechanism: number
  get plain_server(): number
  set plain_server(value: number | boolean)
  get plain_username(): string | null
  set plain_username(value: string | Uint8Array | null)
  get plain_password(): string | null
  set plain_password(value: string | Uint8Array | null)
  /** CURVE options: zmq-ts has no CURVE yet; they read as unset and setting a key or `1` fails with ENOTSUP. */
  get curve_server(): number
  set curve_server(value: number | boolean)
  get curve_publickey(): string | null
  set curve_publickey(value: string | Uint8Array | null)
  get curve_secretkey(): string | null
  set curve_secretkey(value: string | Uint8Array | null)
  get curve_serverkey(): string | null
  set curve_serverkey(value: string | Uint8Array | null)
  /** ZMQ_ZAP_DOMAIN: zmq-ts has no ZAP yet; setting a domain fails with ENOTSUP. */
  get zap_domain(): string | null
  set zap_domain(value: string | Uint8Array | null)
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
      this.setsockopt(name, typeof value === "string" ? Buffer.from(value, "utf8") : value)
    },
    enumerable: true,
    configurable: true,
  })
}

/**
 * `createSocket`'s options: short option names and their values. As in zeromq.js each is assigned as
 * `sock[name] = value`, so another name becomes a plain property of the socket.
 */
export type CreateSocketOptions = { readonly [Name in ShortOptionName]?: OptionInput }

/**
 * Makes a socket of `type` with `options` assigned to it in order (v5's `zmq.socket("req", { linger: 0 })`).
 * A value an option refuses throws, and the socket made for it is closed.
 */
export function createSocket(type: SocketType, options: CreateSocketOptions = {}): Socket {
  const socket = new Socket(type)
  try {
    for (const name of Object.keys(options)) {
      ;(socket as unknown as Record<string, unknown>)[name] = (options as Readonly<Record<string, unknown>>)[name]
    }
  } catch (error) {
    socket.close()
    throw error
  }
  return socket
}
