/**
 * Runs the tools as child processes and relays the line protocol of ./child.ts between them. Only the
 * processes started here are ever killed (by their handle), and every run has a hard timeout.
 */
import { spawn, type ChildProcess } from "node:child_process"
import { dirname, join } from "node:path"
import { createInterface } from "node:readline"
import { fileURLToPath } from "node:url"
import { systemBusyMilliseconds } from "./machine.js"

export const BENCH_DIRECTORY = join(dirname(fileURLToPath(import.meta.url)), "..", "..")
const TOOLS_DIRECTORY = join(BENCH_DIRECTORY, "src", "tools")

export interface Tool {
  readonly command: string
  readonly args: readonly string[]
  /** Added to the runner's environment (the CURVE cases pass their keys this way, lib/curve.ts). */
  readonly env?: Readonly<Record<string, string>>
}

/** A TypeScript tool, run as `node --conditions=@zmq-ts/source --import tsx <file> …` (never the tsx CLI). */
export function nodeTool(name: string, args: readonly (string | number)[], nodeFlags: readonly string[] = [], env?: Record<string, string>): Tool {
  return {
    command: process.execPath,
    args: [...nodeFlags, "--conditions=@zmq-ts/source", "--import", "tsx", join(TOOLS_DIRECTORY, `${name}.ts`), ...args.map(String)],
    ...(env === undefined ? {} : { env }),
  }
}

export function binaryTool(path: string, args: readonly (string | number)[], env?: Record<string, string>): Tool {
  return { command: path, args: args.map(String), ...(env === undefined ? {} : { env }) }
}

export type ToolResult = Record<string, number>

export interface PairOutcome {
  readonly receiver: ToolResult
  readonly sender: ToolResult | undefined
  /** CPU other processes used during the run, in cores (Linux only). */
  readonly otherCores: number | undefined
}

export interface PairOptions {
  readonly timeoutMs: number
  /** Called when the sender has reported (the memory run tells the receiver then). */
  readonly onSenderResult?: (tellReceiver: (line: string) => void) => void
  /** Runs on the receiver's endpoints before the sender gets them (the ws cases check the upgrade, lib/ws-probe.ts). */
  readonly beforeRelay?: (endpoints: string) => Promise<void>
  /** Relays the receiver's `WARM` to the sender as `warm <measureSeconds>`: it then sends for that long (child.ts, SendDeadline). */
  readonly measureSeconds?: number
}

interface Running {
  readonly child: ChildProcess
  result: ToolResult | undefined
  exited: boolean
  stderr: string
}

/**
 * Starts the receiving side and the sending side together (the sender waits on stdin for the endpoint),
 * relays `READY`, collects both `RESULT`s, then closes their stdin so they exit. With no sender, runs one
 * self-contained tool.
 */
export function runPair(receiverTool: Tool, senderTool: Tool | undefined, options: PairOptions): Promise<PairOutcome> {
  const busyBefore = systemBusyMilliseconds()
  const ownBefore = process.cpuUsage()
  const started = performance.now()
  return new Promise((resolve, reject) => {
    let settled = false
    const start = (tool: Tool): Running => {
      const env = tool.env === undefined ? process.env : { ...process.env, ...tool.env }
      const child = spawn(tool.command, tool.args, { cwd: BENCH_DIRECTORY, env, stdio: ["pipe", "pipe", "pipe"] })
      const running: Running = { child, result: undefined, exited: false, stderr: "" }
      child.stdin!.on("error", () => {}) // the child may exit before reading
      child.stderr!.setEncoding("utf8")
      child.stderr!.on("data", (text: string) => {
        running.stderr = (running.stderr + text).slice(-4000)
      })
      child.on("error", (error) => finish(error))
      child.on("exit", (code, signal) => {
        running.exited = true
        if (running.result === undefined) {
          finish(new Error(`${describe(tool)} exited (${signal ?? code}) without a result${running.stderr === "" ? "" : `:\n${running.stderr.trim()}`}`))
        } else check()
      })
      return running
    }
    const receiver = start(receiverTool)
    const sender = senderTool === undefined ? undefined : start(senderTool)
    if (sender === undefined) receiver.child.stdin!.end()
    const timer = setTimeout(() => finish(new Error(`timed out after ${options.timeoutMs} ms: ${describe(receiverTool)}`)), options.timeoutMs)

    const lines = (running: Running, onLine: (line: string) => void): void => {
      createInterface({ input: running.child.stdout! }).on("line", onLine)
    }
    const parseResult = (running: Running, line: string): void => {
      try {
        running.result = JSON.parse(line.slice("RESULT ".length)) as ToolResult
      } catch {
        finish(new Error(`unreadable result line: ${line}`))
        return
      }
      if (running === sender) options.onSenderResult?.((text) => receiver.child.stdin!.write(`${text}\n`))
      if (receiver.result !== undefined && (sender === undefined || sender.result !== undefined)) {
        receiver.child.stdin!.end()
        sender?.child.stdin!.end()
      }
      check()
    }
    lines(receiver, (line) => {
      if (line.startsWith("READY ")) {
        const endpoints = line.slice("READY ".length)
        const relay = (): void => void sender?.child.stdin!.write(`${endpoints}\n`)
        if (options.beforeRelay === undefined) relay()
        else options.beforeRelay(endpoints).then(relay, (error: Error) => finish(error))
      } else if (line === "WARM") {
        if (options.measureSeconds !== undefined) sender?.child.stdin!.write(`warm ${options.measureSeconds}\n`)
      } else if (line.startsWith("RESULT ")) parseResult(receiver, line)
    })
    if (sender !== undefined) {
      lines(sender, (line) => {
        if (line.startsWith("RESULT ")) parseResult(sender, line)
      })
    }

    function check(): void {
      if (!receiver.exited || (sender !== undefined && !sender.exited)) return
      if (receiver.result === undefined || (sender !== undefined && sender.result === undefined)) return
      const busyAfter = systemBusyMilliseconds()
      const own = process.cpuUsage(ownBefore)
      const wall = performance.now() - started
      let otherCores: number | undefined
      if (busyBefore !== undefined && busyAfter !== undefined) {
        const ours = (own.user + own.system) / 1000 + (receiver.result["cpuMs"] ?? 0) + (sender?.result?.["cpuMs"] ?? 0)
        otherCores = Math.max(0, (busyAfter - busyBefore - ours) / wall)
      }
      finish(undefined, { receiver: receiver.result, sender: sender?.result, otherCores })
    }

    function finish(error: Error | undefined, outcome?: PairOutcome): void {
      if (settled) return
      settled = true
      clearTimeout(timer)
      for (const running of [receiver, sender]) {
        if (running !== undefined && !running.exited) {
          running.child.stdin!.end()
          // Only our own children, by handle; they exit by themselves once stdin closes, unless stuck.
          if (error !== undefined) running.child.kill("SIGKILL")
          else setTimeout(() => running.exited || running.child.kill("SIGKILL"), 5000).unref()
        }
      }
      if (error !== undefined) reject(error)
      else resolve(outcome!)
    }
  })
}

function describe(tool: Tool): string {
  const script = tool.args.find((arg) => arg.endsWith(".ts"))
  const name = script === undefined ? tool.command : script
  return `${name.split("/").pop()} ${tool.args.slice(tool.args.indexOf(script ?? "") + 1).join(" ")}`.trim()
}
