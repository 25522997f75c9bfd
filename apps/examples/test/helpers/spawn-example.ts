import { spawn, type ChildProcess } from "node:child_process"
import { fileURLToPath } from "node:url"
import { catalog, exampleCommand } from "../../src/catalog.js"

/**
 * Runs Guide examples as separate processes, exactly as a reader would (`pnpm example <name>` runs the same
 * file), and watches their output. Every process started here is killed by `stopAll()`, by PID.
 */
export interface RunningExample {
  readonly name: string
  readonly child: ChildProcess
  /** Lines printed on stdout so far. */
  readonly lines: string[]
  /** Everything printed on stderr so far. */
  stderr(): string
  /** Resolves with the first line matching `pattern` (searching lines already printed too). */
  waitFor(pattern: RegExp, timeout?: number): Promise<string>
  /** Resolves once `count` lines match `pattern`. */
  waitForCount(pattern: RegExp, count: number, timeout?: number): Promise<string[]>
  /** Resolves with the exit code (or the signal name) when the process ends. */
  exited(timeout?: number): Promise<number | string>
  /** Writes to the example's stdin (taskvent waits for Enter). */
  write(text: string): void
  /** Sends a signal (default SIGINT, as Ctrl-C). */
  signal(signal?: NodeJS.Signals): void
}

const running = new Set<ChildProcess>()
const examples = catalog()

export function startExample(name: string, args: string[] = []): RunningExample {
  const entry = examples.get(name)
  if (entry === undefined) throw new Error(`no example named ${name}`)
  return startProgram(name, entry.file, args)
}

/** Starts one of the libzmq counterparts in test/peers (e.g. "chapter1-hwserver"), watched like an example. */
export function startPeer(name: string, args: string[] = []): RunningExample {
  return startProgram(name, fileURLToPath(new URL(`../peers/${name}.ts`, import.meta.url)), args)
}

function startProgram(name: string, file: string, args: string[]): RunningExample {
  const [command, argv] = exampleCommand(file, args)
  const child = spawn(command, argv, { stdio: ["pipe", "pipe", "pipe"] })
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
    child.on("exit", (code, signal) => {
      running.delete(child)
      if (partial.length > 0) lines.push(partial)
      partial = ""
      for (const watcher of watchers) watcher()
      resolve(code ?? signal ?? "unknown")
    }),
  )
  const describe = (): string => `${name}: stdout:\n${lines.join("\n")}\nstderr:\n${errors}`
  const waitForCount = (pattern: RegExp, count: number, timeout = 10_000): Promise<string[]> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        const matched = lines.filter((line) => pattern.test(line))
        if (matched.length >= count) {
          finish()
          resolve(matched.slice(0, count))
        }
      }
      const timer = setTimeout(() => {
        finish()
        reject(new Error(`timed out waiting for ${count}× ${pattern}\n${describe()}`))
      }, timeout)
      const finish = (): void => {
        clearTimeout(timer)
        watchers.delete(check)
      }
      watchers.add(check)
      check()
    })
  return {
    name,
    child,
    lines,
    stderr: () => errors,
    waitFor: async (pattern, timeout) => (await waitForCount(pattern, 1, timeout))[0]!,
    waitForCount,
    exited: (timeout = 10_000) =>
      Promise.race([
        exit,
        new Promise<never>((_, reject) =>
          setTimeout(() => reject(new Error(`${name} did not exit within ${timeout} ms\n${describe()}`)), timeout).unref(),
        ),
      ]),
    write: (text) => child.stdin!.write(text),
    signal: (signal = "SIGINT") => child.kill(signal),
  }
}

/** Kills every example and peer process still running (call in afterEach). */
export async function stopAll(): Promise<void> {
  const waits: Array<Promise<unknown>> = []
  for (const child of running) {
    waits.push(new Promise((resolve) => child.once("exit", resolve)))
    child.kill("SIGKILL")
  }
  await Promise.all(waits)
}
