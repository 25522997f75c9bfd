import { Poller, ZmqError, type Message, type Proxy, type Socket } from "@zmq-ts/core"
import { localError, PatternError, PatternErrorCode } from "./errors.js"

/** @internal A point in time (performance.now() ms) or Infinity for "no timeout". */
export type Deadline = number

/** @internal `timeout` in ms, -1 meaning forever, as libzmq's timeouts. */
export function deadlineAfter(timeout: number): Deadline {
  return timeout < 0 ? Infinity : performance.now() + timeout
}

/** @internal What is left of a deadline as a Poller timeout: -1 forever, else ≥ 0 ms. */
export function remaining(deadline: Deadline): number {
  if (deadline === Infinity) return -1
  return Math.max(0, Math.ceil(deadline - performance.now()))
}

/**
 * @internal Receives the next message of `socket` before `deadline`, without leaving a `receive()` pending
 * when the time is up (a pending receive would swallow the next message): polls first, then receives.
 */
export async function receiveBefore(socket: Socket, deadline: Deadline, what: string): Promise<Message[]> {
  const poller = new Poller().add(socket)
  for (;;) {
    if (socket.readable) return socket.receive()
    const left = remaining(deadline)
    if (left === 0) throw localError(PatternErrorCode.TIMEOUT, `timed out waiting for ${what}`)
    const ready = await poller.poll(left)
    if (ready.length === 0 && remaining(deadline) === 0) {
      throw localError(PatternErrorCode.TIMEOUT, `timed out waiting for ${what}`)
    }
  }
}

/**
 * @internal Ends `proxy` if it runs (it then closes its sockets). A Proxy is steered only while it runs, as
 * in zeromq.js: before run() or after it ended, terminate() throws EBADF, which here means nothing to stop.
 */
export function terminateProxy(proxy: Proxy): void {
  try {
    proxy.terminate()
  } catch (error) {
    if (!ZmqError.isInstance(error) || error.code !== "EBADF") throw error
  }
}

/**
 * @internal The socket was closed under a call, or before it: ETERM (context terminated), EBADF (a call on
 * a closed socket) or ENOTSOCK, or EAGAIN when `closed` (zeromq.js's code for a call pending at close, which
 * is also a timeout's: so the caller says whether its socket is closed, as zeromq.js's iterator checks).
 */
export function isClosing(error: unknown, closed: boolean): boolean {
  if (!ZmqError.isInstance(error)) return false
  return error.code === "ETERM" || error.code === "EBADF" || error.code === "ENOTSOCK" || (closed && error.code === "EAGAIN")
}

/** @internal A pause that `cancel()` ends early. */
export function cancellableSleep(ms: number): { readonly done: Promise<void>; cancel(): void } {
  let timer: ReturnType<typeof setTimeout> | undefined
  let finish: () => void = () => {}
  const done = new Promise<void>((resolve) => {
    finish = resolve
    timer = setTimeout(resolve, ms)
  })
  return {
    done,
    cancel() {
      if (timer !== undefined) clearTimeout(timer)
      finish()
    },
  }
}

/** @internal Checks a timeout option: -1 (forever) or a non-negative integer of ms. */
export function checkTimeout(name: string, value: number): number {
  if (!Number.isInteger(value) || value < -1) {
    throw localError(PatternErrorCode.INVALID_OPTION, `${name} must be -1 or a non-negative integer of ms, got ${String(value)}`)
  }
  return value
}

/** @internal Checks a count option: an integer ≥ `min`. */
export function checkCount(name: string, value: number, min: number): number {
  if (!Number.isInteger(value) || value < min) {
    throw localError(PatternErrorCode.INVALID_OPTION, `${name} must be an integer ≥ ${min}, got ${String(value)}`)
  }
  return value
}

/** @internal A call ended by a pattern's own close() becomes ERR_PATTERN_CLOSED; anything else passes. */
export function closedOr(error: unknown, closed: boolean, message: string): unknown {
  if (isClosing(error, closed) && !PatternError.isInstance(error)) return localError(PatternErrorCode.CLOSED, message, error)
  return error
}
