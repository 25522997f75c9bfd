/** What the results were measured on, and how busy the machine was meanwhile. */
import { readFileSync } from "node:fs"
import { cpus, loadavg, release, totalmem, type } from "node:os"

export interface Machine {
  readonly cpu: string
  readonly cores: number
  readonly memoryGiB: number
  readonly node: string
  readonly os: string
  readonly date: string
  /** 1-minute load average when the run started. */
  readonly loadAverageAtStart: number
}

export function describeMachine(): Machine {
  const list = cpus()
  return {
    cpu: list[0]?.model.trim() ?? "unknown",
    cores: list.length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    os: `${type()} ${release()} ${process.arch}`,
    date: new Date().toISOString(),
    loadAverageAtStart: Math.round(loadavg()[0]! * 100) / 100,
  }
}

/** CPU time used by all processes since boot, in ms, from Linux's /proc/stat; undefined elsewhere. */
export function systemBusyMilliseconds(): number | undefined {
  let line: string
  try {
    line = readFileSync("/proc/stat", "utf8").split("\n", 1)[0]!
  } catch {
    return undefined
  }
  // cpu user nice system idle iowait irq softirq steal …, in USER_HZ (100 per second) units.
  const [user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number)
  return (user! + nice! + system! + irq! + softirq! + steal!) * 10
}
