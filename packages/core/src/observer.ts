import { zmqError, type ZmqError } from "./errors.js"
import { MessageQueue } from "./message-queue.js"

/**
 * Socket monitor events with zeromq.js v6's names and payloads (libzmq's ZMQ_EVENT_*), delivered through an
 * `Observer`: as an async iterator (`for await (const event of socket.events)`) or with `.on(type, fn)`.
 */
export interface EventAddress {
  readonly address: string
}
export interface EventInterval {
  readonly interval: number
}
export interface EventError<E = ZmqError | Error> {
  readonly error: E
}

export type SocketEvent =
  | ({ readonly type: "accept" } & EventAddress)
  | ({ readonly type: "accept:error" } & EventAddress & EventError)
  | ({ readonly type: "bind" } & EventAddress)
  | ({ readonly type: "bind:error" } & EventAddress & EventError)
  | ({ readonly type: "connect" } & EventAddress)
  | ({ readonly type: "connect:delay" } & EventAddress)
  | ({ readonly type: "connect:retry" } & EventAddress & EventInterval)
  | ({ readonly type: "close" } & EventAddress)
  | ({ readonly type: "close:error" } & EventAddress & EventError)
  | ({ readonly type: "disconnect" } & EventAddress)
  | { readonly type: "end" }
  | ({ readonly type: "handshake" } & EventAddress)
  | ({ readonly type: "handshake:error:protocol" } & EventAddress & EventError)
  | ({ readonly type: "handshake:error:auth" } & EventAddress & EventError)
  | ({ readonly type: "handshake:error:other" } & EventAddress & EventError)

export type SocketEventType = SocketEvent["type"]
export type SocketEventOfType<T extends SocketEventType> = Extract<SocketEvent, { type: T }>

type Listener = (event: SocketEvent) => void

/** At most this many events wait for a reader; older ones are dropped first (monitoring must not leak). */
const MAX_BUFFERED_EVENTS = 10_000

export class Observer implements AsyncIterable<SocketEvent> {
  readonly #listeners = new Map<SocketEventType, Set<Listener>>()
  readonly #buffer = new MessageQueue<SocketEvent>()
  readonly #waiters: Array<{ resolve: (event: SocketEvent) => void; reject: (error: Error) => void }> = []
  #closed = false
  #iterated = false

  get closed(): boolean {
    return this.#closed
  }

  on<T extends SocketEventType>(type: T, listener: (event: SocketEventOfType<T>) => void): this {
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
    for (const waiter of this.#waiters.splice(0)) waiter.reject(zmqError("ETERM", "observer is closed"))
  }

  /** @internal Called by the socket. */
  emit(event: SocketEvent): void {
    if (this.#closed) return
    const set = this.#listeners.get(event.type)
    if (set !== undefined) for (const listener of set) listener(event)
    const waiter = this.#waiters.shift()
    if (waiter !== undefined) {
      waiter.resolve(event)
    } else if (this.#iterated) {
      if (this.#buffer.length >= MAX_BUFFERED_EVENTS) this.#buffer.shift()
      this.#buffer.push(event)
    }
  }
}
