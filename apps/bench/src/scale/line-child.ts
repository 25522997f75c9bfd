/**
 * A child process driven line by line: the runner writes a command, the child answers with one line
 * `<TAG> <rest>`. Started through `bash -c 'ulimit -n <hard limit> && exec …'` so it may hold as many
 * descriptors as the system lets it (10,000 connections; on the client side one eventfd per libzmq socket
 * too), whatever the soft limit; `exec` keeps the pid the child's own, for /proc. Only this child is ever killed, by its handle.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process"
import { createInterface } from "node:readline"
import { BENCH_DIRECTORY } from "../lib/process.js"

export class LineChild {
  readonly #child: ChildProcess
  readonly #name: string
  readonly #lines: string[] = []
  #waiter: (() => void) | undefined
  #exited: string | undefined
  #stderr = ""

  constructor(name: string, command: string, args: readonly string[]) {
    this.#name = name
    this.#child = spawn("bash", ["-c", `ulimit -n "$(ulimit -Hn)" && exec "$0" "$@"`, command, ...args], {
      cwd: BENCH_DIRECTORY,
      stdio: ["pipe", "pipe", "pipe"],
    })
    this.#child.stdin!.on("error", () => {}) // it may exit before reading
    this.#child.stderr!.setEncoding("utf8")
    this.#child.stderr!.on("data", (text: string) => void (this.#stderr = (this.#stderr + text).slice(-4000)))
    createInterface({ input: this.#child.stdout! }).on("line", (line) => {
      this.#lines.push(line)
      this.#wake()
    })
    this.#child.on("exit", (code, signal) => {
      this.#exited = `${signal ?? code}`
      this.#wake()
    })
    this.#child.on("error", (error) => {
      this.#exited = error.message
      this.#wake()
    })
  }

  get pid(): number {
    return this.#child.pid!
  }

  /** The rest of the next line tagged `tag` (lines with other tags before it are an error). */
  async next(tag: string, timeoutMs: number): Promise<string> {
    const deadline = performance.now() + timeoutMs
    for (;;) {
      const line = this.#lines.shift()
      if (line !== undefined) {
        if (line.startsWith(`${tag} `)) return line.slice(tag.length + 1)
        throw new Error(`${this.#name}: expected ${tag}, got: ${line}`)
      }
      if (this.#exited !== undefined) throw new Error(`${this.#name} exited (${this.#exited}) waiting for ${tag}${this.#stderrText()}`)
      const left = deadline - performance.now()
      if (left <= 0) throw new Error(`${this.#name}: no ${tag} within ${timeoutMs} ms${this.#stderrText()}`)
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left)
        this.#waiter = () => {
          clearTimeout(timer)
          resolve()
        }
      })
    }
  }

  /** Writes `command` and returns the JSON of its `tag` answer. */
  async ask<T = Record<string, number>>(command: string, tag: string, timeoutMs = 10_000): Promise<T> {
    this.#child.stdin!.write(`${command}\n`)
    return JSON.parse(await this.next(tag, timeoutMs)) as T
  }

  write(command: string): void {
    this.#child.stdin!.write(`${command}\n`)
  }

  /** Closes stdin (each tool's signal to exit) and waits; SIGKILL after `timeoutMs`. */
  async end(timeoutMs = 10_000): Promise<void> {
    this.#child.stdin!.end()
    if (this.#exited !== undefined) return
    const exited = new Promise<void>((resolve) => this.#child.once("exit", () => resolve()))
    const timer = setTimeout(() => this.#child.kill("SIGKILL"), timeoutMs)
    await exited
    clearTimeout(timer)
  }

  /** The descriptors a child may open: the hard limit, which it raises its soft limit to. */
  static descriptorLimit(): number {
    const result = spawnSync("bash", ["-c", "ulimit -Hn"], { encoding: "utf8" })
    const text = result.stdout.trim()
    return text === "unlimited" ? Number.MAX_SAFE_INTEGER : Number(text)
  }

  /** Kills the child at once (after a failure). */
  kill(): void {
    if (this.#exited === undefined) this.#child.kill("SIGKILL")
  }

  #wake(): void {
    const waiter = this.#waiter
    this.#waiter = undefined
    waiter?.()
  }

  #stderrText(): string {
    return this.#stderr === "" ? "" : `:\n${this.#stderr.trim()}`
  }
}
