/**
 * Keeps a loop at a steady rate (so the soak measures the same work per second throughout, and leaves the
 * shared machine some CPU): `await pace.step()` after each unit of work sleeps while the loop is ahead. A
 * loop that fell more than a second behind (a stall, a reconnect) starts counting again instead of bursting
 * to catch up, and one that is behind still yields to the event loop now and then.
 */
import { setImmediate as yieldToLoop, setTimeout as sleep } from "node:timers/promises"

const MAX_BEHIND_MS = 1000
const MIN_SLEEP_MS = 2

export class Pace {
  readonly #intervalMs: number
  #start = performance.now()
  #done = 0

  constructor(perSecond: number) {
    this.#intervalMs = 1000 / perSecond
  }

  async step(): Promise<void> {
    this.#done++
    const ahead = this.#start + this.#done * this.#intervalMs - performance.now()
    if (ahead >= MIN_SLEEP_MS) await sleep(ahead)
    else if (ahead < -MAX_BEHIND_MS) this.restart()
    else if (this.#done % 64 === 0) await yieldToLoop()
  }

  restart(): void {
    this.#start = performance.now()
    this.#done = 0
  }
}
