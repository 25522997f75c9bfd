/**
 * The soak's unbounded-growth rule, on one metric's samples over time (seconds, any unit):
 *
 * - the first WARM_UP_FRACTION of the run is warm-up (caches fill, V8 sizes its heap, JIT) and is ignored;
 * - the level is the median of the second quarter of the run against the median of the last quarter
 *   (medians, so the GC sawtooth and a busy second or two do not move them);
 * - the trend is the Theil–Sen slope (the median of the slopes between all pairs of samples) over the
 *   second half, again robust to outliers;
 * - the metric grows without bound when the level rose by more than the allowance — which is the larger
 *   of `relative` × the second quarter's level and `absolute` — *and* it is still rising: the trend over
 *   the second half adds up to at least half the allowance. A step that then stays flat (a pool that grew
 *   once) passes; a leak, which rises in both halves, fails.
 *
 * Both tests scale with the run: on a 2-minute run they compare 30–60 s with 90–120 s, on a 10-minute run
 * 2.5–5 min with 7.5–10 min, so a leak of a fixed rate shows up twice as large in the longer run.
 */
import { median } from "../lib/stats.js"

export const WARM_UP_FRACTION = 0.2
/** Fewer samples than this in a quarter and the metric is not judged (the run was too short). */
export const MIN_SAMPLES_PER_QUARTER = 5
/** Theil–Sen over at most this many samples (evenly picked): 400 give 80k pairs. */
const MAX_SLOPE_SAMPLES = 400

export interface GrowthLimit {
  /** The level must rise by more than this fraction of the second quarter's level… */
  readonly relative: number
  /** …and by more than this much (in the metric's unit). */
  readonly absolute: number
}

export interface GrowthVerdict {
  /** Enough samples in each window to judge. */
  readonly judged: boolean
  readonly grows: boolean
  /** Run time (s) where the warm-up ends and the quarters start. */
  readonly warmUpEnd: number
  readonly secondQuarter: readonly [number, number]
  readonly lastQuarter: readonly [number, number]
  readonly secondQuarterMedian: number
  readonly lastQuarterMedian: number
  /** lastQuarterMedian − secondQuarterMedian. */
  readonly growth: number
  /** How much growth is allowed: max(relative × secondQuarterMedian, absolute). */
  readonly allowance: number
  /** Theil–Sen slope over the second half, per minute. */
  readonly slopePerMinute: number
  /** The slope times the length of the second half: how much the trend rose over it. */
  readonly secondHalfRise: number
}

/** Which part of a run of `start`…`end` seconds a window covers, as fractions. */
function window(start: number, end: number, from: number, to: number): readonly [number, number] {
  return [start + (end - start) * from, start + (end - start) * to]
}

function within(times: readonly number[], values: readonly number[], [from, to]: readonly [number, number]): { times: number[]; values: number[] } {
  const picked = { times: [] as number[], values: [] as number[] }
  times.forEach((time, index) => {
    if (time >= from && time <= to && Number.isFinite(values[index])) {
      picked.times.push(time)
      picked.values.push(values[index]!)
    }
  })
  return picked
}

/** The Theil–Sen estimator: the median of the slopes of all pairs of points (per second). */
export function theilSenSlope(times: readonly number[], values: readonly number[]): number {
  const step = Math.max(1, Math.ceil(times.length / MAX_SLOPE_SAMPLES))
  const xs = times.filter((_, index) => index % step === 0)
  const ys = values.filter((_, index) => index % step === 0)
  const slopes: number[] = []
  for (let i = 0; i < xs.length; i++) {
    for (let j = i + 1; j < xs.length; j++) {
      const dx = xs[j]! - xs[i]!
      if (dx > 0) slopes.push((ys[j]! - ys[i]!) / dx)
    }
  }
  return median(slopes) ?? 0
}

export function judgeGrowth(times: readonly number[], values: readonly number[], limit: GrowthLimit): GrowthVerdict {
  const start = times[0] ?? 0
  const end = times[times.length - 1] ?? 0
  const secondQuarter = window(start, end, 0.25, 0.5)
  const lastQuarter = window(start, end, 0.75, 1)
  const secondHalf = window(start, end, 0.5, 1)
  const q2 = within(times, values, secondQuarter)
  const q4 = within(times, values, lastQuarter)
  const half = within(times, values, secondHalf)
  const secondQuarterMedian = median(q2.values) ?? Number.NaN
  const lastQuarterMedian = median(q4.values) ?? Number.NaN
  const growth = lastQuarterMedian - secondQuarterMedian
  const allowance = Math.max(limit.relative * Math.abs(secondQuarterMedian), limit.absolute)
  const slope = theilSenSlope(half.times, half.values)
  const secondHalfRise = slope * (secondHalf[1] - secondHalf[0])
  const judged = q2.values.length >= MIN_SAMPLES_PER_QUARTER && q4.values.length >= MIN_SAMPLES_PER_QUARTER
  return {
    judged,
    grows: judged && growth > allowance && secondHalfRise > allowance / 2,
    warmUpEnd: window(start, end, 0, WARM_UP_FRACTION)[1],
    secondQuarter,
    lastQuarter,
    secondQuarterMedian,
    lastQuarterMedian,
    growth,
    allowance,
    slopePerMinute: slope * 60,
    secondHalfRise,
  }
}
