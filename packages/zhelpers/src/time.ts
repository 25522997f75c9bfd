import { version } from "@zmq-ts/core"

/** s_sleep: waits `ms` milliseconds. */
export function s_sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

/** s_clock: a millisecond clock for measuring intervals. */
export function s_clock(): number {
  return Math.round(performance.now())
}

/** s_version: the libzmq version whose behaviour we match, as [major, minor, patch]. */
export function s_version(): [number, number, number] {
  const [major = 0, minor = 0, patch = 0] = version.split(".").map(Number)
  return [major, minor, patch]
}
