/**
 * The soak's unbounded-growth rule (src/soak/growth-rule.ts, limits in src/soak/verdict.ts) on synthetic
 * series shaped like what a soak samples once a second: it must pass the shapes a healthy process shows
 * (noise, the GC sawtooth, a one-off step, spikes) and fail a leak, on a 2-minute and a 10-minute run.
 */
import { describe, expect, it } from "vitest"
import { judgeGrowth, theilSenSlope } from "../src/soak/growth-rule.js"
import type { RunRecord, TimedSample } from "../src/soak/record.js"
import { judgeRun, LIMITS } from "../src/soak/verdict.js"

const MB = 2 ** 20

/** A deterministic noise source (an LCG), in [-1, 1). */
function noise(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0
    return state / 2 ** 31 - 1
  }
}

/** One sample a second for `seconds`, value = shape(t). */
function series(seconds: number, shape: (t: number) => number): { times: number[]; values: number[] } {
  const times = Array.from({ length: seconds }, (_, index) => index + 1)
  return { times, values: times.map(shape) }
}

const judge = (data: { times: number[]; values: number[] }, metric: keyof typeof LIMITS) => judgeGrowth(data.times, data.values, LIMITS[metric])

describe("the growth rule", () => {
  for (const seconds of [120, 600]) {
    describe(`on a ${seconds / 60}-minute run`, () => {
      it("passes a flat heap with noise", () => {
        const random = noise(1)
        expect(judge(series(seconds, () => 15 * MB + random() * 2 * MB), "heapUsed").grows).toBe(false)
      })

      it("passes the GC sawtooth (up 8 MB over 17 s, then collected)", () => {
        expect(judge(series(seconds, (t) => 12 * MB + ((t % 17) / 17) * 8 * MB), "heapUsed").grows).toBe(false)
      })

      it("passes a heap that stepped up once in the first half and stayed", () => {
        const random = noise(2)
        const verdict = judge(series(seconds, (t) => (t < seconds * 0.4 ? 15 : 30) * MB + random() * MB), "heapUsed")
        expect(verdict.growth).toBeGreaterThan(10 * MB) // the level did rise…
        expect(verdict.grows).toBe(false) // …but it is not still rising
      })

      it("fails a heap that leaks 10 MB a minute", () => {
        const random = noise(3)
        const verdict = judge(series(seconds, (t) => 15 * MB + (t / 60) * 10 * MB + random() * 2 * MB), "heapUsed")
        expect(verdict.grows).toBe(true)
        expect(verdict.slopePerMinute / MB).toBeCloseTo(10, 0)
      })

      it("fails a heap under a sawtooth that leaks underneath", () => {
        const verdict = judge(series(seconds, (t) => 12 * MB + ((t % 17) / 17) * 8 * MB + (t / 60) * 8 * MB), "heapUsed")
        expect(verdict.grows).toBe(true)
      })

      it("passes open fds that wobble by a few with churn", () => {
        const random = noise(4)
        expect(judge(series(seconds, () => 40 + Math.round(random() * 3)), "fds").grows).toBe(false)
      })

      it("fails one fd leaked every 10 s", () => {
        expect(judge(series(seconds, (t) => 40 + Math.floor(t / 10)), "fds").grows).toBe(true)
      })

      it("passes event-loop delay with spikes of a busy machine", () => {
        const random = noise(5)
        const verdict = judge(series(seconds, (t) => 3 + Math.abs(random()) * 2 + (t % 13 === 0 ? 120 : 0)), "loopDelayP99Ms")
        expect(verdict.grows).toBe(false)
      })

      it("fails event-loop delay that climbs steadily", () => {
        expect(judge(series(seconds, (t) => 3 + (t / seconds) * 80), "loopDelayP99Ms").grows).toBe(true)
      })
    })
  }

  it("passes RSS that rises by less than its 25 % and 20 MB", () => {
    expect(judge(series(120, (t) => 100 * MB + (t / 120) * 15 * MB), "rss").grows).toBe(false)
  })

  it("does not judge a run too short to have five samples per quarter", () => {
    const verdict = judge(series(12, (t) => t * MB), "heapUsed")
    expect(verdict.judged).toBe(false)
    expect(verdict.grows).toBe(false)
  })

  it("measures slopes robustly (Theil–Sen ignores an outlier)", () => {
    const times = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
    const values = times.map((t) => 2 * t)
    values[4] = 1000
    expect(theilSenSlope(times, values)).toBe(2)
  })
})

describe("a run's verdict", () => {
  /** A run whose client and server keep every metric flat, with `change` applied to the client's samples. */
  function run(change: (sample: TimedSample) => TimedSample, otherCores: (t: number) => number = () => 0.5, runnerDelay: (t: number) => number = () => 1): RunRecord {
    const processSamples = (counter: number): TimedSample[] =>
      Array.from({ length: 120 }, (_, index) => ({
        t: index + 1,
        heapUsed: 15 * MB,
        rss: 100 * MB,
        external: 0,
        arrayBuffers: 0,
        loopDelayP99Ms: 3,
        loopDelayMaxMs: 10,
        cpuMs: 200,
        fds: 40,
        errors: 0,
        counters: { reqRoundTrips: counter * (index + 1), dealerReplies: counter * (index + 1), subReceived: counter * (index + 1), pullReceived: counter * (index + 1), churnCycles: 5 * (index + 1) },
      }))
    const final = { counters: { reqTimeouts: 2, repRestarts: 7, subReplaced: 11, churnCycles: 600 }, errors: 0, errorSamples: [] }
    return {
      format: "zmq-ts soak 1",
      startedAt: "2026-12-04T00:00:00.000Z",
      requestedMinutes: 2,
      seconds: 120,
      injectLeak: false,
      machine: { cpu: "test", cores: 2, memoryGiB: 4, node: "v20", os: "test", date: "2026-12-04", loadAverageAtStart: 1 },
      node: "v20",
      processes: {
        client: processSamples(500).map(change),
        server: processSamples(500),
        runner: processSamples(0).map((sample) => ({ ...sample, counters: {}, loopDelayP99Ms: runnerDelay(sample.t) })),
      },
      machineLoad: Array.from({ length: 120 }, (_, index) => ({ t: index + 1, busyCores: 0.4 + otherCores(index + 1), ourCores: 0.4 })),
      finals: { client: final, server: final },
      incidents: [],
    }
  }

  it("passes a steady run", () => {
    expect(judgeRun(run((sample) => sample)).passed).toBe(true)
  })

  it("fails a client whose heap leaks", () => {
    const verdict = judgeRun(run((sample) => ({ ...sample, heapUsed: sample.heapUsed + sample.t * 0.3 * MB })))
    expect(verdict.passed).toBe(false)
    expect(verdict.checks.filter((check) => !check.passed).map((check) => check.name)).toEqual(["client heapUsed"])
  })

  it("fails a pattern that stops delivering", () => {
    const verdict = judgeRun(run((sample) => ({ ...sample, counters: { ...sample.counters, subReceived: Math.min(sample.counters["subReceived"]!, 500 * 60) } })))
    expect(verdict.checks.find((check) => check.name === "PUB→SUB ×3 flowing")?.passed).toBe(false)
  })

  it("excuses rising event-loop delay when the rest of the machine got busier, not otherwise", () => {
    const climbing = (sample: TimedSample): TimedSample => ({ ...sample, loopDelayP99Ms: 3 + sample.t * 0.8 })
    expect(judgeRun(run(climbing)).passed).toBe(false)
    expect(judgeRun(run(climbing, (t) => (t < 60 ? 0.5 : 1.4))).passed).toBe(true)
  })

  it("excuses rising event-loop delay when the idle runner's rose with it (a saturated machine), not otherwise", () => {
    const climbing = (sample: TimedSample): TimedSample => ({ ...sample, loopDelayP99Ms: 3 + sample.t * 0.8 })
    expect(judgeRun(run(climbing, () => 1.5, () => 1)).passed).toBe(false)
    expect(judgeRun(run(climbing, () => 1.5, (t) => 2 + t * 0.6)).passed).toBe(true)
  })
})
