/**
 * Counts the timers alive in this process: wraps the global setTimeout/setInterval and their clears before
 * the library under test is loaded (zmq-ts schedules every timer through these globals). A per-connection
 * timer (a heartbeat, a handshake timeout never cleared) shows as a count that grows with the idle peers;
 * unref'd timers count too, which process.getActiveResourcesInfo() would miss. Import it first.
 */
import { promisify } from "node:util"

type Handle = ReturnType<typeof setTimeout>

const live = new Set<Handle>()
const intervals = new Set<Handle>()
const originalTimeout = globalThis.setTimeout
const originalInterval = globalThis.setInterval
const originalClearTimeout = globalThis.clearTimeout
const originalClearInterval = globalThis.clearInterval

function forget(handle: unknown): void {
  if (typeof handle !== "object" || handle === null) return
  live.delete(handle as Handle)
  intervals.delete(handle as Handle)
}

const countedTimeout = function (this: unknown, callback: (...args: unknown[]) => void, ms?: number, ...args: unknown[]): Handle {
  const handle: Handle = originalTimeout(
    (...callArgs: unknown[]) => {
      live.delete(handle)
      callback(...callArgs)
    },
    ms,
    ...args,
  )
  live.add(handle)
  return handle
}
const countedInterval = function (this: unknown, callback: (...args: unknown[]) => void, ms?: number, ...args: unknown[]): Handle {
  const handle: Handle = originalInterval(callback, ms, ...args)
  live.add(handle)
  intervals.add(handle)
  return handle
}
// util.promisify(setTimeout) keeps working.
Object.defineProperty(countedTimeout, promisify.custom, { value: (originalTimeout as unknown as Record<symbol, unknown>)[promisify.custom] })

globalThis.setTimeout = countedTimeout as unknown as typeof setTimeout
globalThis.setInterval = countedInterval as unknown as typeof setInterval
globalThis.clearTimeout = ((handle?: unknown) => {
  forget(handle)
  originalClearTimeout(handle as Handle)
}) as typeof clearTimeout
globalThis.clearInterval = ((handle?: unknown) => {
  forget(handle)
  originalClearInterval(handle as Handle)
}) as typeof clearInterval

export interface TimerCount {
  /** Timers (and intervals) scheduled and neither fired (a timeout) nor cleared. */
  readonly live: number
  readonly intervals: number
  /** Of those, the ones that keep the process alive. */
  readonly refed: number
}

export function timerCount(): TimerCount {
  let refed = 0
  for (const handle of live) if (handle.hasRef()) refed++
  return { live: live.size, intervals: intervals.size, refed }
}
