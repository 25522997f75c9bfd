import { zmqError, ZmqError } from "../common/errors.js"
import { holdAlive, releaseAlive } from "../common/keep-alive.js"
import type { Message } from "../pipes/message.js"
import type { Socket } from "../socket/socket-base.js"

/**
 * `zmq_proxy` / `zmq_proxy_steerable` with zeromq.js's API: forwards whole messages from the front end to
 * the back end and back, for as long as `run()` runs. A message is taken from one side only when the other
 * can take it, so a full peer on one side holds that direction back instead of losing messages (the
 * high-water marks of both sides apply). An optional
 * capture socket gets a copy of every message, both ways, without ever blocking the proxy.
 */
export class Proxy<F extends Socket = Socket, B extends Socket = Socket> {
  readonly frontEnd: F
  readonly backEnd: B
  readonly capture: Socket | undefined
  #running = false
  #terminated = false
  #paused = false
  #wakeups: Array<() => void> = []
  /** The sockets' interrupt counts when `run()` started: a change means a signal (s_catch_signals) came. */
  #interrupts: [number, number] = [0, 0]

  constructor(frontEnd: F, backEnd: B, capture?: Socket) {
    this.frontEnd = frontEnd
    this.backEnd = backEnd
    this.capture = capture
  }

  /**
   * Runs until `terminate()` or until a socket closes. Rejects with ETERM once terminated, and with EINTR
   * when a socket is interrupted (`context.interrupt()`, zhelpers' s_catch_signals), as zmq_proxy returns
   * on a signal; `run()` may then be called again.
   */
  async run(): Promise<void> {
    if (this.#terminated) throw zmqError("ETERM", "proxy was terminated")
    if (this.#running) throw zmqError("EINVAL", "proxy is already running")
    this.#running = true
    this.#interrupts = [this.frontEnd.interruptCount, this.backEnd.interruptCount]
    holdAlive() // a running proxy keeps the thread alive, as a blocked zmq_proxy does
    try {
      await Promise.all([this.#forward(this.frontEnd, this.backEnd), this.#forward(this.backEnd, this.frontEnd)])
    } finally {
      this.#running = false
      releaseAlive()
    }
  }

  /** Stops forwarding (messages wait in the sockets' queues) until `resume()`. */
  pause(): void {
    if (this.#terminated) throw zmqError("ETERM", "proxy was terminated")
    this.#paused = true
  }

  resume(): void {
    if (this.#terminated) throw zmqError("ETERM", "proxy was terminated")
    this.#paused = false
    for (const wake of this.#wakeups.splice(0)) wake()
  }

  /** Stops the proxy for good: `run()` resolves. The sockets stay open. */
  terminate(): void {
    if (this.#terminated) return
    this.#terminated = true
    for (const wake of this.#wakeups.splice(0)) wake()
  }

  async #forward(from: Socket, to: Socket): Promise<void> {
    if (!canReceive(from) || !canSend(to)) return
    while (!this.#terminated && !from.closed && !to.closed) {
      if (this.#interrupted()) throw zmqError("EINTR", "proxy was interrupted")
      // As libzmq's proxy (POLLIN on one side with POLLOUT on the other): take a message only when the
      // other side can take it at once, so a stalled peer leaves messages in the queues where the
      // high-water marks apply, and terminate() never finds this loop stuck in a send.
      if (this.#paused || !from.readable || !to.writable) {
        await this.#ready(from, to)
        continue
      }
      let message: Message
      try {
        message = await from.receive()
      } catch (error) {
        if (isClosing(error)) return
        throw error
      }
      if (this.capture !== undefined && this.capture.writable) {
        this.capture.send(message).catch(() => {}) // a capture that cannot keep up loses copies, never blocks
      }
      try {
        await to.send(message)
      } catch (error) {
        if (isClosing(error)) return
        // A ROUTER back end with `mandatory` refusing an unknown peer: drop that message, go on.
        if (ZmqError.isInstance(error) && error.code === "EHOSTUNREACH") continue
        throw error
      }
    }
  }

  #interrupted(): boolean {
    return this.frontEnd.interruptCount !== this.#interrupts[0] || this.backEnd.interruptCount !== this.#interrupts[1]
  }

  /**
   * Resolves once `from` has a message and `to` has room while not paused (or either closed, or an
   * interrupt, or resume() or terminate()).
   */
  #ready(from: Socket, to: Socket): Promise<void> {
    const ready = (): boolean =>
      (!this.#paused && from.readable && to.writable) || from.closed || to.closed || this.#interrupted()
    return new Promise((resolve) => {
      const stops: Array<() => void> = []
      const done = (): void => {
        for (const stop of stops) stop()
        const index = this.#wakeups.indexOf(done)
        if (index >= 0) this.#wakeups.splice(index, 1)
        resolve()
      }
      const check = (): void => {
        if (ready()) done()
      }
      stops.push(from.watchReadiness(check), to.watchReadiness(check))
      this.#wakeups.push(done)
      check()
    })
  }
}

function isClosing(error: unknown): boolean {
  return ZmqError.isInstance(error) && (error.code === "ETERM" || error.code === "ENOTSOCK")
}

function canReceive(socket: Socket): boolean {
  return !["PUSH", "PUB"].includes(socket.type)
}

function canSend(socket: Socket): boolean {
  return !["PULL", "SUB"].includes(socket.type)
}
