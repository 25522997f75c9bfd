type Timer = ReturnType<typeof setTimeout>

/** The MessageChannel a browser has for a macrotask without setTimeout's 4 ms clamp. */
interface Channel {
  readonly port1: { onmessage: (() => void) | null }
  readonly port2: { postMessage(message: unknown): void }
}

const queue: (() => void)[] = []
let channel: Channel | undefined

function runQueue(): void {
  // What is queued while these run waits for the next message: one turn, as Node's check phase.
  const batch = queue.splice(0, queue.length)
  for (const callback of batch) callback()
}

/** A macrotask, as Node's setImmediate: after the microtasks and I/O already queued. */
export function setImmediate<A extends unknown[]>(callback: (...args: A) => void, ...args: A): void {
  if (channel === undefined) {
    const Constructor = (globalThis as unknown as { MessageChannel?: new () => Channel }).MessageChannel
    if (Constructor === undefined) {
      setTimeout(() => callback(...args), 0)
      return
    }
    channel = new Constructor()
    channel.port1.onmessage = runQueue
  }
  queue.push(() => callback(...args))
  if (queue.length === 1) channel.port2.postMessage(undefined)
}

/** A promise for the next macrotask (node:timers/promises's setImmediate). */
export function nextTurn<T = void>(value?: T): Promise<T> {
  return new Promise((resolve) => setImmediate(() => resolve(value as T)))
}

/** A browser's timers never keep a page alive: nothing to undo. */
export function unrefTimer(timer: Timer): Timer {
  return timer
}

export function refTimer(timer: Timer): Timer {
  return timer
}
