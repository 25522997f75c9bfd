import { nextTurn } from "#platform/timers"
import { zmqError, ZmqError } from "../common/errors.js"
import { holdAlive, releaseAlive } from "../common/keep-alive.js"
import type { Frames } from "../pipes/message.js"
import { Socket, type AnySocket } from "../socket/socket-base.js"

/** After this many messages in one turn of the event loop, a direction lets the loop run (timers, I/O). */
const MESSAGES_PER_TURN = 512

function isObject(value: unknown): value is object {
  return typeof value === "object" && value !== null
}

function checkNoArguments(received: number): void {
  if (received > 0) throw new TypeError(`Expected 0 arguments but received ${received}`)
}

/**
 * `zmq_proxy_steerable` with zeromq.js's API: forwards whole messages from the front end to the back end and
 * back while `run()` runs. A message is taken from one side only when the other can take it, so a full peer
 * on one side holds that direction back instead of losing messages (the high-water marks of both sides
 * apply). An optional capture socket (libzmq's `zmq_proxy` capture; zeromq.js has none) gets a copy of
 * every message, both ways, without ever blocking the proxy.
 *
 * As in zeromq.js, the proxy owns its two sockets while it runs: the application's calls on them fail with
 * EBUSY ("Socket is blocked by a bind or unbind operation") and `close()` waits; when the proxy ends, it
 * closes both. `pause()`, `resume()` and `terminate()` steer a running proxy and throw EBADF otherwise.
 */
export class Proxy<F extends AnySocket = Socket, B extends AnySocket = Socket> {
  readonly #frontEnd: F
  readonly #backEnd: B
  readonly #capture: Socket | undefined
  /** The two sockets as the forwarding loops move messages between them (a Dish is no `Socket` type). */
  readonly #sockets: readonly [Socket, Socket]
  #running = false
  /** terminate(), a failure or context termination: the forwarding loops are ending. */
  #stopping = false
  #failure: Error | undefined
  #paused = false
  #wakeups: Array<() => void> = []
  /** The sockets' interrupt counts when `run()` started: a change means a signal (s_catch_signals) came. */
  #interrupts: [number, number] = [0, 0]

  /**
   * A proxy between `frontEnd` and `backEnd`: TypeError "Front-end must be a socket object" (or
   * "Back-end …") for a value that is not an object, EINVAL for an object that is not a socket (zeromq.js).
   */
  constructor(frontEnd: F, backEnd: B, capture?: Socket) {
    if (!isObject(frontEnd)) throw new TypeError("Front-end must be a socket object")
    if (!isObject(backEnd)) throw new TypeError("Back-end must be a socket object")
    if (arguments.length > 3) throw new TypeError(`Expected 3 arguments but received ${arguments.length}`)
    if (!(frontEnd instanceof Socket)) throw zmqError("EINVAL", "the front end is not a socket of @zmq-ts/core")
    if (!(backEnd instanceof Socket)) throw zmqError("EINVAL", "the back end is not a socket of @zmq-ts/core")
    if (capture !== undefined && !(capture instanceof Socket)) {
      throw zmqError("EINVAL", "the capture is not a socket of @zmq-ts/core")
    }
    const refused = draftPairProblem(frontEnd.zmtpType, backEnd.zmtpType)
    if (refused !== undefined) throw zmqError("ENOTSUP", refused)
    this.#frontEnd = frontEnd
    this.#backEnd = backEnd
    this.#sockets = [frontEnd, backEnd]
    this.#capture = capture
  }

  get frontEnd(): F {
    return this.#frontEnd
  }

  get backEnd(): B {
    return this.#backEnd
  }

  /** The capture socket, if one was given. */
  get capture(): Socket | undefined {
    return this.#capture
  }

  /**
   * Forwards until `terminate()`, then closes both sockets and resolves. Throws (synchronously, as
   * zeromq.js) EINVAL "Front-end socket must be bound or connected" (or "Back-end …") when a socket has no
   * endpoint, which includes a closed socket, so also after the proxy ended; rejects with EADDRINUSE while
   * already running (zeromq.js's code; the running proxy goes on). Rejects with ETERM, sockets closed, when
   * their context is terminated, and with EINTR, sockets left open, when a socket is interrupted
   * (`context.interrupt()`, zhelpers' s_catch_signals), as zmq_proxy returns on a signal.
   */
  run(): Promise<void> {
    checkNoArguments(arguments.length)
    const frontEnd = this.#frontEnd
    const backEnd = this.#backEnd
    if (frontEnd.endpointCount === 0) {
      throw new ZmqError("EINVAL", "Front-end socket must be bound or connected", {
        details: frontEnd.closed ? "the front end is closed" : "bind or connect the front end before run()",
      })
    }
    if (backEnd.endpointCount === 0) {
      throw new ZmqError("EINVAL", "Back-end socket must be bound or connected", {
        details: backEnd.closed ? "the back end is closed" : "bind or connect the back end before run()",
      })
    }
    if (this.#running) return Promise.reject(zmqError("EADDRINUSE", "the proxy is already running"))
    this.#running = true
    this.#stopping = false
    this.#failure = undefined
    this.#paused = false
    this.#interrupts = [frontEnd.interruptCount, backEnd.interruptCount]
    const release = [frontEnd.holdForProxy(), backEnd.holdForProxy()]
    holdAlive() // a running proxy keeps the thread alive, as a blocked zmq_proxy does
    const [front, back] = this.#sockets
    return Promise.all([this.#direction(front, back), this.#direction(back, front)]).then(() => {
      this.#running = false
      releaseAlive()
      for (const unblock of release) unblock()
      const failure = this.#failure
      // zeromq.js closes both sockets however the proxy ended; after a signal they stay open, so that
      // run() can be called again (zmq_proxy returns EINTR and leaves its sockets to the caller).
      if (!ZmqError.isInstance(failure) || failure.code !== "EINTR") {
        frontEnd.close()
        backEnd.close()
      }
      if (failure !== undefined) throw failure
    })
  }

  /** Stops forwarding (messages wait in the sockets' queues) until `resume()`. EBADF unless running. */
  pause(): void {
    checkNoArguments(arguments.length)
    this.#assertRunning()
    this.#paused = true
  }

  /** EBADF unless running. */
  resume(): void {
    checkNoArguments(arguments.length)
    this.#assertRunning()
    this.#paused = false
    this.#wake()
  }

  /** Ends the proxy: `run()` closes both sockets and resolves. EBADF unless running. */
  terminate(): void {
    checkNoArguments(arguments.length)
    this.#assertRunning()
    this.#stop(undefined)
  }

  #assertRunning(): void {
    // zeromq.js steers the proxy through a control socket that exists only while it runs.
    if (!this.#running) throw zmqError("EBADF", "the proxy is not running")
  }

  #stop(failure: Error | undefined): void {
    if (!this.#stopping) this.#failure = failure
    this.#stopping = true
    this.#wake()
  }

  #wake(): void {
    for (const wake of this.#wakeups.splice(0)) wake()
  }

  /** One direction of the proxy; a failure in it ends both. */
  async #direction(from: Socket, to: Socket): Promise<void> {
    try {
      await this.#forward(from, to)
    } catch (error) {
      this.#stop(error as Error)
    }
  }

  async #forward(from: Socket, to: Socket): Promise<void> {
    if (!canReceive(from) || !canSend(to)) return
    let burst = 0
    while (!this.#ended()) {
      // As libzmq's proxy (POLLIN on one side with POLLOUT on the other): take a message only when the
      // other side can take it at once, so a stalled peer leaves messages in the queues where the
      // high-water marks apply, and terminate() never finds this loop stuck in a send.
      if (this.#paused || !from.readable || !to.writable) {
        await this.#ready(from, to)
        continue
      }
      const message = from.takeMessage()
      if (message === undefined) {
        await nextTurn() // readable, yet nothing to take: let the socket's state settle
        continue
      }
      const capture = this.#capture
      // A capture that cannot keep up loses copies, never blocks the proxy.
      if (capture !== undefined && capture.writable) capture.putMessage(message)
      await this.#put(to, message)
      if (++burst === MESSAGES_PER_TURN) {
        burst = 0
        await nextTurn()
      }
    }
  }

  /** Hands `message` to `to`, waiting for room if its readiness promised more than it had. */
  async #put(to: Socket, message: Frames): Promise<void> {
    for (;;) {
      try {
        if (to.putMessage(message)) return
      } catch (error) {
        // A ROUTER back end with `mandatory` refusing an unknown peer: drop that message, go on.
        if (ZmqError.isInstance(error) && error.code === "EHOSTUNREACH") return
        throw error
      }
      await this.#ready(undefined, to)
      if (this.#ended()) return
    }
  }

  /** The loops stop: terminate(), a failure, a socket closed, its context terminated, or a signal. */
  #ended(): boolean {
    if (this.#stopping) return true
    const frontEnd = this.#frontEnd
    const backEnd = this.#backEnd
    if (frontEnd.interruptCount !== this.#interrupts[0] || backEnd.interruptCount !== this.#interrupts[1]) {
      this.#stop(zmqError("EINTR", "the proxy was interrupted"))
      return true
    }
    if (frontEnd.context.terminated || backEnd.context.terminated) {
      this.#stop(zmqError("ETERM", "the context of the proxy's sockets was terminated"))
      return true
    }
    if (frontEnd.closed || backEnd.closed) {
      this.#stop(undefined)
      return true
    }
    return false
  }

  /**
   * Resolves once `from` has a message (when given) and `to` has room while not paused, or the proxy ends
   * (also woken by resume() and terminate()).
   */
  #ready(from: Socket | undefined, to: Socket): Promise<void> {
    const ready = (): boolean =>
      (!this.#paused && (from === undefined || from.readable) && to.writable) || this.#ended()
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
      // Both sockets: a signal or a context termination reaches either one.
      stops.push(this.#frontEnd.watchReadiness(check), this.#backEnd.watchReadiness(check))
      this.#wakeups.push(done)
      check()
    })
  }
}

function canReceive(socket: Socket): boolean {
  return !["PUSH", "PUB", "RADIO", "SCATTER"].includes(socket.zmtpType)
}

function canSend(socket: Socket): boolean {
  return !["PULL", "SUB", "DISH", "GATHER"].includes(socket.zmtpType)
}

/**
 * What libzmq's zmq_proxy cannot do with the draft types, whose messages carry more than their frames: a
 * SERVER's or PEER's routing id does not come back through a proxy (the reply reaches it with routing id 0,
 * EHOSTUNREACH), and a group is only meaningful from a DISH to a RADIO (a DISH front end forwards its
 * groups' messages, group and all, to a RADIO back end, or the other way round). CLIENT, SCATTER, GATHER
 * and CHANNEL carry plain single-part messages and proxy as their stable counterparts do.
 */
function draftPairProblem(frontEnd: string, backEnd: string): string | undefined {
  for (const type of [frontEnd, backEnd]) {
    if (type === "SERVER" || type === "PEER") return `a ${type} cannot be proxied: its routing ids do not survive the proxy`
  }
  const grouped = (type: string): boolean => type === "RADIO" || type === "DISH"
  if ((grouped(frontEnd) || grouped(backEnd)) && !((frontEnd === "DISH" && backEnd === "RADIO") || (frontEnd === "RADIO" && backEnd === "DISH"))) {
    return `a ${grouped(frontEnd) ? frontEnd : backEnd} can only be proxied to its counterpart (DISH → RADIO keeps each message's group)`
  }
  return undefined
}
