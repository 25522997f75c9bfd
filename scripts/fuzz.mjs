#!/usr/bin/env node
// `pnpm fuzz`: runs the fuzz targets (packages/{zmtp,curve,core}/test/fuzz/*.fuzz.test.ts) with a budget of
// inputs divided across them, and prints one line per target and a total:
//
//   fuzz: frames       9524 inputs   2.1 s
//   …
//   fuzz: 100000 inputs across 13 targets, 0 failures (seed 123456789)
//
// Usage: node scripts/fuzz.mjs [--inputs N] [--target NAME[,NAME…]]… [--seed S]
//   --inputs  total inputs across the chosen targets (default 100000), divided by each target's weight
//   --target  run only these targets (file names without .fuzz.test.ts)
//   --seed    fast-check's seed for every property (default: a fresh one, printed, so a run can be replayed)
// A failing property prints its seed and path; the runner repeats them as a command that replays it alone.
// Each target reads its budget from ZMQ_TS_FUZZ_RUNS_<TARGET>; `pnpm test` leaves it unset and the targets
// run their small defaults (docs/reliability.md, "Fuzzing").
import { spawn } from "node:child_process"
import { mkdtempSync, readdirSync, readFileSync, rmSync, existsSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, relative } from "node:path"
import { fileURLToPath } from "node:url"

const root = fileURLToPath(new URL("..", import.meta.url))
const DIRS = ["packages/zmtp/test/fuzz", "packages/curve/test/fuzz", "packages/core/test/fuzz"]
/**
 * Relative cost of one input: the socket-level targets make a loopback connection (stream, socket) or a
 * round of datagrams (udp) per input, so they take a smaller share of the budget than the in-memory ones.
 */
const WEIGHTS = { stream: 0.25, socket: 0.5, udp: 0.5 }

function parseArguments(argv) {
  const options = { inputs: 100_000, targets: [], seed: undefined }
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]
    const value = argv[i + 1]
    if (flag === "--inputs" && value !== undefined) options.inputs = Number(value)
    else if (flag === "--target" && value !== undefined) options.targets.push(...value.split(","))
    else if (flag === "--seed" && value !== undefined) options.seed = Number(value)
    else if (flag === "--help" || flag === "-h") {
      process.stdout.write("usage: node scripts/fuzz.mjs [--inputs N] [--target NAME[,NAME…]] [--seed S]\n")
      process.exit(0)
    } else {
      process.stderr.write(`fuzz: unknown argument ${flag}\n`)
      process.exit(2)
    }
    i++
  }
  if (!Number.isInteger(options.inputs) || options.inputs < 1) throw new Error(`--inputs must be a positive integer`)
  if (options.seed !== undefined && !Number.isInteger(options.seed)) throw new Error(`--seed must be an integer`)
  return options
}

function discover() {
  const targets = []
  for (const dir of DIRS) {
    const absolute = join(root, dir)
    if (!existsSync(absolute)) continue
    for (const file of readdirSync(absolute).sort()) {
      if (file.endsWith(".fuzz.test.ts")) targets.push({ name: file.slice(0, -".fuzz.test.ts".length), file: join(dir, file) })
    }
  }
  return targets
}

const options = parseArguments(process.argv.slice(2))
const all = discover()
const unknown = options.targets.filter((name) => !all.some((t) => t.name === name))
if (unknown.length > 0) {
  process.stderr.write(`fuzz: no target ${unknown.join(", ")} (targets: ${all.map((t) => t.name).join(", ")})\n`)
  process.exit(2)
}
const chosen = options.targets.length === 0 ? all : all.filter((t) => options.targets.includes(t.name))
const seed = options.seed ?? Math.floor(Math.random() * 2 ** 31)
const totalWeight = chosen.reduce((sum, t) => sum + (WEIGHTS[t.name] ?? 1), 0)
const env = { ...process.env, ZMQ_TS_FUZZ_SEED: String(seed) }
let assigned = 0
chosen.forEach((t, i) => {
  // The last target takes the rounding remainder, so the budget adds up to --inputs exactly.
  t.runs = i === chosen.length - 1 ? options.inputs - assigned : Math.max(1, Math.round((options.inputs * (WEIGHTS[t.name] ?? 1)) / totalWeight))
  assigned += t.runs
  env[`ZMQ_TS_FUZZ_RUNS_${t.name.toUpperCase().replace(/-/g, "_")}`] = String(t.runs)
})
const scratch = mkdtempSync(join(tmpdir(), "zmq-ts-fuzz-"))
const reportFile = join(scratch, "report.jsonl")
env.ZMQ_TS_FUZZ_REPORT = reportFile

const vitest = join(root, "node_modules", ".bin", "vitest")
const args = ["run", "--project", "packages", "--reporter=dot", "--testTimeout=1200000", "--hookTimeout=60000", ...chosen.map((t) => t.file)]
const started = Date.now()
const output = []
const code = await new Promise((resolve) => {
  const child = spawn(vitest, args, { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] })
  child.stdout.on("data", (chunk) => {
    output.push(chunk)
    process.stdout.write(chunk)
  })
  child.stderr.on("data", (chunk) => {
    output.push(chunk) // vitest prints failures (fast-check's seed and path among them) on stderr
    process.stderr.write(chunk)
  })
  child.on("close", (status) => resolve(status ?? 1))
})

// What each target reported: one line per property that ran to the end.
const reported = new Map()
if (existsSync(reportFile)) {
  for (const line of readFileSync(reportFile, "utf8").split("\n")) {
    if (line.trim() === "") continue
    const { target, inputs, ms } = JSON.parse(line)
    const sum = reported.get(target) ?? { inputs: 0, ms: 0, properties: 0 }
    reported.set(target, { inputs: sum.inputs + inputs, ms: sum.ms + ms, properties: sum.properties + 1 })
  }
}
rmSync(scratch, { recursive: true, force: true })

// Failures: fast-check's "{ seed: S, path: "P" … }" under vitest's "FAIL <file> > <test>".
// eslint-disable-next-line no-control-regex
const text = Buffer.concat(output).toString("utf8").replace(/\x1b\[[0-9;]*m/g, "")
const failures = []
let failing
for (const line of text.split("\n")) {
  const fail = /FAIL\s+(?:packages\s+)?(\S+\.fuzz\.test\.ts)(?:.* > (.+))?$/.exec(line)
  if (fail !== null) failing = { file: fail[1], test: fail[2]?.trim() }
  const found = /\{ seed: (-?\d+), path: "([^"]*)"/.exec(line)
  if (found !== null) failures.push({ ...(failing ?? { file: "?" }), seed: found[1], path: found[2] })
}

process.stdout.write("\n")
let inputs = 0
for (const t of chosen) {
  const r = reported.get(t.name)
  inputs += r?.inputs ?? 0
  const status = r === undefined ? "  FAILED (no report)" : ""
  process.stdout.write(`fuzz: ${t.name.padEnd(11)} ${String(r?.inputs ?? 0).padStart(7)} inputs ${((r?.ms ?? 0) / 1000).toFixed(1).padStart(6)} s${status}\n`)
}
for (const f of failures) {
  const only = f.test === undefined ? "" : ` -t ${JSON.stringify(f.test)}`
  const file = relative(root, join(root, f.file))
  process.stdout.write(`fuzz: replay ZMQ_TS_FUZZ_SEED=${f.seed} ZMQ_TS_FUZZ_PATH=${f.path} pnpm exec vitest run ${file}${only}\n`)
  // The socket-level targets keep their sockets from input to input: a failure may need the inputs before it.
  const target = chosen.find((t) => t.file === f.file)
  if (target !== undefined) {
    process.stdout.write(`fuzz:   or the whole run: ZMQ_TS_FUZZ_SEED=${f.seed} ZMQ_TS_FUZZ_RUNS=${target.runs} ZMQ_TS_FUZZ_SHRINK=0 pnpm exec vitest run ${file}${only}\n`)
  }
}
const failureCount = Math.max(failures.length, code === 0 ? 0 : 1)
process.stdout.write(
  `fuzz: ${inputs} inputs across ${chosen.length} targets, ${failureCount} failures (seed ${seed}, ${((Date.now() - started) / 1000).toFixed(0)} s)\n`,
)
process.exit(code === 0 ? 0 : 1)
