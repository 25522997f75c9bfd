/**
 * The soak's line protocol between the runner (soak.ts) and its two workload processes (server.ts,
 * client.ts). Children write JSON lines on stdout, the runner writes commands on their stdin:
 *
 *   server → `READY {ServerEndpoints}`          runner → client: the same JSON on one line
 *   client → `READY`                             (the run's clock starts)
 *   both   → `SAMPLE {ProcessSample}` every second
 *   runner → client: `stop`;  client → `FINAL {ProcessFinal}` (its counters include `pushSent`)
 *   runner → server: `stop <pushSent>`;  server → `FINAL {ProcessFinal}` once it has them all (or 10 s)
 */
import type { SelfSample } from "./sampler.js"

/** Where the server listens; the tcp ports stay the same across the REP's restarts. */
export interface ServerEndpoints {
  readonly reply: string
  readonly pull: string
  readonly router: string
  readonly publisherTcp: string
  readonly publisherIpc: string
  readonly churnTcp: string
  readonly churnIpc: string
}

/** One second of one process, measured by itself (open fds are counted by the runner, from /proc). */
export interface ProcessSample extends SelfSample {
  /** Cumulative counts since the start (messages, reconnects, restarts, churn cycles). */
  readonly counters: Readonly<Record<string, number>>
  /** Cumulative count of verification failures (wrong reply, sequence gap or reorder, lost message). */
  readonly errors: number
}

export interface ProcessFinal {
  readonly counters: Readonly<Record<string, number>>
  readonly errors: number
  /** The first few failures, in words. */
  readonly errorSamples: readonly string[]
}

/** The options both workload processes get on their command line (JSON in argv[2]). */
export interface WorkloadOptions {
  readonly injectLeak: boolean
  /** ipc socket paths the server binds (the runner removes them). */
  readonly ipcPublisherPath: string
  readonly ipcChurnPath: string
}

export function writeLine(kind: "READY" | "SAMPLE" | "FINAL", payload?: unknown): void {
  process.stdout.write(payload === undefined ? `${kind}\n` : `${kind} ${JSON.stringify(payload)}\n`)
}
