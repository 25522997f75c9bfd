/**
 * The timing loop every latency tool shares: untimed round trips until warm (at least `warmupSeconds`, then
 * until the round-trip rate stops rising, lib/warm-up.ts), then `count` timed ones, or as many as fit in
 * `seconds` (the clock is read every 64 round trips).
 */
import { now } from "./child.js"
import { WarmUp } from "./warm-up.js"

export async function timeRoundTrips(
  roundTrip: () => Promise<void>,
  warmupSeconds: number,
  seconds: number,
  count: number,
): Promise<{ roundTrips: number; seconds: number; warmupSeconds: number }> {
  const warmUp = new WarmUp(warmupSeconds)
  const warmStart = now()
  warmUp.add(0, warmStart)
  do await roundTrip()
  while (!warmUp.add(1, now()))
  const start = now()
  const stop = start + seconds
  let roundTrips = 0
  while (roundTrips < count) {
    await roundTrip()
    roundTrips++
    if ((roundTrips & 63) === 0 && now() > stop) break
  }
  return { roundTrips, seconds: now() - start, warmupSeconds: start - warmStart }
}
