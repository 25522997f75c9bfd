/**
 * `pnpm soak` (`pnpm --filter @zmq-ts/bench soak -- --minutes 2`): a long mixed workload in two processes
 * (server.ts and client.ts, traffic crossing between them over tcp, ipc and, inside the client, inproc),
 * sampled every second — heap, RSS, open fds, event-loop delay, messages — and judged by the growth rule
 * (growth-rule.ts, verdict.ts). Writes `<name>.json` (every sample), `<name>.svg` (the plot) and `<name>.md`
 * (the summary) under results/soak/, prints a line every 10 s and a verdict, and exits 1 on failure.
 *
 * options: --minutes N (default 10; fractions allowed), --out DIR (default apps/bench/results/soak),
 *          --name NAME (default "latest", or "inject-leak"), --inject-leak (the client leaks messages and
 *          sockets on purpose: the run must fail; it proves the rule catches a leak).
 *
 * No GC is forced (no --expose-gc): the heap is what the program sees.
 */
import { spawn, type ChildProcess } from "node:child_process"
import { readdirSync } from "node:fs"
import { join, relative, resolve } from "node:path"
import { createInterface } from "node:readline"
import { setTimeout as sleep } from "node:timers/promises"
import { argv, option } from "../lib/command-line.js"
import { IpcPaths } from "../lib/ipc-paths.js"
import { describeMachine, systemBusyMilliseconds } from "../lib/machine.js"
import { BENCH_DIRECTORY } from "../lib/process.js"
import type { ProcessFinal, ProcessSample, WorkloadOptions } from "./protocol.js"
import type { MachineSample, ProcessName, RunRecord, TimedSample } from "./record.js"
import { SelfSampler } from "./sampler.js"
import { writeResults } from "./results.js"

const PRINT_EVERY_SECONDS = 10
const FINAL_TIMEOUT_MS = 30_000
const MB = 2 ** 20

const minutes = Number(option("--minutes", "10"))
if (!(minutes > 0)) {
  process.stderr.write(`--minutes must be a positive number, got ${option("--minutes")}\n`)
  process.exit(2)
}
const injectLeak = argv.includes("--inject-leak")
const outDirectory = resolve(option("--out", join(BENCH_DIRECTORY, "results", "soak")))
const name = option("--name", injectLeak ? "inject-leak" : "latest")

/** A path to print: relative to where we were started when under it, absolute otherwise. */
const base = process.env["INIT_CWD"] ?? process.cwd() // pnpm runs us in apps/bench; paths read from where it was started
const shown = (path: string): string => (relative(base, path).startsWith("..") ? path : relative(base, path) || ".")
const ipcPaths = new IpcPaths("zmqts-soak")
const workload: WorkloadOptions = { injectLeak, ipcPublisherPath: ipcPaths.next(), ipcChurnPath: ipcPaths.next() }
const incidents: string[] = []
const samples: Record<ProcessName, TimedSample[]> = { client: [], server: [], runner: [] }
const machineLoad: MachineSample[] = []
const finals: { client?: ProcessFinal; server?: ProcessFinal } = {}

let startedAt = 0 // performance.now() when both sides were up
let recording = false
const runTime = (): number => (performance.now() - startedAt) / 1000

function openFds(pid: number | undefined): number {
  try {
    return readdirSync(`/proc/${pid ?? "self"}/fd`).length
  } catch {
    return Number.NaN // not Linux, or the process is gone
  }
}

interface Worker {
  readonly name: "client" | "server"
  readonly child: ChildProcess
  readonly lines: Map<string, Array<(payload: string) => void>>
  exited: boolean
}

/** Starts one workload process; SAMPLE lines go to `samples`, READY and FINAL to whoever waits for them. */
function startWorker(workerName: "client" | "server"): Worker {
  const child = spawn(
    process.execPath,
    ["--conditions=@zmq-ts/source", "--import", "tsx", join(BENCH_DIRECTORY, "src", "soak", `${workerName}.ts`), JSON.stringify(workload)],
    { cwd: BENCH_DIRECTORY, stdio: ["pipe", "pipe", "pipe"] },
  )
  const worker: Worker = { name: workerName, child, lines: new Map(), exited: false }
  child.stdin!.on("error", () => {}) // it may exit before reading
  createInterface({ input: child.stderr! }).on("line", (line) => process.stderr.write(`[${workerName}] ${line}\n`))
  createInterface({ input: child.stdout! }).on("line", (line) => {
    const space = line.indexOf(" ")
    const kind = space < 0 ? line : line.slice(0, space)
    const payload = space < 0 ? "" : line.slice(space + 1)
    if (kind === "SAMPLE") {
      if (!recording) return
      const sample = JSON.parse(payload) as ProcessSample
      samples[workerName].push({ ...sample, t: round(runTime()), fds: openFds(child.pid) })
      return
    }
    const waiter = worker.lines.get(kind)?.shift()
    if (waiter !== undefined) waiter(payload)
  })
  child.on("exit", (code, signal) => {
    worker.exited = true
    if (recording) incidents.push(`the ${workerName} exited (${signal ?? code}) during the run`)
    for (const waiters of worker.lines.values()) for (const waiter of waiters.splice(0)) waiter("")
  })
  return worker
}

/** The payload of the worker's next `kind` line ("" if it exited first), or undefined after `timeoutMs`. */
function expectLine(worker: Worker, kind: string, timeoutMs: number): Promise<string | undefined> {
  if (worker.exited) return Promise.resolve("")
  return new Promise((resolvePromise) => {
    const timer = setTimeout(() => resolvePromise(undefined), timeoutMs)
    const waiters = worker.lines.get(kind) ?? []
    worker.lines.set(kind, waiters)
    waiters.push((payload) => {
      clearTimeout(timer)
      resolvePromise(payload)
    })
  })
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000
}

/** Ends a worker: stdin closed, then up to 10 s to exit, then SIGKILL (by its handle, never by name). */
async function endWorker(worker: Worker): Promise<void> {
  worker.child.stdin!.end()
  for (const deadline = Date.now() + 10_000; !worker.exited && Date.now() < deadline; ) await sleep(50)
  if (!worker.exited) {
    incidents.push(`the ${worker.name} did not exit; killed`)
    worker.child.kill("SIGKILL")
  }
}

function progressLine(): string {
  const last = (processName: ProcessName): TimedSample | undefined => samples[processName][samples[processName].length - 1]
  const describe = (processName: "client" | "server"): string => {
    const sample = last(processName)
    if (sample === undefined) return `${processName} –`
    return `${processName} heap ${(sample.heapUsed / MB).toFixed(1)} MB rss ${(sample.rss / MB).toFixed(0)} MB fds ${sample.fds} p99 ${sample.loopDelayP99Ms.toFixed(1)} ms`
  }
  const client = last("client")?.counters ?? {}
  const server = last("server")?.counters ?? {}
  const messages = 2 * (client["reqRoundTrips"] ?? 0) + 2 * (client["dealerReplies"] ?? 0) + (client["subReceived"] ?? 0) + (server["pullReceived"] ?? 0)
  const errors = (last("client")?.errors ?? 0) + (last("server")?.errors ?? 0)
  return `[soak ${runTime().toFixed(0).padStart(4)} s] ${describe("client")} | ${describe("server")} | ${messages.toLocaleString("en-US")} messages, ${client["churnCycles"] ?? 0} churn, ${server["repRestarts"] ?? 0} restarts, ${errors} errors`
}

const hardTimer = setTimeout(() => {
  process.stderr.write("soak: hard timeout, killing the workload\n")
  server.child.kill("SIGKILL")
  client.child.kill("SIGKILL")
  ipcPaths.removeAll()
  process.exit(1)
}, (minutes * 60 + 120) * 1000)

// Ctrl-C reaches the workload processes too (same process group); the ipc socket files are ours to remove.
process.once("SIGINT", () => {
  ipcPaths.removeAll()
  process.exit(130)
})

const isoStart = new Date().toISOString()
process.stdout.write(`soak: ${minutes} min${injectLeak ? ", --inject-leak (this run must FAIL)" : ""}; results in ${shown(join(outDirectory, name))}.{json,svg,md}\n`)
const server = startWorker("server")
const client = startWorker("client")
const endpoints = await expectLine(server, "READY", 30_000)
if (endpoints === undefined || endpoints === "") incidents.push("the server did not start")
else client.child.stdin!.write(`${endpoints}\n`)
const clientReady = endpoints === undefined || endpoints === "" ? undefined : await expectLine(client, "READY", 30_000)
if (clientReady === undefined) incidents.push("the client did not start")

if (incidents.length === 0) {
  startedAt = performance.now()
  recording = true
  const self = new SelfSampler()
  let busyBefore = systemBusyMilliseconds()
  let lastPrint = 0
  const endAt = startedAt + minutes * 60_000
  for (let tick = 1; performance.now() < endAt && incidents.length === 0; tick++) {
    await sleep(Math.max(0, startedAt + tick * 1000 - performance.now()))
    const t = round(runTime())
    const own = self.take()
    samples.runner.push({ ...own, counters: {}, errors: 0, t, fds: openFds(undefined) })
    const busy = systemBusyMilliseconds()
    if (busy !== undefined && busyBefore !== undefined) {
      const ours = own.cpuMs + (samples.client.at(-1)?.cpuMs ?? 0) + (samples.server.at(-1)?.cpuMs ?? 0)
      machineLoad.push({ t, busyCores: round((busy - busyBefore) / 1000), ourCores: round(ours / 1000) })
    }
    busyBefore = busy
    if (t - lastPrint >= PRINT_EVERY_SECONDS - 0.5) {
      lastPrint = t
      process.stdout.write(`${progressLine()}\n`)
    }
  }
  recording = false
  self.stop()
}
const seconds = Math.max(0, ...samples.client.map((sample) => sample.t))

// Stop: the client first (it reports how many PUSH messages it sent), then the server, which waits for them.
client.child.stdin!.write("stop\n")
const clientFinal = await expectLine(client, "FINAL", FINAL_TIMEOUT_MS)
if (clientFinal) finals.client = JSON.parse(clientFinal) as ProcessFinal
else incidents.push("the client gave no final report")
server.child.stdin!.write(`stop ${finals.client?.counters["pushSent"] ?? ""}\n`)
const serverFinal = await expectLine(server, "FINAL", FINAL_TIMEOUT_MS)
if (serverFinal) finals.server = JSON.parse(serverFinal) as ProcessFinal
else incidents.push("the server gave no final report")
await Promise.all([endWorker(client), endWorker(server)])
ipcPaths.removeAll()
clearTimeout(hardTimer)

const record: RunRecord = {
  format: "zmq-ts soak 1",
  startedAt: isoStart,
  requestedMinutes: minutes,
  seconds,
  injectLeak,
  machine: describeMachine(),
  node: process.version,
  processes: samples,
  machineLoad,
  finals,
  incidents,
}
const verdict = writeResults(record, outDirectory, name)
for (const check of verdict.checks) if (!check.passed) process.stdout.write(`soak: FAILED ${check.name}: ${check.detail}\n`)
const where = shown(join(outDirectory, `${name}.svg`))
process.stdout.write(
  verdict.passed
    ? `soak: PASS — ${(seconds / 60).toFixed(1)} min, ${verdict.checks.length} checks, no metric grows without bound; plot ${where}\n`
    : `soak: FAIL — ${verdict.checks.filter((check) => !check.passed).length} of ${verdict.checks.length} checks failed; plot ${where}\n`,
)
process.exit(verdict.passed ? 0 : 1)
