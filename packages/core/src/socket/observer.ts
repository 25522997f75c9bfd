import { EventEmitter } from "#platform/events"
import { zmqError, ZmqError } from "../common/errors.js"
import type { EventSubscriber, SocketEvent, SocketEventOfType, SocketEventType } from "../common/events.js"
import { Fifo } from "../common/fifo.js"
import { holdAlive, releaseAlive } from "../common/keep-alive.js"

/** @internal The key of the socket method an Observer attaches through. */
export const OBSERVE: unique symbol = Symbol("@zmq-ts/core.observe")

/** @internal What a socket calls with each of its events. */
export type EventFeed = (event: SocketEvent) => void

/** What an Observer watches: a socket (every `Socket` is one). */
export interface ObservableSocket {
  /**
   * @internal Feeds `feed` every event of the socket from now on, `end` last; returns the function that
   * stops. Throws ENOTSOCK on a closed socket, as libzmq's zmq_socket_monitor does.
   */
  [OBSERVE](feed: EventFeed): () => void
}

/** At most this many events wait for a reader; older ones are dropped first (monitoring must not leak). */
const MAX_BUFFERED_EVENTS = 10_000

const EMITTER_MODE =
  "Observer is in event emitter mode. After a call to events.on() it is not possible to read events with events.receive()."
const BUSY = "Observer is busy reading; only one receive operation may be in progress at any time"

function checkNoArguments(received: number): void {
  if (received > 0) throw new TypeError(`Expected 0 arguments but received ${received}`)
}

/**
 * A socket's monitor events (libzmq's zmq_socket_monitor), zeromq.js v6's `Observer`: `socket.events`, or
 * `new Observer(socket)`. libzmq monitors a socket once, so a new observer of a socket ends the one before
 * it (which gets `end`). An observer keeps the socket's events from the moment it is made (tcp and ipc
 * raise them; inproc none, as in libzmq), and they are read one of two ways, never both:
 *
 * - `receive()`, or `for await (const event of observer)`: one read at a time (a second concurrent
 *   `receive()` throws EBUSY); the iterator ends after the `end` event the socket sends when it closes.
 * - `on(type, listener)`/`off()`: the first call puts the observer into event emitter mode for good (then
 *   `receive()` throws), delivers the events kept so far and every later one to listeners, after the call
 *   that caused them has returned, and keeps the thread alive until the observer closes.
 *
 * The observer closes when `close()` is called, or once the `end` event has been read (or dispatched).
 */
export class Observer implements AsyncIterable<SocketEvent> {
  readonly #buffer = new Fifo<SocketEvent>()
  #waiter: { resolve: (event: SocketEvent) => void; reject: (error: Error) => void } | undefined
  #detach: (() => void) | undefined
  #closed = false
  /** The socket sent `end`: nothing more comes, what is kept can still be read. */
  #ended = false
  #emitter: EventEmitter | undefined
  /** Event emitter mode holds the thread alive until the observer closes (zeromq.js's read loop). */
  #holding = false
  #dispatchScheduled = false

  /**
   * Observes `socket`: TypeError "Socket must be a socket object" for anything that is not an object,
   * EINVAL for an object that is not a socket, ENOTSOCK for a closed socket (zeromq.js).
   */
  constructor(socket: ObservableSocket) {
    if (typeof socket !== "object" || socket === null) throw new TypeError("Socket must be a socket object")
    if (arguments.length > 1) throw new TypeError(`Expected 1 argument but received ${arguments.length}`)
    const observe = (socket as Partial<ObservableSocket>)[OBSERVE]
    if (typeof observe !== "function") throw zmqError("EINVAL", "an Observer observes a socket of @zmq-ts/core; this is not one")
    this.#detach = observe.call(socket, (event) => this.#feed(event))
  }

  /** True once `close()` was called, or the `end` event was read. */
  get closed(): boolean {
    return this.#closed
  }

  /**
   * Listens for events of `type` and puts the observer into event emitter mode. Returns the observer's
   * EventEmitter, as zeromq.js does.
   */
  on<T extends SocketEventType>(type: T, listener: (event: SocketEventOfType<T>) => void): EventSubscriber {
    this.#emitterMode().on(type, listener)
    return this.#emitter as unknown as EventSubscriber
  }

  /** Removes a listener; like `on()`, puts the observer into event emitter mode (zeromq.js). */
  off<T extends SocketEventType>(type: T, listener: (event: SocketEventOfType<T>) => void): EventSubscriber {
    this.#emitterMode().off(type, listener)
    return this.#emitter as unknown as EventSubscriber
  }

  /**
   * The next event: at once if one is kept, otherwise when it comes. Throws (synchronously, as zeromq.js)
   * in event emitter mode, EBADF once closed, and EBUSY while another `receive()` waits. A waiting
   * `receive()` keeps the thread alive; `close()` rejects it with ENOTSOCK.
   */
  receive(): Promise<SocketEvent> {
    checkNoArguments(arguments.length)
    if (this.#emitter !== undefined) throw new Error(EMITTER_MODE)
    if (this.#closed) throw zmqError("EBADF", "the observer is closed")
    if (this.#waiter !== undefined) {
      throw new ZmqError("EBUSY", BUSY, { details: "await the pending receive() before calling it again" })
    }
    const event = this.#buffer.shift()
    if (event !== undefined) {
      if (event.type === "end") this.#finish()
      return Promise.resolve(event)
    }
    holdAlive()
    return new Promise((resolve, reject) => {
      this.#waiter = { resolve, reject }
    })
  }

  /**
   * `for await (const event of observer)`: ends after the `end` event, or when the observer is closed
   * (also while it waits: zeromq.js documents this, though its iterator then throws ENOTSOCK).
   */
  [Symbol.asyncIterator](): AsyncIterator<SocketEvent, undefined> {
    const done: IteratorReturnResult<undefined> = { value: undefined, done: true }
    return {
      next: async (): Promise<IteratorResult<SocketEvent, undefined>> => {
        if (this.#closed) return done
        try {
          return { value: await this.receive(), done: false }
        } catch (error) {
          if (this.#closed) return done
          throw error
        }
      },
    }
  }

  /** Stops observing: kept events are dropped, a waiting `receive()` rejects with ENOTSOCK. */
  close(): void {
    checkNoArguments(arguments.length)
    if (this.#closed) return
    this.#finish()
    this.#buffer.drain()
    const waiter = this.#waiter
    if (waiter !== undefined) {
      this.#waiter = undefined
      releaseAlive()
      waiter.reject(zmqError("ENOTSOCK", "the observer was closed while this receive() waited"))
    }
  }

  #feed(event: SocketEvent): void {
    if (this.#closed || this.#ended) return
    if (event.type === "end") {
      this.#ended = true
      this.#stopFeed()
    }
    const waiter = this.#waiter
    if (waiter !== undefined) {
      this.#waiter = undefined
      releaseAlive()
      if (event.type === "end") this.#finish()
      waiter.resolve(event)
      return
    }
    // libzmq's monitor socket drops events past its high-water mark; dropping the oldest keeps `end`.
    if (this.#buffer.length >= MAX_BUFFERED_EVENTS) this.#buffer.shift()
    this.#buffer.push(event)
    if (this.#emitter !== undefined) this.#scheduleDispatch()
  }

  #emitterMode(): EventEmitter {
    if (this.#emitter === undefined) {
      this.#emitter = new EventEmitter()
      if (!this.#closed) {
        this.#holding = true
        holdAlive()
      }
      this.#scheduleDispatch()
    }
    return this.#emitter
  }

  #scheduleDispatch(): void {
    if (this.#dispatchScheduled || this.#buffer.length === 0) return
    this.#dispatchScheduled = true
    queueMicrotask(this.#dispatch)
  }

  /**
   * Hands kept events to the listeners outside of the call that raised them (as zeromq.js's read loop
   * does): a listener never runs inside `bind()` or a transport callback, and one that throws cannot break
   * the socket; its exception is uncaught, and the events after it are still dispatched.
   */
  readonly #dispatch = (): void => {
    this.#dispatchScheduled = false
    const emitter = this.#emitter
    if (emitter === undefined) return
    for (let event = this.#buffer.shift(); event !== undefined; event = this.#buffer.shift()) {
      // Read, then emitted: by then an `end` has closed the observer, as in zeromq.js's loop.
      if (event.type === "end") this.#finish()
      try {
        emitter.emit(event.type, event)
      } catch (error) {
        this.#scheduleDispatch()
        throw error
      }
    }
  }

  /** No more events: stops the feed and releases the emitter's hold on the thread. */
  #finish(): void {
    this.#closed = true
    this.#stopFeed()
    if (this.#holding) {
      this.#holding = false
      releaseAlive()
    }
  }

  #stopFeed(): void {
    const detach = this.#detach
    this.#detach = undefined
    detach?.()
  }
}
