import { writeFileSync } from "node:fs"
import type { Reporter, TestCase, TestModule } from "vitest/node"
import { TABLE_HEADER, tableLine, type FaultRow } from "./table.js"

/**
 * Prints every case's rows (table.ts) as one Markdown table after the run, before the summary reporter's
 * closing line; with FAULTS_TABLE=<file> it also writes the table there (for docs/reliability.md).
 */
export default class FaultTableReporter implements Reporter {
  readonly #rows: FaultRow[] = []

  onTestCaseResult(testCase: TestCase): void {
    this.#rows.push(...(testCase.meta().faultRows ?? []))
  }

  onTestRunEnd(_modules: ReadonlyArray<TestModule>): void {
    if (this.#rows.length === 0) return
    const order = (row: FaultRow): string => `${row.fault}\u0000${row.transport}\u0000${row.peers}`
    const rows = [...this.#rows].sort((a, b) => order(a).localeCompare(order(b)))
    const table = `${TABLE_HEADER}\n${rows.map(tableLine).join("\n")}\n`
    process.stdout.write(`\nNetwork faults (${rows.length} rows):\n${table}`)
    const file = process.env["FAULTS_TABLE"]
    if (file !== undefined && file !== "") writeFileSync(file, table)
  }
}
