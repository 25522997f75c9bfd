/** What one soak run keeps: every sample of every process, what the workload counted, and the machine. */
import type { Machine } from "../lib/machine.js"
import type { ProcessFinal, ProcessSample } from "./protocol.js"

export const PROCESS_NAMES = ["client", "server", "runner"] as const
export type ProcessName = (typeof PROCESS_NAMES)[number]

/** A process's own sample, stamped by the runner: run time (s, from when both sides were up) and open fds. */
export interface TimedSample extends ProcessSample {
  readonly t: number
  readonly fds: number
}

/** The whole machine's CPU use over the last second, and the part of it that was the soak's own processes. */
export interface MachineSample {
  readonly t: number
  readonly busyCores: number
  readonly ourCores: number
}

export interface RunRecord {
  readonly format: "zmq-ts soak 1"
  readonly startedAt: string
  readonly requestedMinutes: number
  /** From the first sample to the stop. */
  readonly seconds: number
  readonly injectLeak: boolean
  readonly machine: Machine
  readonly node: string
  readonly processes: Readonly<Record<ProcessName, readonly TimedSample[]>>
  readonly machineLoad: readonly MachineSample[]
  readonly finals: { readonly client?: ProcessFinal; readonly server?: ProcessFinal }
  /** Problems of the run itself (a process that died, a timeout), in words. */
  readonly incidents: readonly string[]
}
