/**
 * The timing loop every latency tool shares: untimed round trips for `warmupSeconds` (connection, JIT),
 * then `count` timed ones, or as many as fit in `seconds` (the clock is read every 64 round trips).
 */
import { now } from "./child.js"

export async function timeRoundTrips(
  roundTrip: () => Promise<void>,
  warmupSeconds: number,
  seconds: number,
  count: number,
): Promise<{ roundTrips: number; seconds: number }> {
  const warmUntil = now() + warmupSeconds
  do await roundTrip()
  while (now() < warmUntil)
  const start = now()
  const stop = start + seconds
  let roundTrips = 0
  while (roundTrips < count) {
    await roundTrip()
    roundTrips++
    if ((roundTrips & 63) === 0 && now() > stop) break
  }
  return { roundTrips, seconds: now() - start }
}
