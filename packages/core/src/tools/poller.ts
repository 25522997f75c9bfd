import { zmqError } from "../common/errors.js"
import { holdAlive, releaseAlive } from "../common/keep-alive.js"
import type { AnySocket, Socket } from "../socket/socket-base.js"

/** What to wait for on a socket: ZMQ_POLLIN, ZMQ_POLLOUT, or both. */
export type PollEvents = "readable" | "writable" | "both"

export interface PollItem<S extends AnySocket = Socket> {
  readonly socket: S
  /** ZMQ_POLLIN: `receive()` would resolve at once. */
  readonly readable: boolean
  /** ZMQ_POLLOUT: `send()` would resolve at once. */
  readonly writable: boolean
}

/**
 * The Guide's `zmq_poll`: waits until any of a set of sockets can be read (or written) without consuming
 * anything, so a plain loop can serve several sockets:
 *
 * ```ts
 * const poller = new Poller().add(receiver).add(subscriber)
 * while (!interrupted) {
 *   for (const { socket } of await poller.poll()) handle(socket, await socket.receive())
 * }
 * ```
 *
 * `poll()` resolves with every ready socket, starting the scan just after the socket listed first last time
 * (round-robin), so a socket that is always busy cannot starve the others when the caller handles only the
 * first. Compared with
 * `for await (const message of socket)`, which serves one socket, a Poller multiplexes several in one
 * loop in the order things become ready; both can be mixed, as long as one socket is read by one of them.
 */
export class Poller<S extends AnySocket = Socket> {
  readonly #items: Array<{ socket: S; events: PollEvents }> = []
  #start = 0

  /** Adds a socket (or changes what it is polled for). */
  add(socket: S, events: PollEvents = "readable"): this {
    if (events !== "readable" && events !== "writable" && events !== "both") {
      throw zmqError("EINVAL", `poll events must be "readable", "writable" or "both"`)
    }
    const existing = this.#items.find((item) => item.socket === socket)
    if (existing !== undefined) existing.events = events
    else this.#items.push({ socket, events })
    return this
  }

  remove(socket: S): this {
    const index = this.#items.findIndex((item) => item.socket === socket)
    if (index >= 0) this.#items.splice(index, 1)
    return this
  }

  get size(): number {
    return this.#items.length
  }

  /**
   * Resolves with the sockets that are ready, or with `[]` after `timeout` ms (-1, the default, waits
   * forever; 0 checks and returns at once). Rejects with ETERM if a polled socket is closed meanwhile, and
   * with EINTR if one is interrupted (`context.interrupt()`, zhelpers' s_catch_signals).
   */
  poll(timeout = -1): Promise<Array<PollItem<S>>> {
    if (!Number.isFinite(timeout) && timeout !== -1) throw zmqError("EINVAL", `invalid poll timeout ${timeout}`)
    // As zmq_poll: a socket closed before the call is an error at once, not a wait that never ends.
    if (this.#items.some((item) => item.socket.closed)) return Promise.reject(zmqError("ENOTSOCK", "a polled socket is closed"))
    const ready = this.#ready()
    if (ready.length > 0 || timeout === 0) return Promise.resolve(ready)
    const interrupts = this.#items.map((item) => item.socket.interruptCount)
    // A poll in progress keeps the thread alive (zeromq.js), until it settles.
    holdAlive()
    return new Promise((resolve, reject) => {
      const unwatch: Array<() => void> = []
      let timer: ReturnType<typeof setTimeout> | undefined
      let settled = false
      const finish = (result: Array<PollItem<S>> | Error): void => {
        if (settled) return
        settled = true
        releaseAlive()
        for (const stop of unwatch) stop()
        if (timer !== undefined) clearTimeout(timer)
        if (result instanceof Error) reject(result)
        else resolve(result)
      }
      const check = (): void => {
        // Re-checked on a microtask so that a burst of pipe events costs one scan.
        queueMicrotask(() => {
          if (settled) return
          if (this.#items.some((item, i) => item.socket.interruptCount !== interrupts[i])) {
            finish(zmqError("EINTR", "poll was interrupted"))
            return
          }
          if (this.#items.some((item) => item.socket.closed)) {
            finish(zmqError("ETERM", "a polled socket was closed"))
            return
          }
          const now = this.#ready()
          if (now.length > 0) finish(now)
        })
      }
      for (const { socket } of this.#items) unwatch.push(socket.watchReadiness(check))
      if (timeout > 0) timer = setTimeout(() => finish([]), timeout)
    })
  }

  #ready(): Array<PollItem<S>> {
    const items = this.#items
    const count = items.length
    const out: Array<PollItem<S>> = []
    if (count === 0) return out
    const start = this.#start % count
    for (let i = 0; i < count; i++) {
      const { socket, events } = items[(start + i) % count]!
      if (socket.closed) continue
      const readable = events !== "writable" && socket.readable
      const writable = events !== "readable" && socket.writable
      if (readable || writable) {
        // Round-robin (libzmq's fq_t): the next scan starts just after the socket listed first now, so two
        // busy sockets alternate even when an idle one sits between them.
        if (out.length === 0) this.#start = (start + i + 1) % count
        out.push({ socket, readable, writable })
      }
    }
    return out
  }
}
