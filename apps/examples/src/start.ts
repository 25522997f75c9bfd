/** `pnpm start`: the README's main job — a short tour of the Guide's examples that exits 0 by itself. */
import { spawn } from "node:child_process"
import { catalog, exampleCommand } from "./catalog.js"

const examples = catalog()

/** Runs an example as its own process, prefixing its lines with its name; resolves with its exit code. */
function run(name: string, args: string[] = []): { done: Promise<number | null>; stop: () => void } {
  const entry = examples.get(name)
  if (entry === undefined) throw new Error(`the tour names unknown example ${name}`)
  const [command, argv] = exampleCommand(entry.file, args)
  const child = spawn(command, argv, { stdio: ["ignore", "pipe", "inherit"] })
  child.stdout.setEncoding("utf8")
  let buffered = ""
  child.stdout.on("data", (chunk: string) => {
    buffered += chunk
    const lines = buffered.split("\n")
    buffered = lines.pop() ?? ""
    for (const line of lines) console.log(`${name.padEnd(10)}| ${line}`)
  })
  const done = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)))
  return { done, stop: () => child.kill("SIGINT") }
}

console.log("=== codec-demo: the ZMTP bytes of a Hello World, with the bare codec\n")
if ((await run("codec-demo").done) !== 0) process.exit(1)
console.log("\nDone.")
