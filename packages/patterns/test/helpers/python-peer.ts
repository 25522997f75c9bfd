/**
 * libzmq-side peers for the mixed runs: Python scripts in test/peers/*.py on Debian's python3-zmq (libzmq
 * 4.3.4; `.ci/run` installs it), written from the RFCs (6 PPP, 7 MDP, 8 MMI, 9 TSP, 10 FLP) and the Guide's
 * text. Each prints what it sees as lines on stdout; every process started here is killed (by PID) by
 * `stopPythonPeers()`, which the test files call after each test, pass or fail.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process"
import { fileURLToPath } from "node:url"

export const PYTHON = "/usr/bin/python3"

/** True when python3-zmq is importable (the mixed runs need it; `.ci/run` installs it). */
export const hasPythonZmq = spawnSync(PYTHON, ["-c", "import zmq"]).status === 0

export interface PythonPeer {
  readonly child: ChildProcess
  /** Lines printed on stdout so far. */
  readonly lines: string[]
  /** Everything printed on stderr so far. */
  stderr(): string
  /** Resolves with the first line matching `pattern` (lines already printed count). */
  waitFor(pattern: RegExp, timeout?: number): Promise<string>
  /** Resolves once `count` lines match `pattern`. */
  waitForCount(pattern: RegExp, count: number, timeout?: number): Promise<string[]>
  /** Resolves with the exit code (or the signal's name) once the process has ended. */
  exited(timeout?: number): Promise<number | string>
  /** Writes to the peer's stdin. */
  write(text: string): void
  /** Sends a signal (default SIGKILL: a crash). */
  kill(signal?: NodeJS.Signals): void
}

const running = new Set<ChildProcess>()

/** Starts `test/peers/<script>.py args…` (unbuffered) with `env` added. */
export function startPythonPeer(script: string, args: readonly string[] = [], env: Record<string, string> = {}): PythonPeer {
  const file = fileURLToPath(new URL(`../peers/${script}.py`, import.meta.url))
  const child = spawn(PYTHON, ["-u", file, ...args], { env: { ...process.env, ...env }, stdio: ["pipe", "pipe", "pipe"] })
  running.add(child)
  const lines: string[] = []
  let partial = ""
  let errors = ""
  const watchers = new Set<() => void>()
  child.stdout!.setEncoding("utf8")
  child.stdout!.on("data", (chunk: string) => {
    partial += chunk
    const split = partial.split("\n")
    partial = split.pop() ?? ""
    lines.push(...split)
    for (const watcher of watchers) watcher()
  })
  child.stderr!.setEncoding("utf8")
  child.stderr!.on("data", (chunk: string) => (errors += chunk))
  const exit = new Promise<number | string>((resolve) =>
    child.once("exit", (code, signal) => {
      running.delete(child)
      resolve(code ?? signal ?? "unknown")
      for (const watcher of watchers) watcher()
    }),
  )
  const describe = (): string => `${script}: stdout ${JSON.stringify(lines.slice(-20))}, stderr ${errors.slice(-2000)}`
  const waitUntil = <T>(test: () => T | undefined, timeout: number, what: string): Promise<T> =>
    new Promise((resolve, reject) => {
      const look = (): void => {
        const found = test()
        if (found === undefined) return
        clearTimeout(timer)
        watchers.delete(look)
        resolve(found)
      }
      const timer = setTimeout(() => {
        watchers.delete(look)
        reject(new Error(`${what} not seen within ${timeout} ms; ${describe()}`))
      }, timeout)
      watchers.add(look)
      look()
    })
  return {
    child,
    lines,
    stderr: () => errors,
    waitFor: (pattern, timeout = 10_000) => waitUntil(() => lines.find((line) => pattern.test(line)), timeout, String(pattern)),
    waitForCount: (pattern, count, timeout = 10_000) =>
      waitUntil(
        () => {
          const found = lines.filter((line) => pattern.test(line))
          return found.length >= count ? found : undefined
        },
        timeout,
        `${count} × ${String(pattern)}`,
      ),
    exited: (timeout = 10_000) =>
      Promise.race([exit, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`did not exit within ${timeout} ms; ${describe()}`)), timeout).unref())]),
    write: (text) => void child.stdin!.write(text),
    kill: (signal = "SIGKILL") => void child.kill(signal),
  }
}

/** Kills every peer still running (by PID) and waits until each has exited. */
export async function stopPythonPeers(): Promise<void> {
  const children = [...running]
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve()
          child.once("exit", () => resolve())
          child.kill("SIGKILL")
        }),
    ),
  )
}
