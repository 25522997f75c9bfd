/**
 * A libzmq peer in Python (Debian's python3-zmq, libzmq 4.3.4; `.ci/run` installs it): a fixture script
 * spawned per test that reports what it sees as lines ("PREFIX value") on stdout and may read commands on
 * stdin. Every child is killed after the test that spawned it, pass or fail.
 */
import { spawn, spawnSync } from "node:child_process"
import { afterThisTest } from "./cleanup.js"

export const PYTHON = "/usr/bin/python3"

/** True when `/usr/bin/python3 -c code` exits 0 (e.g. "import zmq; assert zmq.has('curve')"). */
export function pythonPasses(code: string): boolean {
  return spawnSync(PYTHON, ["-c", code]).status === 0
}

export interface PythonPeer {
  /** The rest of the next line that is `prefix` or starts with `prefix `; rejects after 8 s with what it saw. */
  line(prefix: string): Promise<string>
  /** Writes to the peer's stdin. */
  write(text: string): void
}

/** Spawns `python3 ...args` with `env` added; `name` labels its errors. */
export function pythonPeer(args: readonly string[], env: Record<string, string> = {}, name = args.slice(1).join(" ")): PythonPeer {
  const child = spawn(PYTHON, [...args], { env: { ...process.env, ...env } })
  afterThisTest(() => child.kill("SIGKILL"))
  const lines: string[] = []
  const waiters: Array<() => void> = []
  let pending = ""
  let stderr = ""
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()))
  child.stdout.on("data", (chunk: Buffer) => {
    pending += chunk.toString()
    for (let newline = pending.indexOf("\n"); newline >= 0; newline = pending.indexOf("\n")) {
      lines.push(pending.slice(0, newline))
      pending = pending.slice(newline + 1)
    }
    for (const waiter of waiters.splice(0)) waiter()
  })
  return {
    line: (prefix) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`python peer ${name}: no "${prefix}" line within 8 s; stdout ${JSON.stringify(lines)}, stderr ${stderr}`)), 8000)
        const look = (): void => {
          const index = lines.findIndex((line) => line.startsWith(`${prefix} `) || line === prefix)
          if (index < 0) {
            waiters.push(look)
            return
          }
          clearTimeout(timer)
          resolve(lines.splice(index, 1)[0]!.slice(prefix.length + 1))
        }
        look()
      }),
    write: (text) => void child.stdin.write(text),
  }
}
