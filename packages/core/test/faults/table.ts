/**
 * One row of the fault table per case and configuration: printed as the case runs, and attached to the
 * test's meta so table-reporter.ts prints the whole table after every file has run.
 */
import type { TestContext } from "vitest"

export interface FaultRow {
  readonly fault: string
  readonly transport: string
  /** "client → server", e.g. "zmq-ts → libzmq". */
  readonly peers: string
  readonly mustHold: string
  readonly measured: string
  /** "ok", or why it did not hold (the test fails too). */
  readonly verdict: string
}

declare module "vitest" {
  interface TaskMeta {
    faultRows?: FaultRow[]
  }
}

export function recordRow(context: TestContext, row: FaultRow): void {
  process.stdout.write(`FAULT | ${row.fault} | ${row.transport} | ${row.peers} | ${row.mustHold} | ${row.measured} | ${row.verdict}\n`)
  ;(context.task.meta.faultRows ??= []).push(row)
}

export const TABLE_HEADER = "| fault | transport | peers (client → server) | must hold | measured | verdict |\n| --- | --- | --- | --- | --- | --- |"

export function tableLine(row: FaultRow): string {
  const cell = (text: string): string => text.replaceAll("|", "\\|")
  return `| ${cell(row.fault)} | ${cell(row.transport)} | ${cell(row.peers)} | ${cell(row.mustHold)} | ${cell(row.measured)} | ${cell(row.verdict)} |`
}
