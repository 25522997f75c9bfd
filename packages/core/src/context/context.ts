import type { MessagePort } from "node:worker_threads"
import { threadsAvailable } from "#platform/threads"
import { zmqError } from "../common/errors.js"
import { toBooleanOption, toInt32Option } from "../common/options.js"
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

/** What `new Context(options)` takes: its options, assigned as properties (see `Context`). */
export interface ContextOptions {
  blocky?: boolean
  ioThreads?: number
  maxSockets?: number
  maxMessageSize?: number
  ipv6?: boolean
  threadPriority?: number
  threadSchedulingPolicy?: number
}

/** zeromq.js's ZMQ_SOCKET_LIMIT: the largest `maxSockets` libzmq can be given. */
const MAX_SOCKETS_LIMIT = 65_535

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
  #blocky = true
  #ioThreads = 1
  #maxSockets = 1023
  #maxMessageSize = 2 ** 31 - 1
  #ipv6 = false
  #threadPriority = -1
  #threadSchedulingPolicy = -1
  readonly #sockets = new Set<ContextSocket>()
  #terminated = false
  readonly #transports = new Map<Scheme, Transport>()

  /**
   * As zeromq.js's: the options must be an object; the context is sealed, then the options are assigned as
   * properties, so an unknown one throws "Cannot add property x, object is not extensible" (and so does
   * assigning one later), a read-only one "Cannot set property maxSocketsLimit of #<Context> which has only
   * a getter", and a value of the wrong type zeromq.js's TypeError.
   */
  constructor(options?: ContextOptions) {
    if (options !== undefined && (options === null || (typeof options !== "object" && typeof options !== "function"))) {
      throw new TypeError("Options must be an object")
    }
    bindToThread(this, "Context", "pass `context.share()` in workerData (and transferList) and call `Context.attach(handle)` in the worker")
    Object.seal(this)
    if (options !== undefined) Object.assign(this, options)
  }

  /** ZMQ_BLOCKY. Default true; false gives sockets made afterwards `linger: 0`. */
  get blocky(): boolean {
    return this.#blocky
  }

  set blocky(value: boolean) {
    this.#blocky = toBooleanOption(value)
  }

  /**
   * ZMQ_IO_THREADS. Default 1. Accepted and read back; no effect: zmq-ts does its I/O on the Node.js event
   * loop of each thread. For parallelism, share the context with worker threads (`share()`).
   */
  get ioThreads(): number {
    return this.#ioThreads
  }

  set ioThreads(value: number) {
    this.#ioThreads = checkRange("ioThreads", value, 0)
  }

  /** ZMQ_MAX_SOCKETS. Default 1023: making one more socket than this fails with EMFILE. */
  get maxSockets(): number {
    return this.#maxSockets
  }

  set maxSockets(value: number) {
    this.#maxSockets = checkRange("maxSockets", value, 1)
  }

  /** ZMQ_SOCKET_LIMIT. 65535: the largest `maxSockets` libzmq reports it can take. Read-only. */
  get maxSocketsLimit(): number {
    return MAX_SOCKETS_LIMIT
  }

  /**
   * ZMQ_MAX_MSGSZ. Default 2147483647. Accepted and read back; no effect in zmq-ts: a socket's own limit
   * is its `maxMessageSize`.
   */
  get maxMessageSize(): number {
    return this.#maxMessageSize
  }

  set maxMessageSize(value: number) {
    this.#maxMessageSize = checkRange("maxMessageSize", value, 0)
  }

  /** ZMQ_IPV6. Default false: the `ipv6` sockets made afterwards start with. */
  get ipv6(): boolean {
    return this.#ipv6
  }

  set ipv6(value: boolean) {
    this.#ipv6 = toBooleanOption(value)
  }

  /**
   * ZMQ_THREAD_PRIORITY. Default -1 (the OS default; zeromq.js cannot read it, zmq-ts reads back what was
   * set). Accepted; no effect: zmq-ts has no I/O threads.
   */
  get threadPriority(): number {
    return this.#threadPriority
  }

  set threadPriority(value: number) {
    this.#threadPriority = checkRange("threadPriority", value, 0)
  }

  /** ZMQ_THREAD_SCHED_POLICY. Default -1 (the OS default). Accepted; no effect: zmq-ts has no I/O threads. */
  get threadSchedulingPolicy(): number {
    return this.#threadSchedulingPolicy
  }

  set threadSchedulingPolicy(value: number) {
    this.#threadSchedulingPolicy = checkRange("threadSchedulingPolicy", value, 0)
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
    if (!threadsAvailable) throw zmqError("ENOTSUP", "sharing a context with other threads needs Node's worker_threads; browsers have none")
    // Names bound, and connects made, before the context was shared become reachable from the other threads.
    return this.transport("inproc").share(this.#onTerminate)
  }

  /** This thread's view of a context shared by another thread (see `share()`). */
  static attach(handle: ContextHandle, options: ContextOptions = {}): Context {
    if (!threadsAvailable) throw zmqError("ENOTSUP", "sharing a context with other threads needs Node's worker_threads; browsers have none")
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
      transport = makeTransport(scheme, this)
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
      throw zmqError("EMFILE", `too many sockets: the context's maxSockets is ${this.#maxSockets}`)
    }
    this.#sockets.add(socket)
  }

  /** @internal */
  unregister(socket: ContextSocket): void {
    this.#sockets.delete(socket)
  }
}

/** A context option's number as libzmq gets it (zeromq.js's int32 conversion), checked against libzmq's minimum. */
function checkRange(name: string, value: unknown, min: number): number {
  const converted = toInt32Option(value)
  if (converted < min) throw zmqError("EINVAL", `${name} must be at least ${min}, got ${String(value)}`)
  return converted
}

/** The shared default context. */
export const context = new Context()
