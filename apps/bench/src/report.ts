/**
 * Summaries (medians, per-round ratios, targets) and their renderings: a plain table for stdout, Markdown
 * for bench/results/latest.md and the README, JSON for bench/results/latest.json.
 */
import { IMPLEMENTATIONS, type BenchCase, type Implementation, type Sample, type Target } from "./cases.js"
import type { Machine } from "./lib/machine.js"
import { median, range } from "./lib/stats.js"

/** Other processes using more CPU than this (in cores) during a case get it flagged. */
export const DISTURBED_CORES = 0.25

export interface CaseRun {
  readonly benchCase: BenchCase
  /** Per implementation, one entry per round (null: that run failed). */
  readonly samples: Map<Implementation, Array<Sample | null>>
  readonly errors: string[]
}

export interface Ratio {
  readonly median: number
  readonly min: number
  readonly max: number
  readonly rounds: Array<number | null>
}

export interface TargetResult {
  readonly against: Implementation | "absolute" | "case"
  /** against "case": the other case's id. */
  readonly case?: string
  readonly op: ">=" | "<="
  readonly value: number
  readonly measured: number | null
  readonly met: boolean | null
}

export type Status = "met" | "not met" | "not measured"

export interface OwnRatio {
  readonly case: string
  readonly ratio: number | null
}

/** zmq-ts's median in each case run so far (null: every zmq-ts run of it failed), by case id. */
export type OwnMedians = ReadonlyMap<string, number | null>

export interface CaseSummary {
  readonly id: string
  readonly title: string
  readonly kind: string
  readonly transport: string
  readonly size: number
  readonly subscribers?: number
  readonly threads?: number
  readonly curve?: boolean
  readonly unit: string
  readonly implementations: Partial<Record<Implementation, { median: number | null; rounds: Array<number | null>; details: Array<Record<string, number> | null> }>>
  /** zmq-ts ÷ each other implementation, round by round (for latency a ratio of times: lower is better). */
  readonly ratios: Partial<Record<Implementation, Ratio>>
  /**
   * zmq-ts's median here ÷ zmq-ts's median in another case of the same run, for the cases this one's
   * targets name and its informational baseline (issue 18); null when that case was not run or failed.
   */
  readonly own: OwnRatio[]
  readonly target: string
  readonly targets: TargetResult[]
  readonly status: Status | null
  /** Most CPU other processes used during one of this case's runs, in cores. */
  readonly otherCoresMax: number | null
  readonly errors: string[]
}

export interface Report {
  readonly machine: Machine
  readonly mode: "short" | "full"
  readonly rounds: number
  readonly durationSeconds: number
  readonly libzmq: { version: string } | { skipped: string }
  readonly zeromqJs: string
  readonly notes: string[]
  readonly cases: CaseSummary[]
}

const UNITS = {
  throughput: "msgs/s",
  pubsub: "msgs/s (all subscribers)",
  inproc: "msgs/s",
  latency: "µs per round trip",
  memory: "× payload",
  handshake: "handshakes per second of the server process's CPU time",
} as const

export function summarize(run: CaseRun, ownMedians: OwnMedians = new Map()): CaseSummary {
  const { benchCase, samples } = run
  const implementations: CaseSummary["implementations"] = {}
  let otherCoresMax: number | null = null
  for (const [implementation, rounds] of samples) {
    const values = rounds.map((sample) => sample?.value ?? null)
    implementations[implementation] = {
      median: median(values.filter(isNumber)) ?? null,
      rounds: values,
      details: rounds.map((sample) => sample?.detail ?? null),
    }
    for (const sample of rounds) {
      if (sample?.otherCores !== undefined) otherCoresMax = Math.max(otherCoresMax ?? 0, sample.otherCores)
    }
  }
  const ours = samples.get("zmq-ts") ?? []
  const ratios: CaseSummary["ratios"] = {}
  for (const [implementation, rounds] of samples) {
    if (implementation === "zmq-ts") continue
    const perRound = rounds.map((sample, i) => {
      const mine = ours[i]
      return sample == null || mine == null ? null : mine.value / sample.value
    })
    const values = perRound.filter(isNumber)
    const bounds = range(values)
    if (bounds !== undefined) ratios[implementation] = { median: median(values)!, ...bounds, rounds: perRound }
  }
  const ourMedian = implementations["zmq-ts"]?.median ?? null
  const ownCases = new Set(benchCase.targets.flatMap((target) => (target.against === "case" ? [target.case] : [])))
  if (benchCase.ownBaseline !== undefined) ownCases.add(benchCase.ownBaseline)
  const own = [...ownCases].map((id): OwnRatio => {
    const theirs = ownMedians.get(id) ?? null
    return { case: id, ratio: ourMedian === null || theirs === null ? null : ourMedian / theirs }
  })
  const targets = benchCase.targets.map((target) => evaluate(target, ourMedian, ratios, own))
  const status: Status | null =
    targets.length === 0
      ? null
      : targets.some((target) => target.met === false)
        ? "not met"
        : targets.every((target) => target.met === true)
          ? "met"
          : "not measured"
  return {
    id: benchCase.id,
    title: benchCase.title,
    kind: benchCase.kind,
    transport: benchCase.transport,
    size: benchCase.size,
    ...(benchCase.subscribers === undefined ? {} : { subscribers: benchCase.subscribers }),
    ...(benchCase.threads === undefined ? {} : { threads: benchCase.threads }),
    ...(benchCase.curve === undefined ? {} : { curve: benchCase.curve }),
    unit: UNITS[benchCase.kind],
    implementations,
    ratios,
    own,
    target: benchCase.targetText,
    targets,
    status,
    otherCoresMax: otherCoresMax === null ? null : round(otherCoresMax, 2),
    errors: run.errors,
  }
}

function evaluate(target: Target, ourMedian: number | null, ratios: CaseSummary["ratios"], own: readonly OwnRatio[]): TargetResult {
  const measured =
    target.against === "absolute"
      ? ourMedian
      : target.against === "case"
        ? (own.find((entry) => entry.case === target.case)?.ratio ?? null)
        : (ratios[target.against]?.median ?? null)
  const met = measured === null ? null : target.op === ">=" ? measured >= target.value : measured <= target.value
  return { against: target.against, ...(target.against === "case" ? { case: target.case } : {}), op: target.op, value: target.value, measured, met }
}

// ── rendering ──────────────────────────────────────────────────────────────────────────────────────────

const COLUMNS = ["case", ...IMPLEMENTATIONS.map((name) => (name === "net" ? "net ceiling" : name)), "÷ libzmq C", "÷ zeromq.js", "÷ net", "÷ own row", "target", "status"]

function rows(report: Report): string[][] {
  return report.cases.map((summary) => {
    const disturbed = (summary.otherCoresMax ?? 0) > DISTURBED_CORES ? " †" : ""
    const cells = [summary.title + disturbed]
    for (const implementation of IMPLEMENTATIONS) {
      const entry = summary.implementations[implementation]
      cells.push(entry === undefined ? "" : entry.median === null ? "failed" : formatValue(summary, entry.median, entry.details))
    }
    for (const against of ["libzmq C", "zeromq.js", "net"] as const) {
      const ratio = summary.ratios[against]
      cells.push(ratio === undefined ? "" : formatRatio(ratio))
    }
    // zmq-ts ÷ zmq-ts in the named case (medians of the same run): "1.04× req-rep-tcp-64".
    cells.push(summary.own.map((entry) => (entry.ratio === null ? `not measured (${entry.case})` : `${entry.ratio.toFixed(2)}× ${entry.case}`)).join(", "))
    cells.push(summary.target)
    cells.push(summary.status === null ? "" : summary.status === "met" ? "met" : summary.status === "not met" ? "NOT MET" : "not measured")
    return cells
  })
}

export function formatValue(summary: Pick<CaseSummary, "kind" | "size" | "curve">, value: number, details?: Array<Record<string, number> | null>): string {
  switch (summary.kind) {
    case "handshake": {
      // Per core (server CPU time), with the server's CPU time per handshake and the wall-clock rate.
      const cpuMs = median(detailValues(details, "serverCpuMsPerHandshake"))
      const wall = median(detailValues(details, "wallRate"))
      const extra = [cpuMs === undefined ? "" : `${cpuMs.toFixed(2)} ms CPU`, wall === undefined ? "" : `${rateText(wall)} wall`].filter((text) => text !== "")
      return extra.length === 0 ? rateText(value) : `${rateText(value)} (${extra.join(", ")})`
    }
    case "throughput":
      // Bytes per second where they say more than messages do: large messages, and CURVE at every size.
      return summary.size >= 1024 || summary.curve === true ? `${rateText(value)} (${megabytes(value * summary.size)})` : rateText(value)
    case "latency":
      return `${value.toFixed(1)} µs`
    case "memory": {
      const detail = details?.find((entry) => entry !== null)
      return detail === undefined ? `${value.toFixed(2)}×` : `${value.toFixed(2)}× (${mb(detail["totalBytes"]!)} for ${mb(detail["payloadBytes"]!)})`
    }
    default:
      return rateText(value)
  }
}

function rateText(value: number): string {
  return value >= 1e6 ? `${(value / 1e6).toFixed(2)} M/s` : value >= 1e3 ? `${(value / 1e3).toFixed(value >= 1e4 ? 1 : 2)} k/s` : `${value.toFixed(0)}/s`
}

function megabytes(bytesPerSecond: number): string {
  const value = bytesPerSecond / 1e6
  return `${value >= 100 ? value.toFixed(0) : value.toFixed(1)} MB/s`
}

function detailValues(details: Array<Record<string, number> | null> | undefined, key: string): number[] {
  return (details ?? []).flatMap((detail) => (detail === null || detail[key] === undefined ? [] : [detail[key]!]))
}

function formatRatio(ratio: Ratio): string {
  const digits = ratio.median >= 10 ? 1 : 2
  return `${ratio.median.toFixed(digits)}× (${ratio.min.toFixed(digits)}–${ratio.max.toFixed(digits)})`
}

function mb(bytes: number): string {
  return `${(bytes / 1e6).toFixed(0)} MB`
}

export function machineLine(report: Report): string {
  const m = report.machine
  const libzmq = "version" in report.libzmq ? `libzmq ${report.libzmq.version}` : "libzmq C skipped"
  return `${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, Node ${m.node}, ${m.os}; ${libzmq}, zeromq.js ${report.zeromqJs}; ${m.date.slice(0, 16).replace("T", " ")} UTC`
}

export function renderText(report: Report): string {
  const table = [COLUMNS, ...rows(report)]
  const widths = COLUMNS.map((_, i) => Math.max(...table.map((row) => row[i]!.length)))
  const line = (row: string[]): string =>
    row
      .map((cell, i) => cell.padEnd(widths[i]!))
      .join("  ")
      .trimEnd()
  const out = [machineLine(report), `${report.mode} run, ${report.rounds} interleaved rounds, medians; ratios are zmq-ts ÷ the column (median of per-round ratios, min–max)`, ""]
  out.push(line(table[0]!), widths.map((width) => "-".repeat(width)).join("  "))
  for (const row of table.slice(1)) out.push(line(row))
  out.push("", ...footnotes(report))
  return out.join("\n")
}

export function renderMarkdown(report: Report): string {
  const table = [COLUMNS, ...rows(report)]
  const out = [
    `**Machine:** ${machineLine(report)}  `,
    `**Run:** \`pnpm bench${report.mode === "full" ? " -- --full" : ""}\`, ${report.rounds} interleaved rounds, ${Math.round(report.durationSeconds)} s; medians. ` +
      "Ratios are zmq-ts ÷ the column: the median of the per-round ratios, (min–max) over rounds. For throughput higher is better; " +
      "for round trips (REQ↔REP, DEALER↔ROUTER, PUB/SUB) they are ratios of round-trip times, lower is better. " +
      "÷ own row: zmq-ts here ÷ zmq-ts in the named case of this run (medians).",
    "",
    `| ${table[0]!.join(" | ")} |`,
    `| ${table[0]!.map((_, i) => (i === 0 || i >= table[0]!.length - 2 ? "---" : "---:")).join(" | ")} |`,
    ...table.slice(1).map((row) => `| ${row.map((cell) => cell.replaceAll("|", "\\|")).join(" | ")} |`),
    "",
    ...footnotes(report).map((note) => `${note}  `),
  ]
  return out.join("\n").trimEnd() + "\n"
}

function footnotes(report: Report): string[] {
  const out: string[] = []
  const disturbed = report.cases.filter((summary) => (summary.otherCoresMax ?? 0) > DISTURBED_CORES)
  if (disturbed.length > 0) {
    const worst = Math.max(...disturbed.map((summary) => summary.otherCoresMax!))
    out.push(`† other processes used more than ${DISTURBED_CORES} cores during some runs of the case (up to ${worst.toFixed(2)} cores): absolute numbers are low, ratios of the same round less affected.`)
  }
  const pubsub = report.cases.filter((summary) => summary.kind === "pubsub")
  if (pubsub.length > 0) {
    const shares = pubsub.map((summary) => {
      const cells = IMPLEMENTATIONS.flatMap((implementation) => {
        const details = summary.implementations[implementation]?.details.filter((detail) => detail !== null) ?? []
        const share = median(details.map((detail) => detail!["deliveredShare"]!).filter((value) => value !== undefined))
        return share === undefined ? [] : [`${implementation} ${(share * 100).toFixed(0)} %`]
      })
      return `${summary.title}: ${cells.join(", ")}`
    })
    out.push(`PUB drops at the high-water mark; share of published messages delivered (median): ${shares.join("; ")}.`)
  }
  for (const summary of report.cases.filter((entry) => entry.kind === "handshake")) {
    const cells = IMPLEMENTATIONS.flatMap((implementation) => {
      const details = summary.implementations[implementation]?.details
      const server = median(detailValues(details, "serverCpuMsPerHandshake"))
      const client = median(detailValues(details, "clientCpuMsPerHandshake"))
      const cores = median(detailValues(details, "serverCores"))
      if (server === undefined || client === undefined || cores === undefined) return []
      return [`${implementation} ${server.toFixed(2)} ms server + ${client.toFixed(2)} ms client (server ${cores.toFixed(2)} cores busy)`]
    })
    if (cells.length > 0) {
      out.push(
        `${summary.title}: one connection, CURVE handshake and round trip each, server and clients in two processes; ` +
          `the rate is per second of the server process's CPU time; CPU per handshake (median): ${cells.join("; ")}.`,
      )
    }
  }
  for (const summary of report.cases) {
    for (const error of summary.errors) out.push(`${summary.title}: ${error}`)
  }
  out.push(...report.notes)
  return out
}

function isNumber(value: number | null): value is number {
  return value !== null
}

function round(value: number, digits: number): number {
  const factor = 10 ** digits
  return Math.round(value * factor) / factor
}
