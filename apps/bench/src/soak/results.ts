/** Judges a soak run and writes its three files: `<name>.json` (record and verdict), `.svg`, `.md`. */
import { mkdirSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { renderPlot } from "./plot.js"
import type { RunRecord } from "./record.js"
import { renderSummary } from "./summary.js"
import { judgeRun, type RunVerdict } from "./verdict.js"

export function writeResults(record: RunRecord, directory: string, name: string): RunVerdict {
  const verdict = judgeRun(record)
  mkdirSync(directory, { recursive: true })
  writeFileSync(join(directory, `${name}.json`), `${JSON.stringify({ ...record, verdict: { passed: verdict.passed, checks: verdict.checks } })}\n`)
  writeFileSync(join(directory, `${name}.svg`), renderPlot(record, verdict))
  writeFileSync(join(directory, `${name}.md`), renderSummary(record, verdict, `${name}.svg`))
  return verdict
}
