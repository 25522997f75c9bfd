/** A microtask: the nearest a browser has to process.nextTick (it runs after promise callbacks queued before it). */
export function nextTick<A extends unknown[]>(callback: (...args: A) => void, ...args: A): void {
  queueMicrotask(() => callback(...args))
}

/** A browser has no process warnings: the console's. */
export function emitWarning(message: string): void {
  console.warn(`Warning: ${message}`)
}

/**
 * A page does not exit by its event loop running dry, and cannot wait when it is closed: nothing waits
 * for queued messages there (what a closed tab had queued is lost, as with process.exit() in Node).
 */
export function onBeforeExit(_listener: () => void): void {}

/** A page never waits at exit (above): closing sockets do not hold it either. */
export const emitsBeforeExit = true

export function writeExitWarning(text: string): void {
  console.warn(`WARNING: ${text}`)
}
