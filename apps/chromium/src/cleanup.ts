/** Cleanups the current test registers (sockets, servers, processes, browser contexts), run after it, last first. */
import { afterEach } from "vitest"

const cleanups: Array<() => unknown> = []

/** Runs `cleanup` after the current test, pass or fail. */
export function afterThisTest(cleanup: () => unknown): void {
  cleanups.push(cleanup)
}

/** Closes `thing` after the current test. */
export function track<T extends { close(): unknown }>(thing: T): T {
  cleanups.push(() => thing.close())
  return thing
}

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) {
    try {
      await cleanup()
    } catch {
      // already closed
    }
  }
})
