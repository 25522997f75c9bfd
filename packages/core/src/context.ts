import { zmqError } from "./errors.js"

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
   * thread, so the value has no effect (see issue "threads" for worker_threads).
   */
  ioThreads?: number
}

/**
 * A Context (libzmq's `ctx_t`) owns sockets and the inproc namespace. Terminating it makes every blocked
 * call of its sockets reject with ETERM and closes them. Most programs use the shared default `context`.
 */
export class Context {
  /** ZMQ_BLOCKY: when false, new sockets get `linger: 0`. */
  blocky = true
  #maxSockets = 1023
  ioThreads = 1
  readonly #sockets = new Set<ContextSocket>()
  #terminated = false
  /** @internal inproc endpoints bound in this context, by name. */
  readonly inprocBindings = new Map<string, unknown>()
  /** @internal inproc connects waiting for a bind, by name. */
  readonly inprocPending = new Map<string, Set<unknown>>()

  constructor(options: ContextOptions = {}) {
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

  /** Terminates the context: blocked calls on its sockets reject with ETERM, and every socket closes. */
  terminate(): void {
    if (this.#terminated) return
    this.#terminated = true
    for (const socket of [...this.#sockets]) socket.terminate()
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
