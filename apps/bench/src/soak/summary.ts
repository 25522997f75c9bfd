/** The soak's short Markdown report: the verdict, each judged metric from start to end, the traffic. */
import { median } from "../lib/stats.js"
import { WARM_UP_FRACTION } from "./growth-rule.js"
import type { RunRecord, TimedSample } from "./record.js"
import { JUDGED_PROCESSES, LIMITS, METRICS, PATTERNS, type Metric, type RunVerdict } from "./verdict.js"

const MB = 2 ** 20
const LABELS: Record<Metric, string> = { heapUsed: "heap (MB)", rss: "RSS (MB)", fds: "open fds", loopDelayP99Ms: "loop delay p99 (ms)" }

function show(metric: Metric, value: number | undefined): string {
  if (value === undefined || !Number.isFinite(value)) return "–"
  if (metric === "heapUsed" || metric === "rss") return (value / MB).toFixed(1)
  return metric === "fds" ? value.toFixed(0) : value.toFixed(1)
}

/** Median of the five samples from `from` seconds on (or the last five when `from` is the end). */
function around(samples: readonly TimedSample[], metric: Metric, from: number | "end"): number | undefined {
  const picked = from === "end" ? samples.slice(-5) : samples.filter((sample) => sample.t >= from).slice(0, 5)
  return median(picked.map((sample) => sample[metric]))
}

function describeLimit(metric: Metric): string {
  const limit = LIMITS[metric]
  const absolute = metric === "heapUsed" || metric === "rss" ? `${limit.absolute / MB} MB` : metric === "fds" ? `${limit.absolute}` : `${limit.absolute} ms`
  return limit.relative === 0 ? `> ${absolute}` : `> ${limit.relative * 100} % and > ${absolute}`
}

export function renderSummary(record: RunRecord, verdict: RunVerdict, plotFile: string): string {
  const warmUpEnd = record.seconds * WARM_UP_FRACTION
  const lines: string[] = []
  lines.push(`# Soak: ${verdict.passed ? "PASS" : "FAIL"}${record.injectLeak ? " (with --inject-leak)" : ""}`, "")
  lines.push(
    `${(record.seconds / 60).toFixed(1)} minutes from ${record.startedAt} on ${record.machine.cpu} (${record.machine.cores} cores, ` +
      `load average ${record.machine.loadAverageAtStart} at the start), Node ${record.node}. Plot: [${plotFile}](${plotFile}).`,
    "",
  )
  const failed = verdict.checks.filter((check) => !check.passed)
  if (failed.length > 0) {
    lines.push("Failed:", "")
    for (const check of failed) lines.push(`- **${check.name}**: ${check.detail}`)
    lines.push("")
  }
  lines.push(
    `Per process: the first sample, the end of the warm-up (${warmUpEnd.toFixed(0)} s) and the end (medians of 5 samples), the medians the`,
    "growth rule compares (second quarter → last quarter), and the growth it allows.",
    "",
    "| process | metric | first | after warm-up | end | 2nd quarter → last | allowed | trend over 2nd half | verdict |",
    "|---|---|---|---|---|---|---|---|---|",
  )
  for (const name of JUDGED_PROCESSES) {
    const samples = record.processes[name]
    for (const metric of METRICS) {
      const growth = verdict.growth[name]?.[metric]
      const check = verdict.checks.find((entry) => entry.name === `${name} ${metric}`)
      lines.push(
        `| ${name} | ${LABELS[metric]} | ${show(metric, samples[0]?.[metric])} | ${show(metric, around(samples, metric, warmUpEnd))} | ${show(metric, around(samples, metric, "end"))} | ` +
          `${show(metric, growth?.secondQuarterMedian)} → ${show(metric, growth?.lastQuarterMedian)} | ${describeLimit(metric)} (${show(metric, growth?.allowance)}) | ` +
          `${growth === undefined ? "–" : `${growth.secondHalfRise >= 0 ? "+" : ""}${show(metric, growth.secondHalfRise)}`} | ${check === undefined ? "–" : check.passed ? (check.detail.includes("excused") ? "excused (machine load)" : "bounded") : "**grows**"} |`,
      )
    }
  }
  const loopMax = (name: "client" | "server"): string => Math.max(...record.processes[name].map((sample) => sample.loopDelayMaxMs)).toFixed(0)
  lines.push("", `Largest event-loop delay in any second: client ${loopMax("client")} ms, server ${loopMax("server")} ms.`, "")

  lines.push("| traffic | delivered | mean per second | check |", "|---|---|---|---|")
  let messages = 0
  for (const pattern of PATTERNS) {
    const samples = record.processes[pattern.process]
    const count = record.finals[pattern.process]?.counters[pattern.counter] ?? samples[samples.length - 1]?.counters[pattern.counter] ?? 0
    messages += count * pattern.messagesEach
    const check = verdict.checks.find((entry) => entry.name === `${pattern.name} flowing`)
    lines.push(`| ${pattern.name} | ${count.toLocaleString("en-US")} | ${(count / Math.max(1, record.seconds)).toFixed(0)} | ${check?.detail ?? "–"} |`)
  }
  lines.push("", `About ${messages.toLocaleString("en-US")} messages in all (a round trip counts 2; a churn cycle 1 request, 1 reply and 10 inproc messages).`, "")
  lines.push("Other checks:", "")
  for (const check of verdict.checks) {
    if (METRICS.some((metric) => check.name.endsWith(` ${metric}`)) || check.name.endsWith(" flowing")) continue
    lines.push(`- ${check.passed ? "ok" : "**FAILED**"} ${check.name}: ${check.detail}`)
  }
  lines.push("")
  return lines.join("\n")
}
