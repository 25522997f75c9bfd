/**
 * Judges a soak run: no metric of the workload processes grows without bound (./growth-rule.ts, with the
 * limits below), traffic kept flowing at its rate to the end, and every message checked out.
 */
import { median } from "../lib/stats.js"
import { judgeGrowth, WARM_UP_FRACTION, type GrowthLimit, type GrowthVerdict } from "./growth-rule.js"
import type { ProcessName, RunRecord, TimedSample } from "./record.js"

const MB = 2 ** 20

export const METRICS = ["heapUsed", "rss", "fds", "loopDelayP99Ms"] as const
export type Metric = (typeof METRICS)[number]

/**
 * How much each metric may rise from the second quarter to the last (both conditions must be exceeded,
 * and the second half must still be rising, ./growth-rule.ts):
 * - heap: 20 % and 5 MB — the sawtooth of a few-MB young generation stays well inside;
 * - RSS: 25 % and 20 MB — RSS follows the heap's high-water mark and the allocator's arenas, slowly;
 * - open fds: 4 — churn has a few connections opening or closing at any sample;
 * - event-loop delay p99: doubled and 20 ms more. A shared machine's load moves it a lot, so a rise is
 *   excused (reported, not failed) when the machine, not the workload, explains it: either the runner's own
 *   loop delay — an idle process, the control — rose by at least CONTROL_EXCUSE_SHARE of the workload
 *   process's rise, or the rest of the machine used over LOAD_EXCUSE_CORES more CPU in the last quarter
 *   than in the second. (CPU use alone is not enough: a machine already at 100 % reads the same with a
 *   longer run queue, as a load average of 15 on 2 cores did in one run; the control sees that.)
 */
export const LIMITS: Readonly<Record<Metric, GrowthLimit>> = {
  heapUsed: { relative: 0.2, absolute: 5 * MB },
  rss: { relative: 0.25, absolute: 20 * MB },
  fds: { relative: 0, absolute: 4 },
  loopDelayP99Ms: { relative: 1, absolute: 20 },
}
export const LOAD_EXCUSE_CORES = 0.3
export const CONTROL_EXCUSE_SHARE = 0.5

/** Traffic: no pattern may deliver nothing for this long after the warm-up… */
export const MAX_STALL_SECONDS = 10
/** …nor deliver, in the last quarter, under this fraction of its second-quarter rate. */
export const MIN_RATE_KEPT = 0.5

export const JUDGED_PROCESSES = ["client", "server"] as const satisfies readonly ProcessName[]

/** What each traffic pattern's delivered count is called in which process's counters. */
export const PATTERNS = [
  { name: "REQ↔REP", process: "client", counter: "reqRoundTrips", messagesEach: 2 },
  { name: "DEALER↔ROUTER", process: "client", counter: "dealerReplies", messagesEach: 2 },
  { name: "PUB→SUB ×3", process: "client", counter: "subReceived", messagesEach: 1 },
  { name: "PUSH→PULL", process: "server", counter: "pullReceived", messagesEach: 1 },
  { name: "churn cycles", process: "client", counter: "churnCycles", messagesEach: 2 + 10 },
] as const

export interface Check {
  readonly name: string
  readonly passed: boolean
  readonly detail: string
}

export interface RunVerdict {
  readonly passed: boolean
  readonly checks: readonly Check[]
  readonly growth: Readonly<Record<string, Readonly<Record<Metric, GrowthVerdict>>>>
}

export function metricValue(sample: TimedSample, metric: Metric): number {
  return sample[metric]
}

/** Per-second rate of a cumulative counter, stamped at the later sample. */
export function rate(samples: readonly TimedSample[], counter: string): { times: number[]; values: number[] } {
  const times: number[] = []
  const values: number[] = []
  for (let i = 1; i < samples.length; i++) {
    const dt = samples[i]!.t - samples[i - 1]!.t
    if (dt <= 0) continue
    times.push(samples[i]!.t)
    values.push(((samples[i]!.counters[counter] ?? 0) - (samples[i - 1]!.counters[counter] ?? 0)) / dt)
  }
  return { times, values }
}

function between(times: readonly number[], values: readonly number[], from: number, to: number): number[] {
  return values.filter((_, index) => times[index]! >= from && times[index]! <= to)
}

function formatGrowth(metric: Metric, verdict: GrowthVerdict): string {
  const [scale, unit] = metric === "heapUsed" || metric === "rss" ? [MB, " MB"] : metric === "fds" ? [1, ""] : [1, " ms"]
  const f = (value: number): string => (value / scale).toFixed(metric === "fds" ? 0 : 1)
  return `${f(verdict.secondQuarterMedian)} → ${f(verdict.lastQuarterMedian)}${unit} (${verdict.growth >= 0 ? "+" : ""}${f(verdict.growth)}, allowed ${f(verdict.allowance)}; second half ${verdict.secondHalfRise >= 0 ? "+" : ""}${f(verdict.secondHalfRise)})`
}

export function judgeRun(record: RunRecord): RunVerdict {
  const checks: Check[] = []
  const growth: Record<string, Record<Metric, GrowthVerdict>> = {}

  // The rest of the machine's CPU, second quarter against last, for the loop-delay excuse.
  const load = record.machineLoad
  const loadTimes = load.map((sample) => sample.t)
  const others = load.map((sample) => sample.busyCores - sample.ourCores)
  const end = record.seconds
  const othersSecond = median(between(loadTimes, others, end * 0.25, end * 0.5))
  const othersLast = median(between(loadTimes, others, end * 0.75, end))
  const machineBusier = othersSecond !== undefined && othersLast !== undefined && othersLast - othersSecond > LOAD_EXCUSE_CORES

  const control = record.processes.runner
  const controlGrowth = judgeGrowth(control.map((sample) => sample.t), control.map((sample) => sample.loopDelayP99Ms), LIMITS.loopDelayP99Ms)

  for (const name of JUDGED_PROCESSES) {
    const samples = record.processes[name]
    const times = samples.map((sample) => sample.t)
    const verdicts = {} as Record<Metric, GrowthVerdict>
    for (const metric of METRICS) {
      const verdict = judgeGrowth(times, samples.map((sample) => metricValue(sample, metric)), LIMITS[metric])
      verdicts[metric] = verdict
      const label = `${name} ${metric}`
      if (!verdict.judged) {
        checks.push({ name: label, passed: false, detail: `too few samples to judge (${samples.length}); run at least 1 minute` })
      } else if (verdict.grows && metric === "loopDelayP99Ms" && controlGrowth.judged && controlGrowth.growth >= verdict.growth * CONTROL_EXCUSE_SHARE) {
        checks.push({ name: label, passed: true, detail: `${formatGrowth(metric, verdict)}: rose, but so did the idle runner's (${controlGrowth.secondQuarterMedian.toFixed(1)} → ${controlGrowth.lastQuarterMedian.toFixed(1)} ms): the machine's load; excused` })
      } else if (verdict.grows && metric === "loopDelayP99Ms" && machineBusier) {
        checks.push({ name: label, passed: true, detail: `${formatGrowth(metric, verdict)}: rose, but so did the rest of the machine's load (${othersSecond!.toFixed(2)} → ${othersLast!.toFixed(2)} cores); excused` })
      } else {
        checks.push({ name: label, passed: !verdict.grows, detail: `${formatGrowth(metric, verdict)}${verdict.grows ? ": grows without bound" : ""}` })
      }
    }
    growth[name] = verdicts
  }

  const warmUpEnd = end * WARM_UP_FRACTION
  for (const pattern of PATTERNS) {
    const { times, values } = rate(record.processes[pattern.process], pattern.counter)
    let stall = 0
    let longest = 0
    for (let i = 0; i < times.length; i++) {
      if (times[i]! < warmUpEnd) continue
      const dt = times[i]! - (times[i - 1] ?? 0)
      stall = values[i] === 0 ? stall + dt : 0
      longest = Math.max(longest, stall)
    }
    const second = median(between(times, values, end * 0.25, end * 0.5)) ?? 0
    const last = median(between(times, values, end * 0.75, end)) ?? 0
    const problems: string[] = []
    if (longest >= MAX_STALL_SECONDS) problems.push(`delivered nothing for ${longest.toFixed(0)} s`)
    if (last < second * MIN_RATE_KEPT || second === 0) problems.push(`slowed to under ${MIN_RATE_KEPT * 100} % of its rate`)
    checks.push({
      name: `${pattern.name} flowing`,
      passed: problems.length === 0,
      detail: `${second.toFixed(0)} → ${last.toFixed(0)}/s (second quarter → last, medians)${problems.length === 0 ? "" : `: ${problems.join(", ")}`}`,
    })
  }

  const { client, server } = record.finals
  for (const [name, final] of [["client", client], ["server", server]] as const) {
    if (final === undefined) checks.push({ name: `${name} finished`, passed: false, detail: "no final report" })
    else {
      checks.push({
        name: `${name} messages checked`,
        passed: final.errors === 0,
        detail: final.errors === 0 ? "every message as sent, in order" : `${final.errors} failures: ${final.errorSamples.join("; ")}`,
      })
    }
  }
  if (client !== undefined && server !== undefined) {
    const timeouts = client.counters["reqTimeouts"] ?? 0
    const restarts = server.counters["repRestarts"] ?? 0
    checks.push({
      name: "REQ timeouts only at REP restarts",
      passed: timeouts <= 2 * (restarts + 1),
      detail: `${timeouts} timeouts, ${restarts} restarts (at most 2 requests are in flight at a restart)`,
    })
    const reconnects = restarts > 0 && (client.counters["subReplaced"] ?? 0) > 0
    checks.push({ name: "reconnects happened", passed: reconnects, detail: `${restarts} REP restarts, ${client.counters["subReplaced"] ?? 0} SUBs replaced, ${client.counters["churnCycles"] ?? 0} churn cycles` })
  }
  for (const incident of record.incidents) checks.push({ name: "run", passed: false, detail: incident })
  return { passed: checks.every((check) => check.passed), checks, growth }
}
