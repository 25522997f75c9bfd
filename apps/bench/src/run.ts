/**
 * The end-to-end benchmark suite of issue 8: zmq-ts against libzmq (C), zeromq.js and the raw Node `net`
 * ceiling, each run as two processes (receiving side, sending side), rounds interleaved (A, B, C, D, A, B,
 * C, D…) so that a busy moment on the machine hits every implementation alike.
 *
 *   pnpm bench                        (from the repo root, with the codec micro-benchmark) the short run
 *   pnpm --filter @zmq-ts/bench bench [options]
 *     --full          every size (8 B … 64 KiB) and transport, 5 rounds of 1 s
 *     --rounds N      rounds per case
 *     --only TEXT     only the cases whose id contains TEXT (e.g. push-pull-tcp, req-rep, pub-sub, inproc)
 *     --readme        also put the table into apps/bench/README.md
 *     --profile       CPU-profile zmq-ts tcp PUSH→PULL 64 B (--size N for another; both processes) and list the hot spots
 *       --curve       … the same over CURVE
 *       --ws          … the same over ws:// (ZWS 2.0)
 *       --handshakes  … the CURVE handshake case instead (server and client processes)
 *         --null      … those connections without CURVE (the handshake case's ceiling)
 *
 * Writes bench/results/latest.json and latest.md at the repo root (not with --only or --profile).
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs"
import { dirname, join, relative } from "node:path"
import { benchCases, FULL, measure, SHORT, type Implementation, type Sample, type Settings } from "./cases.js"
import { buildCTools, C_SKIPPED_MESSAGE, type CBuild } from "./lib/c-build.js"
import { argv, option } from "./lib/command-line.js"
import { describeMachine } from "./lib/machine.js"
import { curveEnvironment } from "./lib/curve.js"
import { generateCurveKeys } from "./lib/curve-keys.js"
import { BENCH_DIRECTORY, nodeTool, runPair } from "./lib/process.js"
import { hotSpots } from "./lib/profile.js"
import { formatValue, renderMarkdown, renderText, summarize, type CaseRun, type Report } from "./report.js"

const REPO_ROOT = join(BENCH_DIRECTORY, "..", "..")
const RESULTS_DIRECTORY = join(REPO_ROOT, "bench", "results")
const README = join(BENCH_DIRECTORY, "README.md")

const full = argv.includes("--full")
const only = option("--only")
const roundsOption = option("--rounds")
const base = full ? FULL : SHORT
const settings: Settings = { ...base, rounds: roundsOption === undefined ? base.rounds : Math.max(1, Number(roundsOption)) }

if (argv.includes("--profile")) await profile()
else await suite()

async function suite(): Promise<void> {
  const started = performance.now()
  const machine = describeMachine()
  const compiled = buildCTools(join(BENCH_DIRECTORY, "c"))
  const c: CBuild | undefined = "build" in compiled ? compiled.build : undefined
  const skipReason = "reason" in compiled ? compiled.reason : ""
  const notes: string[] = []
  if (c === undefined) {
    console.log(C_SKIPPED_MESSAGE)
    console.log(`  (${skipReason})`)
    notes.push(C_SKIPPED_MESSAGE)
  }
  process.on("exit", () => c?.remove())
  const zeromqJs = (JSON.parse(readFileSync(join(BENCH_DIRECTORY, "node_modules", "zeromq", "package.json"), "utf8")) as { version: string }).version
  console.log(`${machine.cpu}, ${machine.cores} cores, Node ${machine.node}; ${full ? "full" : "short"} run, ${settings.rounds} rounds`)

  const runs: CaseRun[] = []
  // zmq-ts's median per case so far, for the targets and ratios against another case of the run (issue 18).
  const ownMedians = new Map<string, number | null>()
  for (const benchCase of benchCases(settings)) {
    if (only !== undefined && !benchCase.id.includes(only)) continue
    const implementations = benchCase.implementations.filter((name) => name !== "libzmq C" || c !== undefined)
    const run: CaseRun = { benchCase, samples: new Map(implementations.map((name) => [name, [] as Array<Sample | null>])), errors: [] }
    const rounds = benchCase.rounds
    // Interleaved: A, B, C, D, A, B, C, D…
    for (let round = 0; round < rounds; round++) {
      for (const implementation of implementations) {
        let sample: Sample | null = null
        try {
          sample = await measure(benchCase, implementation, settings, c)
        } catch (error) {
          run.errors.push(`${implementation}, round ${round + 1}: ${(error as Error).message.split("\n").slice(0, 3).join(" / ")}`)
        }
        run.samples.get(implementation)!.push(sample)
      }
    }
    runs.push(run)
    const summary = summarize(run, ownMedians)
    ownMedians.set(benchCase.id, summary.implementations["zmq-ts"]?.median ?? null)
    const cells = implementations.map((name: Implementation) => {
      const median = summary.implementations[name]?.median
      return `${name} ${median == null ? "failed" : formatValue(summary, median, summary.implementations[name]?.details)}`
    })
    const own = summary.own.map((entry) => `${entry.ratio === null ? "not measured" : `${entry.ratio.toFixed(2)}×`} ${entry.case}`)
    const status = summary.status === null ? "" : ` — ${summary.status}`
    console.log(`  ${benchCase.title}: ${cells.join(", ")}${own.length === 0 ? "" : ` (÷ own: ${own.join(", ")})`}${status}`)
    for (const error of run.errors) console.log(`    ${error}`)
  }

  const report: Report = {
    machine,
    mode: full ? "full" : "short",
    rounds: settings.rounds,
    durationSeconds: Math.round((performance.now() - started) / 100) / 10,
    libzmq: c === undefined ? { skipped: skipReason } : { version: c.libzmqVersion },
    zeromqJs,
    notes,
    cases: runs.map((run) => summarize(run, ownMedians)),
  }
  console.log("")
  console.log(renderText(report))
  if (only !== undefined) return
  mkdirSync(RESULTS_DIRECTORY, { recursive: true })
  const markdown = renderMarkdown(report)
  writeAtomically(join(RESULTS_DIRECTORY, "latest.json"), `${JSON.stringify(report, null, 2)}\n`)
  writeAtomically(join(RESULTS_DIRECTORY, "latest.md"), `# zmq-ts benchmarks: latest run\n\n${markdown}`)
  console.log(`\nwrote ${join("bench", "results", "latest.json")} and latest.md (${report.durationSeconds} s)`)
  if (argv.includes("--readme")) {
    const text = readFileSync(README, "utf8")
    const start = "<!-- results:start -->"
    const end = "<!-- results:end -->"
    const from = text.indexOf(start)
    const to = text.indexOf(end)
    if (from < 0 || to < from) throw new Error(`${README} has no ${start} … ${end} section`)
    writeAtomically(README, `${text.slice(0, from + start.length)}\n${markdown}${text.slice(to)}`)
    console.log("updated apps/bench/README.md")
  }
}

/**
 * Profiles both processes of zmq-ts tcp PUSH→PULL (64 B, or `--size`; over CURVE with `--curve`), or of the
 * CURVE handshake case (`--handshakes`), and prints their hot spots.
 */
async function profile(): Promise<void> {
  const seconds = Number(option("--seconds") ?? 3)
  const size = Number(option("--size") ?? 64)
  const handshakes = argv.includes("--handshakes")
  // `--handshakes --null`: the same connections without CURVE, the handshake case's ceiling.
  const curve = (handshakes && !argv.includes("--null")) || argv.includes("--curve")
  const env = curve ? curveEnvironment(generateCurveKeys()) : undefined
  const transport = argv.includes("--ws") ? "ws" : "tcp"
  // One directory per side: `--import tsx` runs its loader in a worker thread, which writes a profile too.
  const sides = handshakes ? (["client", "server"] as const) : (["push", "pull"] as const)
  const directory = (side: string): string => join(RESULTS_DIRECTORY, `profile-${side}`)
  for (const side of sides) {
    rmSync(directory(side), { recursive: true, force: true })
    mkdirSync(directory(side), { recursive: true })
  }
  const flags = (side: string) => ["--cpu-prof", `--cpu-prof-dir=${directory(side)}`]
  if (handshakes) {
    const outcome = await runPair(
      nodeTool("handshake-server", ["zmq-ts", "tcp://127.0.0.1:*", 120_000], flags("server"), env),
      nodeTool("handshake-client", ["zmq-ts", 4, 0.5, seconds], flags("client"), env),
      { timeoutMs: 180_000 },
    )
    const server = outcome.receiver
    console.log(
      `zmq-ts ${curve ? "CURVE" : "NULL"} handshakes under --cpu-prof: ${(server["handshakes"]! / server["seconds"]!).toFixed(0)}/s wall, ` +
        `${(server["windowCpuMs"]! / server["handshakes"]!).toFixed(2)} ms server CPU each, over ${seconds} s`,
    )
  } else {
    const outcome = await runPair(
      nodeTool("local-thr", ["zmq-ts", `${transport}://127.0.0.1:*`, size, 0.5, 60_000], flags("pull"), env),
      nodeTool("remote-thr", ["zmq-ts", size, 100_000_000, seconds], flags("push"), env),
      { timeoutMs: 120_000 },
    )
    const rate = outcome.receiver["messages"]! / outcome.receiver["seconds"]!
    const perSecond = rate >= 1e6 ? `${(rate / 1e6).toFixed(2)} M` : `${(rate / 1e3).toFixed(1)} k`
    console.log(
      `zmq-ts ${transport} PUSH→PULL${curve ? " CURVE" : ""} ${size} B under --cpu-prof: ${perSecond} msgs/s (${((rate * size) / 1e6).toFixed(1)} MB/s) over ${seconds} s`,
    )
  }
  const titles: Record<string, string> = {
    push: "sending (PUSH)",
    pull: "receiving (PULL)",
    client: "connecting (clients)",
    server: "serving (CURVE server)",
  }
  for (const side of sides) {
    // The main thread's profile is the busiest one.
    const profiles = readdirSync(directory(side))
      .filter((name) => name.endsWith(".cpuprofile"))
      .map((name) => ({ path: join(directory(side), name), ...hotSpots(join(directory(side), name), `${REPO_ROOT}/`) }))
      .map((entry) => ({ ...entry, busy: 100 - (entry.spots.find((spot) => spot.name === "(idle)")?.selfPercent ?? 0) }))
      .sort((a, b) => b.busy * b.totalMs - a.busy * a.totalMs)
    const main = profiles[0]
    if (main === undefined) throw new Error(`no profile in ${directory(side)}`)
    console.log(`\n${titles[side]} process, ${Math.round(main.totalMs)} ms sampled, ${main.busy.toFixed(0)} % busy — ${relative(REPO_ROOT, main.path)}`)
    console.log("self %   total %  function  (file:line)")
    for (const spot of main.spots.sort((a, b) => b.selfPercent - a.selfPercent).slice(0, 30)) {
      console.log(`${spot.selfPercent.toFixed(1).padStart(6)}  ${spot.totalPercent.toFixed(1).padStart(7)}  ${spot.name}  ${spot.where}`)
    }
  }
}

function writeAtomically(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true })
  const temporary = `${path}.tmp`
  writeFileSync(temporary, text)
  renameSync(temporary, path)
}
