/**
 * The soak's picture, hand-written SVG (no dependency; opens in any browser): one chart per metric over
 * run time, the warm-up shaded grey, the two quarters the growth rule compares tinted, each judged series'
 * quarter medians drawn as short thick lines over them, and the verdict in the title.
 */
import { WARM_UP_FRACTION } from "./growth-rule.js"
import type { RunRecord, TimedSample } from "./record.js"
import { JUDGED_PROCESSES, PATTERNS, rate, type Metric, type RunVerdict } from "./verdict.js"

const WIDTH = 960
const CHART_HEIGHT = 190
const MARGIN = { left: 70, right: 170, top: 28, bottom: 34 }
const HEADER = 64
const COLORS = { client: "#1f77b4", server: "#d62728", runner: "#7f7f7f" } as const
const PATTERN_COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b"]
const MB = 2 ** 20
const CHURN_SCALE = 100

interface Line {
  readonly name: string
  readonly color: string
  readonly times: readonly number[]
  readonly values: readonly number[]
  readonly dashed?: boolean
  /** The growth rule's two medians, drawn over their quarters. */
  readonly medians?: { readonly second: number; readonly last: number }
}

interface Chart {
  readonly title: string
  readonly unit: string
  readonly lines: readonly Line[]
  /** Scale the y axis to this percentile of the values (spikes are drawn clipped at the top), not the max. */
  readonly clipPercentile?: number
}

const escape = (text: string): string => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")

function niceStep(range: number, ticks: number): number {
  const raw = range / ticks
  const power = 10 ** Math.floor(Math.log10(raw))
  for (const factor of [1, 2, 2.5, 5, 10]) if (raw <= factor * power) return factor * power
  return 10 * power
}

function formatTick(value: number): string {
  if (value === 0) return "0"
  if (Math.abs(value) >= 1000) return `${Number((value / 1000).toFixed(1))}k`
  return `${Number(value.toFixed(2))}`
}

function formatTime(seconds: number): string {
  const minutes = Math.floor(seconds / 60)
  const rest = Math.round(seconds % 60)
  return `${minutes}:${String(rest).padStart(2, "0")}`
}

function renderChart(chart: Chart, top: number, seconds: number): string {
  const x0 = MARGIN.left
  const x1 = WIDTH - MARGIN.right
  const y0 = top + MARGIN.top
  const y1 = top + CHART_HEIGHT - MARGIN.bottom
  const all = chart.lines.flatMap((line) => line.values.filter(Number.isFinite))
  const largest = Math.max(1e-9, ...all)
  const medians = chart.lines.flatMap((line) => (line.medians === undefined ? [] : [line.medians.second, line.medians.last]))
  const sorted = [...all].sort((a, b) => a - b)
  const high =
    chart.clipPercentile === undefined
      ? largest
      : Math.max(1e-9, sorted[Math.floor((sorted.length - 1) * chart.clipPercentile)] ?? largest, ...medians.map((value) => value * 2))
  const yStep = niceStep(high, 4)
  const yMax = Math.ceil(high / yStep) * yStep
  const xStep = niceStep(seconds, 8) >= 60 ? Math.ceil(niceStep(seconds, 8) / 60) * 60 : niceStep(seconds, 8)
  const x = (t: number): number => x0 + (Math.max(0, Math.min(seconds, t)) / seconds) * (x1 - x0)
  const y = (v: number): number => y1 - (Math.min(v, yMax) / yMax) * (y1 - y0)
  const parts: string[] = []
  const clipped = largest > yMax ? `\u00a0\u00a0(axis cut at ${formatTick(yMax)}; largest ${Math.round(largest)})` : ""
  parts.push(`<text x="${x0}" y="${top + 18}" font-size="14" font-weight="bold">${escape(chart.title)}<tspan font-weight="normal" font-size="11" fill="#666">${escape(clipped)}</tspan></text>`)
  parts.push(`<rect x="${x(0)}" y="${y0}" width="${x(seconds * WARM_UP_FRACTION) - x(0)}" height="${y1 - y0}" fill="#e6e6e6"/>`)
  parts.push(`<text x="${x(0) + 4}" y="${y0 + 12}" font-size="10" fill="#666">warm-up</text>`)
  for (const [from, to, label] of [[0.25, 0.5, "2nd quarter"], [0.75, 1, "last quarter"]] as const) {
    parts.push(`<rect x="${x(seconds * from)}" y="${y0}" width="${x(seconds * to) - x(seconds * from)}" height="${y1 - y0}" fill="#eef4fb"/>`)
    parts.push(`<text x="${x(seconds * from) + 4}" y="${y0 + 12}" font-size="10" fill="#678">${label}</text>`)
  }
  for (let v = 0; v <= yMax + yStep / 2; v += yStep) {
    parts.push(`<line x1="${x0}" x2="${x1}" y1="${y(v)}" y2="${y(v)}" stroke="#ddd"/>`)
    parts.push(`<text x="${x0 - 6}" y="${y(v) + 4}" font-size="11" text-anchor="end">${formatTick(v)}</text>`)
  }
  for (let t = 0; t <= seconds; t += xStep) {
    parts.push(`<line x1="${x(t)}" x2="${x(t)}" y1="${y1}" y2="${y1 + 4}" stroke="#333"/>`)
    parts.push(`<text x="${x(t)}" y="${y1 + 16}" font-size="11" text-anchor="middle">${formatTime(t)}</text>`)
  }
  parts.push(`<line x1="${x0}" x2="${x1}" y1="${y1}" y2="${y1}" stroke="#333"/><line x1="${x0}" x2="${x0}" y1="${y0}" y2="${y1}" stroke="#333"/>`)
  parts.push(`<text x="${(x0 + x1) / 2}" y="${y1 + 30}" font-size="11" text-anchor="middle" fill="#444">run time (min:s)</text>`)
  parts.push(`<text transform="translate(${x0 - 50} ${(y0 + y1) / 2}) rotate(-90)" font-size="11" text-anchor="middle" fill="#444">${escape(chart.unit)}</text>`)
  chart.lines.forEach((line, index) => {
    const points = line.times
      .map((t, i) => [t, line.values[i]!] as const)
      .filter(([, v]) => Number.isFinite(v))
      .map(([t, v]) => `${x(t).toFixed(1)},${y(v).toFixed(1)}`)
    if (points.length > 0) {
      parts.push(`<polyline fill="none" stroke="${line.color}" stroke-width="1.2"${line.dashed === true ? ' stroke-dasharray="4 3"' : ""} points="${points.join(" ")}"/>`)
    }
    if (line.medians !== undefined) {
      for (const [from, to, value] of [[0.25, 0.5, line.medians.second], [0.75, 1, line.medians.last]] as const) {
        if (Number.isFinite(value)) parts.push(`<line x1="${x(seconds * from)}" x2="${x(seconds * to)}" y1="${y(value)}" y2="${y(value)}" stroke="${line.color}" stroke-width="3" opacity="0.6"/>`)
      }
    }
    const legendY = y0 + 6 + index * 16
    parts.push(`<line x1="${x1 + 12}" x2="${x1 + 30}" y1="${legendY}" y2="${legendY}" stroke="${line.color}" stroke-width="2"${line.dashed === true ? ' stroke-dasharray="4 3"' : ""}/>`)
    parts.push(`<text x="${x1 + 34}" y="${legendY + 4}" font-size="11">${escape(line.name)}</text>`)
  })
  return parts.join("\n")
}

function processLines(record: RunRecord, verdict: RunVerdict, metric: Metric, scale: number, withRunner: boolean): Line[] {
  const names = withRunner ? ([...JUDGED_PROCESSES, "runner"] as const) : JUDGED_PROCESSES
  return names.map((name) => {
    const samples: readonly TimedSample[] = record.processes[name]
    const judged = verdict.growth[name]?.[metric]
    return {
      name: name === "runner" ? "runner (idle, control)" : name,
      color: COLORS[name],
      dashed: name === "runner",
      times: samples.map((sample) => sample.t),
      values: samples.map((sample) => sample[metric] / scale),
      ...(judged === undefined ? {} : { medians: { second: judged.secondQuarterMedian / scale, last: judged.lastQuarterMedian / scale } }),
    }
  })
}

export function renderPlot(record: RunRecord, verdict: RunVerdict): string {
  const seconds = Math.max(1, record.seconds)
  // Churn runs a few cycles a second: scaled up so its line is not lost along the axis.
  const patternLines: Line[] = PATTERNS.map((pattern, index) => {
    const { times, values } = rate(record.processes[pattern.process], pattern.counter)
    const scale = pattern.counter === "churnCycles" ? CHURN_SCALE : 1
    return {
      name: scale === 1 ? pattern.name : `${pattern.name} ×${scale}`,
      color: PATTERN_COLORS[index % PATTERN_COLORS.length]!,
      times,
      values: values.map((value) => value * scale),
    }
  })
  const load = record.machineLoad
  const charts: Chart[] = [
    { title: "Heap used (process.memoryUsage().heapUsed)", unit: "MB", lines: processLines(record, verdict, "heapUsed", MB, false) },
    { title: "Resident set size (RSS)", unit: "MB", lines: processLines(record, verdict, "rss", MB, false) },
    { title: "Open file descriptors (/proc/<pid>/fd)", unit: "fds", lines: processLines(record, verdict, "fds", 1, false) },
    { title: "Event-loop delay, p99 of each second (monitorEventLoopDelay)", unit: "ms", lines: processLines(record, verdict, "loopDelayP99Ms", 1, true), clipPercentile: 0.98 },
    { title: "Delivered per second (round trips for REQ↔REP and DEALER↔ROUTER; churn: cycles)", unit: "per second", lines: patternLines },
    {
      title: "CPU: the soak's three processes and the rest of the machine",
      unit: "cores",
      lines: [
        { name: "soak processes", color: "#1f77b4", times: load.map((s) => s.t), values: load.map((s) => s.ourCores) },
        { name: "rest of machine", color: "#7f7f7f", dashed: true, times: load.map((s) => s.t), values: load.map((s) => Math.max(0, s.busyCores - s.ourCores)) },
      ],
    },
  ]
  const height = HEADER + charts.length * CHART_HEIGHT
  const failed = verdict.checks.filter((check) => !check.passed).map((check) => check.name)
  const title = `zmq-ts soak: ${verdict.passed ? "PASS" : "FAIL"}, ${(record.seconds / 60).toFixed(1)} min${record.injectLeak ? " with --inject-leak" : ""}`
  const subtitle = verdict.passed ? `no metric grows without bound; ${record.startedAt}, ${record.machine.cpu}, ${record.machine.cores} cores, Node ${record.node}` : `failed: ${failed.join(", ")}`
  const body = charts.map((chart, index) => renderChart(chart, HEADER + index * CHART_HEIGHT, seconds)).join("\n")
  return `<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif">
<rect width="100%" height="100%" fill="white"/>
<text x="${MARGIN.left}" y="26" font-size="18" font-weight="bold" fill="${verdict.passed ? "#2a7a2a" : "#b00020"}">${escape(title)}</text>
<text x="${MARGIN.left}" y="46" font-size="12" fill="#444">${escape(subtitle)}</text>
${body}
</svg>
`
}
