/**
 * Judges a soak run's saved samples again and rewrites its .svg and .md (and .json) next to it — for
 * changing the plot or the rule without running the soak again:
 *
 *   node --conditions=@zmq-ts/source --import tsx src/soak/replot.ts results/soak/latest.json
 */
import { readFileSync } from "node:fs"
import { basename, dirname, resolve } from "node:path"
import type { RunRecord } from "./record.js"
import { writeResults } from "./results.js"

const file = process.argv[2]
if (file === undefined) {
  process.stderr.write("usage: replot.ts <soak result .json>\n")
  process.exit(2)
}
const path = resolve(file)
const { verdict: _old, ...record } = JSON.parse(readFileSync(path, "utf8")) as RunRecord & { verdict?: unknown }
const verdict = writeResults(record, dirname(path), basename(path, ".json"))
process.stdout.write(`soak (replotted): ${verdict.passed ? "PASS" : "FAIL"}\n`)
