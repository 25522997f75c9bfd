/**
 * Runs a short TypeScript program in a child Node process against our sources (as a user's program would
 * run with `@zmq-ts/core`), for the process-lifetime contract: does it exit, when, with what on stderr.
 * `ZMQ` in the program's text is replaced by the path of our entry point.
 */
import { spawn } from "node:child_process"
import { unlinkSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"

const ENTRY = fileURLToPath(new URL("../../src/index.ts", import.meta.url))
/**
 * tsx's loader, given to node itself rather than through the tsx CLI: the CLI runs the program in a second
 * node process, which outlives the CLI when a test kills it (SIGKILL is not forwarded).
 */
const TSX_LOADER = new URL("../../node_modules/tsx/dist/loader.mjs", import.meta.url).href
let scripts = 0

export interface ChildRun {
  /** The exit code, or null when the child was still running at `timeoutMs` (and was killed). */
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
  /** From the start of the program's own code (its first line prints the clock) to its exit. */
  readonly elapsedMs: number
  readonly timedOut: boolean
}

export interface ChildOptions {
  /** Kill the child if it has not exited after this many ms. */
  readonly timeoutMs: number
  /** Lines written to the child's stdin, once it has started. */
  readonly onLine?: (line: string, write: (text: string) => void) => void
}

/** Runs `program` (ES module TypeScript; `ZMQ` stands for our entry's path) and reports how it ended. */
export async function runChild(program: string, options: ChildOptions): Promise<ChildRun> {
  const script = join(tmpdir(), `zmqts-child-${process.pid}-${scripts++}.mts`)
  const source = `process.stdout.write("START " + Date.now() + "\\n")\n${program.replaceAll("ZMQ", JSON.stringify(ENTRY))}`
  writeFileSync(script, source)
  const child = spawn(process.execPath, ["--import", TSX_LOADER, "--conditions=@zmq-ts/source", script], { stdio: ["pipe", "pipe", "pipe"] })
  let stdout = ""
  let stderr = ""
  let started = 0
  let pending = ""
  const write = (text: string): void => void child.stdin.write(text)
  child.stdout.on("data", (chunk: Buffer) => {
    const text = chunk.toString()
    stdout += text
    pending += text
    for (let newline = pending.indexOf("\n"); newline >= 0; newline = pending.indexOf("\n")) {
      const line = pending.slice(0, newline)
      pending = pending.slice(newline + 1)
      if (line.startsWith("START ")) started = Number(line.slice(6))
      else options.onLine?.(line, write)
    }
  })
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()))
  try {
    const outcome = await new Promise<{ code: number | null; timedOut: boolean }>((resolve) => {
      const timer = setTimeout(() => {
        child.kill("SIGKILL")
        resolve({ code: null, timedOut: true })
      }, options.timeoutMs)
      child.once("exit", (code) => {
        clearTimeout(timer)
        resolve({ code, timedOut: false })
      })
    })
    const ended = Date.now()
    return { ...outcome, stdout: stdout.replace(/^START \d+\n/m, ""), stderr, elapsedMs: started === 0 ? Number.NaN : ended - started }
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL")
    unlinkSync(script)
  }
}
