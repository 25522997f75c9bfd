import { zmqError } from "../common/errors.js"
import type { SocketEvent, SocketEventOfType, SocketEventType } from "../common/events.js"
import { Fifo } from "../common/fifo.js"
import { holdAlive, releaseAlive } from "../common/keep-alive.js"

/**
 * A socket's monitor events, delivered as an async iterator (`for await (const event of socket.events)`) or
 * with `.on(type, fn)`: zeromq.js v6's `Observer`.
 */
type Listener = (event: SocketEvent) => void

/** At most this many events wait for a reader; older ones are dropped first (monitoring must not leak). */
const MAX_BUFFERED_EVENTS = 10_000

export class Observer implements AsyncIterable<SocketEvent> {
  readonly #listeners = new Map<SocketEventType, Set<Listener>>()
  readonly #buffer = new Fifo<SocketEvent>()
  readonly #waiters: Array<{ resolve: (event: SocketEvent) => void; reject: (error: Error) => void }> = []
  #closed = false
  #iterated = false
  /** `on()` was called: the thread stays alive until the observer closes. */
  #emitter = false

  get closed(): boolean {
    return this.#closed
  }

  /**
   * Calls `listener` with every event of `type`. As with zeromq.js's read loop behind `on()`, an observer
   * with listeners keeps its thread alive until it closes (with its socket).
   */
  on<T extends SocketEventType>(type: T, listener: (event: SocketEventOfType<T>) => void): this {
    if (!this.#emitter && !this.#closed) {
      this.#emitter = true
      holdAlive()
    }
    let set = this.#listeners.get(type)
    if (set === undefined) {
      set = new Set()
      this.#listeners.set(type, set)
    }
    set.add(listener as Listener)
    return this
  }

  off<T extends SocketEventType>(type: T, listener: (event: SocketEventOfType<T>) => void): this {
    this.#listeners.get(type)?.delete(listener as Listener)
    return this
  }

  /** The next event. Events are buffered only once something has called `receive` or iterated. */
  receive(): Promise<SocketEvent> {
    if (this.#closed) return Promise.reject(zmqError("ETERM", "observer is closed"))
    this.#iterated = true
    const event = this.#buffer.shift()
    if (event !== undefined) return Promise.resolve(event)
    // Reading events in progress keeps the thread alive (zeromq.js); closing the observer ends the read.
    holdAlive()
    return new Promise((resolve, reject) => this.#waiters.push({ resolve, reject }))
  }

  async *[Symbol.asyncIterator](): AsyncIterator<SocketEvent> {
    this.#iterated = true
    while (!this.#closed || this.#buffer.length > 0) {
      const buffered = this.#buffer.shift()
      if (buffered !== undefined) {
        yield buffered
        continue
      }
      try {
        yield await this.receive()
      } catch {
        return
      }
    }
  }

  close(): void {
    if (this.#closed) return
    this.#closed = true
    if (this.#emitter) releaseAlive()
    for (const waiter of this.#waiters.splice(0)) {
      releaseAlive()
      waiter.reject(zmqError("ETERM", "observer is closed"))
    }
  }

  /** @internal Called by the socket. */
  emit(event: SocketEvent): void {
    if (this.#closed) return
    const set = this.#listeners.get(event.type)
    if (set !== undefined) for (const listener of set) listener(event)
    const waiter = this.#waiters.shift()
    if (waiter !== undefined) {
      releaseAlive()
      waiter.resolve(event)
    } else if (this.#iterated) {
      if (this.#buffer.length >= MAX_BUFFERED_EVENTS) this.#buffer.shift()
      this.#buffer.push(event)
    }
  }
}
