import type { MessagePort } from "node:worker_threads"
import { zmqError } from "../common/errors.js"
import { bindToThread } from "../common/thread-affinity.js"
import { makeTransport, type Scheme, type TransportOf } from "../transports/registry.js"
import type { Transport } from "../transports/transport.js"

/**
 * A handle on a Context for another worker thread, from `context.share()`: a MessagePort, so it must be
 * listed in the `transferList` of the Worker (or of the `postMessage`) that carries it.
 */
export type ContextHandle = MessagePort

/** What the context needs of a socket. */
interface ContextSocket {
  terminate(): void
  interrupt(): void
}

export interface ContextOptions {
  /** ZMQ_BLOCKY. Default true; false gives new sockets `linger: 0`. */
  blocky?: boolean
  /** ZMQ_MAX_SOCKETS. Default 1023. */
  maxSockets?: number
  /**
   * ZMQ_IO_THREADS. Accepted for zeromq.js compatibility; zmq-ts does its I/O on the Node event loop of each
   * thread, so the value has no effect. For threads, share the context with worker threads (`share()`).
   */
  ioThreads?: number
}

/**
 * A Context (libzmq's `ctx_t`) owns sockets and its transports (one instance of each per context, made on
 * first use; inproc's holds the context's namespace of names). Terminating it makes every blocked
 * call of its sockets reject with ETERM and closes them. Most programs use the shared default `context`.
 *
 * One context can span worker threads, as a libzmq context spans the threads of a C program: `share()`
 * gives a handle to pass to a Worker, and `Context.attach(handle)` in the worker gives that thread's view of
 * the same context. `inproc://` names bound in any of its threads are then connectable from all of them, and
 * terminating it in any thread terminates it in all. Sockets stay with the thread that made them.
 */
export class Context {
  /** ZMQ_BLOCKY: when false, new sockets get `linger: 0`. */
  blocky = true
  #maxSockets = 1023
  ioThreads = 1
  readonly #sockets = new Set<ContextSocket>()
  #terminated = false
  readonly #transports = new Map<Scheme, Transport>()

  constructor(options: ContextOptions = {}) {
    bindToThread(this, "Context", "pass `context.share()` in workerData (and transferList) and call `Context.attach(handle)` in the worker")
    if (options.blocky !== undefined) this.blocky = options.blocky
    if (options.maxSockets !== undefined) this.maxSockets = options.maxSockets
    if (options.ioThreads !== undefined) {
      if (!Number.isInteger(options.ioThreads) || options.ioThreads < 0) {
        throw zmqError("EINVAL", `ioThreads must be a non-negative integer, got ${options.ioThreads}`)
      }
      this.ioThreads = options.ioThreads
    }
  }

  get maxSockets(): number {
    return this.#maxSockets
  }

  set maxSockets(value: number) {
    if (!Number.isInteger(value) || value < 1) throw zmqError("EINVAL", `maxSockets must be a positive integer`)
    this.#maxSockets = value
  }

  get terminated(): boolean {
    return this.#terminated
  }

  /**
   * Terminates the context: blocked calls on its sockets reject with ETERM, and every socket closes. A context
   * shared with worker threads is terminated in all of them.
   */
  terminate(): void {
    if (this.#terminated) return
    this.#terminated = true
    for (const socket of [...this.#sockets]) socket.terminate()
    for (const transport of this.#transports.values()) transport.terminate?.()
  }

  /**
   * A handle that lets another worker thread use this context: pass it in `workerData` and list it in
   * `transferList`, then call `Context.attach(handle)` in the worker. Each handle serves one thread.
   *
   * ```ts
   * const handle = context.share()
   * new Worker(url, { workerData: { context: handle }, transferList: [handle] })
   * ```
   */
  share(): ContextHandle {
    if (this.#terminated) throw zmqError("ETERM", "context was terminated")
    // Names bound, and connects made, before the context was shared become reachable from the other threads.
    return this.transport("inproc").share(this.#onTerminate)
  }

  /** This thread's view of a context shared by another thread (see `share()`). */
  static attach(handle: ContextHandle, options: ContextOptions = {}): Context {
    if (handle === null || typeof handle !== "object" || typeof (handle as Partial<MessagePort>).postMessage !== "function") {
      throw zmqError("EINVAL", "Context.attach expects the handle returned by context.share(), transferred to this thread")
    }
    const context = new Context(options)
    context.transport("inproc").join(handle, context.#onTerminate)
    return context
  }

  readonly #onTerminate = (): void => this.terminate()

  /**
   * @internal This context's transport for `scheme` (from `splitEndpoint`), made on first use: sockets bind
   * and connect through it.
   */
  transport<S extends Scheme>(scheme: S): TransportOf<S> {
    let transport = this.#transports.get(scheme) as TransportOf<S> | undefined
    if (transport === undefined) {
      transport = makeTransport(scheme)
      this.#transports.set(scheme, transport)
    }
    return transport
  }

  /**
   * Rejects every pending `send()`, `receive()` and poll of this context's sockets with EINTR, without
   * closing anything: what a signal does to blocking libzmq calls. zhelpers' `s_catch_signals()` calls it.
   */
  interrupt(): void {
    for (const socket of [...this.#sockets]) socket.interrupt()
  }

  /** @internal */
  register(socket: ContextSocket): void {
    if (this.#terminated) throw zmqError("ETERM", "context was terminated")
    if (this.#sockets.size >= this.#maxSockets) {
      throw zmqError("EINVAL", `too many sockets: maxSockets is ${this.#maxSockets}`)
    }
    this.#sockets.add(socket)
  }

  /** @internal */
  unregister(socket: ContextSocket): void {
    this.#sockets.delete(socket)
  }
}

/** The shared default context. */
export const context = new Context()
