/**
 * What each soak process measures of itself once a second: memory, event-loop delay (p99 and max over
 * that second, then the histogram starts again) and the CPU it used. No GC is forced: the heap is read as
 * the program sees it, sawtooth and all, and the growth rule works on medians.
 */
import { monitorEventLoopDelay, type IntervalHistogram } from "node:perf_hooks"

export interface SelfSample {
  /** process.memoryUsage(), bytes. */
  readonly heapUsed: number
  readonly rss: number
  readonly external: number
  readonly arrayBuffers: number
  /** monitorEventLoopDelay over the last second, ms. */
  readonly loopDelayP99Ms: number
  readonly loopDelayMaxMs: number
  /** CPU time this process used in the last second, ms. */
  readonly cpuMs: number
}

const NS_PER_MS = 1e6
/**
 * The histogram's timer period, ms. Node records the whole time between two of its timer turns, so an idle
 * loop reads RESOLUTION_MS; we report the excess over it, the delay proper.
 */
const RESOLUTION_MS = 10

export class SelfSampler {
  readonly #histogram: IntervalHistogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS })
  #cpu = process.cpuUsage()

  constructor() {
    this.#histogram.enable()
  }

  take(): SelfSample {
    const memory = process.memoryUsage()
    const cpu = process.cpuUsage(this.#cpu)
    this.#cpu = process.cpuUsage()
    // An empty histogram (a second with no loop turn recorded) reads as 0, not NaN.
    const excess = (ns: number): number => (this.#histogram.count === 0 ? 0 : Math.max(0, ns / NS_PER_MS - RESOLUTION_MS))
    const p99 = excess(this.#histogram.percentile(99))
    const max = excess(this.#histogram.max)
    this.#histogram.reset()
    return {
      heapUsed: memory.heapUsed,
      rss: memory.rss,
      external: memory.external,
      arrayBuffers: memory.arrayBuffers,
      loopDelayP99Ms: round(p99),
      loopDelayMaxMs: round(max),
      cpuMs: round((cpu.user + cpu.system) / 1000),
    }
  }

  stop(): void {
    this.#histogram.disable()
  }
}

function round(value: number): number {
  return Math.round(value * 100) / 100
}
