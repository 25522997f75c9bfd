/**
 * The runtime suite's own tiny test runner: vitest does not run on Deno, and one file that runs unchanged on
 * Bun, Deno and Node is worth more than each runtime's own test runner (decision 0015). Tests run one at a
 * time; each gets a timeout and a cleanup list that runs whether it passed or not. The last line printed is
 * "<runtime>: N passed, N failed", and the process exits 1 on any failure.
 */
import { spawn, type ChildProcess } from "node:child_process"

interface Closable {
  close(): void
}

/** What a test gets: a place to register cleanups (sockets, children, workers), run after it in reverse. */
export interface Scope {
  /** Closes `socket` after the test; returns it. */
  track<T extends Closable>(socket: T): T
  /** Runs `cleanup` after the test, pass or fail. */
  defer(cleanup: () => unknown): void
}

type Runtime = "bun" | "deno" | "node"

interface Case {
  readonly name: string
  readonly body: (scope: Scope) => Promise<void>
  readonly timeoutMs: number
  /** Runtimes where this case is a recorded gap (decision 0015): skipped there, with the reason printed. */
  readonly knownGap: Partial<Record<Runtime, string>>
}

const cases: Case[] = []

/**
 * Registers a test; `timeoutMs` (default 10 s) fails it if it has not finished by then. `knownGap` names the
 * runtimes where it is a recorded gap: it is skipped there and counted as skipped, so a gap stays visible
 * in the output and the case keeps guarding the other runtimes. ZMQ_TS_RUN_GAPS=1 runs them anyway (to check a fix).
 */
export function test(name: string, body: (scope: Scope) => Promise<void>, timeoutMs = 10_000, knownGap: Case["knownGap"] = {}): void {
  cases.push({ name, body, timeoutMs, knownGap })
}

/** Which runtime runs this file: the globals Bun and Deno define, else Node. */
export const runtime: Runtime = (() => {
  const scope = globalThis as { Bun?: unknown; Deno?: unknown }
  if (scope.Bun !== undefined) return "bun"
  if (scope.Deno !== undefined) return "deno"
  return "node"
})()

/** Deno's permissions for the suite and for the processes it spawns (`deno run <these> file`). */
export const DENO_PERMISSIONS = ["--allow-net", "--allow-read", "--allow-write", "--allow-env", "--allow-run"]

/** Starts `file` (TypeScript) on the runtime running this suite, as a user would: `bun file`, `deno run … file`. */
export function spawnOnRuntime(file: string, env: Record<string, string> = {}): ChildProcess {
  const args = runtime === "deno" ? ["run", ...DENO_PERMISSIONS, file] : runtime === "bun" ? [file] : ["--import", "tsx", file]
  return spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] })
}

export class AssertionError extends Error {}

/** Fails the test with `message` unless `condition` holds. */
export function check(condition: boolean, message: string): asserts condition {
  if (!condition) throw new AssertionError(message)
}

/** Fails unless `actual` and `expected` have the same JSON form. */
export function equal(actual: unknown, expected: unknown, what: string): void {
  const a = JSON.stringify(actual)
  const e = JSON.stringify(expected)
  if (a !== e) throw new AssertionError(`${what}: expected ${e}, got ${a}`)
}

/** Rejects with `what` if `promise` has not settled within `ms`. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new AssertionError(`timed out after ${ms} ms: ${what}`)), ms)
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}

/** Calls `attempt` every `everyMs` until `done` settles (a subscription or join takes a round trip to land). */
export async function repeatUntil<T>(done: Promise<T>, attempt: () => Promise<unknown>, what: string, everyMs = 10, ms = 5000): Promise<T> {
  let settled = false
  void done.then(
    () => (settled = true),
    () => (settled = true),
  )
  const deadline = Date.now() + ms
  while (!settled) {
    if (Date.now() > deadline) throw new AssertionError(`timed out after ${ms} ms: ${what}`)
    await attempt()
    await new Promise((resolve) => setTimeout(resolve, everyMs))
  }
  return done
}

/** The lines a child prints on stdout, and a way to wait for one that starts with `prefix`. */
export function linesOf(child: ChildProcess, name: string): { next(prefix: string, ms?: number): Promise<string>; stderr(): string } {
  const lines: string[] = []
  const waiters: Array<() => void> = []
  let pending = ""
  let stderr = ""
  child.stderr?.on("data", (chunk: Uint8Array) => (stderr += new TextDecoder().decode(chunk)))
  child.stdout?.on("data", (chunk: Uint8Array) => {
    pending += new TextDecoder().decode(chunk)
    for (let newline = pending.indexOf("\n"); newline >= 0; newline = pending.indexOf("\n")) {
      lines.push(pending.slice(0, newline))
      pending = pending.slice(newline + 1)
    }
    for (const waiter of waiters.splice(0)) waiter()
  })
  return {
    next: (prefix, ms = 8000) =>
      within(
        new Promise<string>((resolve) => {
          const look = (): void => {
            const index = lines.findIndex((line) => line.startsWith(prefix))
            if (index < 0) waiters.push(look)
            else resolve(lines.splice(index, 1)[0]!)
          }
          look()
        }),
        ms,
        `${name}: a line starting "${prefix}" (stdout so far ${JSON.stringify(lines)}, stderr ${JSON.stringify(stderr)})`,
      ),
    stderr: () => stderr,
  }
}

/** Resolves with the child's exit code (or its signal's name). */
export function exitOf(child: ChildProcess): Promise<number | string> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode)
  return new Promise((resolve) => child.once("exit", (code, signal) => resolve(code ?? signal ?? "unknown")))
}

/** Runs every registered test in order, prints one line each and the summary, and exits 1 on any failure. */
export async function runAll(deadlineMs = 240_000): Promise<never> {
  const started = Date.now()
  let passed = 0
  let failed = 0
  let skipped = 0
  const finish = (): never => {
    const gaps = skipped > 0 ? `, ${skipped} skipped (known gaps)` : ""
    console.log(`${runtime}: ${passed} passed, ${failed} failed${gaps} (${((Date.now() - started) / 1000).toFixed(1)} s)`)
    process.exit(failed > 0 ? 1 : 0)
  }
  // A test that hangs past its own timeout (a cleanup that never returns) must not hang CI.
  const watchdog = setTimeout(() => {
    console.log(`FAIL the whole suite: still running after ${deadlineMs / 1000} s`)
    failed++
    finish()
  }, deadlineMs)
  for (const { name, body, timeoutMs, knownGap } of cases) {
    const gap = knownGap[runtime]
    if (gap !== undefined && process.env["ZMQ_TS_RUN_GAPS"] !== "1") {
      skipped++
      console.log(`skip ${name}\n     known gap on ${runtime}: ${gap}`)
      continue
    }
    const cleanups: Array<() => unknown> = []
    const scope: Scope = {
      track: (socket) => {
        cleanups.push(() => socket.close())
        return socket
      },
      defer: (cleanup) => void cleanups.push(cleanup),
    }
    const t0 = Date.now()
    let error: unknown
    try {
      await within(body(scope), timeoutMs, name)
    } catch (caught) {
      error = caught
    }
    for (const cleanup of cleanups.reverse()) {
      try {
        await cleanup()
      } catch (caught) {
        error ??= caught
      }
    }
    const ms = Date.now() - t0
    if (error === undefined) {
      passed++
      console.log(`ok   ${name} (${ms} ms)`)
    } else {
      failed++
      const text = error instanceof Error ? (error instanceof AssertionError ? error.message : (error.stack ?? error.message)) : String(error)
      console.log(`FAIL ${name} (${ms} ms)\n     ${text.split("\n").join("\n     ")}`)
    }
  }
  clearTimeout(watchdog)
  return finish()
}
