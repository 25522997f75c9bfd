/** Cleanups the current test registers (sockets to close, files to remove), run after it in reverse order. */
import { afterEach } from "vitest"

const cleanups: Array<() => void> = []

/** Runs `cleanup` after the current test (in reverse order of registration). */
export function afterThisTest(cleanup: () => void): void {
  cleanups.push(cleanup)
}

/** Closes `socket` after the current test. */
export function track<S extends { close(): void }>(socket: S): S {
  cleanups.push(() => socket.close())
  return socket
}

afterEach(() => {
  for (const cleanup of cleanups.splice(0).reverse()) {
    try {
      cleanup()
    } catch {
      // already closed
    }
  }
})
