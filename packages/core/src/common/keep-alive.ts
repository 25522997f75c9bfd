import { refTimer, unrefTimer } from "#platform/timers"

/**
 * What keeps a thread (the main thread or a worker) alive, by zeromq.js v6's rule: an operation in progress
 * — a `send()` or `receive()` waiting, a `for await` between messages, a poll, a running Proxy, an Observer
 * being read, a bind — holds the event loop open; idle sockets, bound or connected, do not. So every
 * server, stream, port and timer of core is unref'd, and each waiting operation holds this one timer
 * instead. (Queued messages at exit are the other thing that keeps a thread alive: exit-linger.ts.)
 *
 * Module state is per thread: a worker loads its own copy.
 */
let holds = 0
let keeper: ReturnType<typeof setInterval> | undefined
const idle = (): void => {}

/** An operation starts waiting: the thread stays alive until the matching `releaseAlive()`. */
export function holdAlive(): void {
  if (holds++ > 0) return
  // Made once and toggled: ref()/unref() on a live timer costs far less than a new timer per wait.
  keeper ??= setInterval(idle, 2 ** 30)
  refTimer(keeper)
}

export function releaseAlive(): void {
  if (holds === 0) return
  if (--holds === 0 && keeper !== undefined) unrefTimer(keeper)
}
