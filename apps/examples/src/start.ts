/** `pnpm start`: the README's main job — a short tour of the Guide's examples that exits 0 by itself. */
import { spawn } from "node:child_process"
import { existsSync, readFileSync } from "node:fs"
import { setTimeout as delay } from "node:timers/promises"
import { catalog, exampleCommand } from "./catalog.js"

const examples = catalog()
/** Longer than any example of the tour needs: one that hangs is killed and counts as failed. */
const TIMEOUT = 30_000

interface Running {
  /** Resolves with the exit code (null when killed by a signal). */
  done: Promise<number | null>
  /** Ctrl-C, as a reader stops a server. */
  stop: () => void
  /** Types into the example's stdin (taskvent waits for Enter). */
  write: (text: string) => void
}

/** Runs an example as its own process, prefixing its lines with its label; `done` resolves with its exit code. */
function run(name: string, options: { args?: string[]; label?: string; env?: Record<string, string> } = {}): Running {
  const entry = examples.get(name)
  if (entry === undefined) throw new Error(`the tour names unknown example ${name}`)
  const label = (options.label ?? name).padEnd(10)
  const [command, argv] = exampleCommand(entry.file, options.args)
  const child = spawn(command, argv, { stdio: ["pipe", "pipe", "inherit"], env: { ...process.env, ...options.env } })
  child.stdout.setEncoding("utf8")
  let buffered = ""
  child.stdout.on("data", (chunk: string) => {
    buffered += chunk
    const lines = buffered.split("\n")
    buffered = lines.pop() ?? ""
    for (const line of lines) console.log(`${label}| ${line}`)
  })
  const timer = setTimeout(() => {
    console.log(`${label}| (still running after ${TIMEOUT / 1000} s: killed)`)
    child.kill("SIGKILL")
  }, TIMEOUT)
  const done = new Promise<number | null>((resolve) =>
    child.on("close", (code) => {
      clearTimeout(timer)
      // Progress dots ("." per task) have no newline until the end: show what is left.
      if (buffered.length > 0) console.log(`${label}| ${buffered}`)
      resolve(code)
    }),
  )
  child.stdin.on("error", () => {}) // an example that exits without reading its stdin
  return { done, stop: () => child.kill("SIGINT"), write: (text) => child.stdin.write(text) }
}

/** Waits for every run; true when each exited 0 (and says which did not). */
async function allExitZero(runs: Record<string, Running>): Promise<boolean> {
  let ok = true
  for (const [label, { done }] of Object.entries(runs)) {
    const code = await done
    if (code !== 0) {
      console.log(`${label.padEnd(10)}| exited with ${code ?? "a signal"}, expected 0`)
      ok = false
    }
  }
  return ok
}

/**
 * Waits until `count` peers have connected to a port we bound (Linux: /proc/net/tcp lists the connections,
 * so the tour never connects itself), plus a moment for ZeroMQ's handshake. Elsewhere, a fixed two seconds.
 */
async function connected(port: number, count: number): Promise<void> {
  const tables = ["/proc/net/tcp", "/proc/net/tcp6"].filter((table) => existsSync(table))
  if (tables.length === 0) return void (await delay(2000))
  const local = `:${port.toString(16).toUpperCase().padStart(4, "0")}`
  const established = (): number =>
    tables
      .flatMap((table) => readFileSync(table, "utf8").split("\n").slice(1))
      .filter((line) => {
        const [, address, , state] = line.trim().split(/\s+/)
        return address?.endsWith(local) === true && state === "01"
      }).length
  const deadline = Date.now() + 10_000
  while (established() < count && Date.now() < deadline) await delay(25)
  await delay(200)
}

let ok = true

console.log("=== codec-demo: the ZMTP bytes of a Hello World, with the bare codec\n")
ok = (await allExitZero({ "codec-demo": run("codec-demo") })) && ok

console.log("\n=== hwserver + hwclient: request-reply (Guide chapter 1, \"Hello World\")")
console.log("    the server's second of 'work' is cut to 100 ms (ZMQ_TS_EXAMPLE_SPEED=10); Ctrl-C stops it\n")
{
  const hwserver = run("hwserver", { env: { ZMQ_TS_EXAMPLE_SPEED: "10" } })
  const hwclient = run("hwclient")
  const clientOk = await allExitZero({ hwclient })
  hwserver.stop()
  ok = (await allExitZero({ hwserver })) && clientOk && ok
}

console.log("\n=== taskvent + taskwork ×2 + tasksink: a parallel pipeline (Guide chapter 1, \"Divide and Conquer\")")
console.log("    Enter is pressed once both workers are connected; two workers take about half the expected cost\n")
{
  const tasksink = run("tasksink")
  const workers = [run("taskwork", { label: "taskwork 1" }), run("taskwork", { label: "taskwork 2" })]
  const taskvent = run("taskvent")
  await connected(5557, 2)
  await connected(5558, 3) // both workers and the ventilator
  taskvent.write("\n")
  const batchOk = await allExitZero({ taskvent, tasksink })
  for (const worker of workers) worker.stop()
  ok = (await allExitZero({ "taskwork 1": workers[0]!, "taskwork 2": workers[1]! })) && batchOk && ok
}

console.log("\n=== mtrelay: three worker threads signal each other over inproc PAIR sockets (Guide chapter 2)")
ok = (await allExitZero({ mtrelay: run("mtrelay") })) && ok

console.log(ok ? "\nDone." : "\nDone, but some examples failed.")
process.exit(ok ? 0 : 1)
