import { context } from "@zmq-ts/core"

/**
 * v5's `zmq.Context`: static helpers over the default context that every compat socket uses. It cannot be
 * instantiated, as in zeromq.js (use the v6 `Context` for separate contexts). The values go to the v6
 * context's options as they are, so they are converted and checked as zeromq.js checks them (a number
 * truncated, EINVAL below the minimum, zeromq.js's TypeError for a value that is not a number).
 */
export class Context {
  /**
   * ZMQ_IO_THREADS. Stored and read back for compatibility; zmq-ts does its I/O on the Node.js event loop,
   * so the number has no effect (share a v6 Context with worker threads for parallelism).
   */
  static setMaxThreads(value: number): void {
    context.ioThreads = value
  }

  static getMaxThreads(): number {
    return context.ioThreads
  }

  /** ZMQ_MAX_SOCKETS: how many sockets the default context allows at once. */
  static setMaxSockets(value: number): void {
    context.maxSockets = value
  }

  static getMaxSockets(): number {
    return context.maxSockets
  }

  constructor() {
    throw new Error("Context cannot be instantiated in compatibility mode")
  }
}
