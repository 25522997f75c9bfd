import { setImmediate } from "node:timers"
import { setImmediate as nextTurn } from "node:timers/promises"

/** Node: a macrotask after I/O (the socket base yields to the event loop with it). */
export { setImmediate, nextTurn }

type Timer = ReturnType<typeof setTimeout>

/** The timer no longer keeps the thread alive (keep-alive.ts: only waiting operations do). */
export function unrefTimer(timer: Timer): Timer {
  return timer.unref()
}

/** The timer keeps the thread alive again. */
export function refTimer(timer: Timer): Timer {
  return timer.ref()
}
