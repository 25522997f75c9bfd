/**
 * Sharing a context with Web Workers is not built: the thread link is written on Node's MessagePort
 * (on/unref/ref, transfer in workerData). Context.share()/attach() check `threadsAvailable` and throw
 * ENOTSUP; this class only keeps a browser bundle from reaching for node:worker_threads.
 */
export class MessageChannel {
  constructor() {
    throw new Error("sharing a context across threads is not available in browsers")
  }
}

export const threadsAvailable = false
