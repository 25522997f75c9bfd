/**
 * Which side of a REQ↔REP round trip costs what, measured: the zmq-ts pair, each zmq-ts side alone against a
 * raw peer that costs next to nothing per round trip (tools/raw-req.ts, tools/raw-rep.ts), the two raw
 * peers together (ZMTP frames, no zmq-ts) and the raw `net` ping-pong of `pnpm bench`, rounds interleaved.
 * Used for issue 18's round-trip rows (docs/decisions/0019-ws-mask-kernel.md).
 *
 * The raw REP awaiting as the API does (tools/raw-rep.ts `await`) is the floor of a REP behind zeromq.js's
 * promise API: the zmq-ts REP alone is measured against it.
 *
 * With `--busy 1,2,5`, rows of the raw pair whose REP spins that many microseconds before each echo: what
 * that much work per message costs a round trip on this machine, wake-ups included.
 *
 *   pnpm --filter @zmq-ts/bench round-trip-sides [--size 64] [--rounds 3] [--seconds 2] [--transports tcp,ipc] [--busy 1,2,5]
 */
import { option } from "./lib/command-line.js"
import { IpcPaths } from "./lib/ipc-paths.js"
import { describeMachine } from "./lib/machine.js"
import { nodeTool, runPair, type PairOutcome, type Tool } from "./lib/process.js"
import { median, range } from "./lib/stats.js"
import { MAX_WARMUP_SECONDS } from "./lib/warm-up.js"

const size = Number(option("--size", "64"))
const rounds = Number(option("--rounds", "3"))
const seconds = Number(option("--seconds", "2"))
const transports = option("--transports", "tcp,ipc").split(",") as Array<"tcp" | "ipc">
const WARMUP = 0.5
const COUNT = 1_000_000
const deadlineMs = Math.round((MAX_WARMUP_SECONDS + seconds) * 1000) + 15_000
const timeoutMs = deadlineMs + 15_000

const ipcPaths = new IpcPaths("zmq-ts-bench-rt-sides")
const bindAddress = (transport: "tcp" | "ipc"): string => (transport === "tcp" ? "tcp://127.0.0.1:*" : `ipc://${ipcPaths.next()}`)
const microseconds = (outcome: PairOutcome): number => {
  const sender = outcome.sender!
  if (!(sender["roundTrips"]! > 0)) throw new Error(`no round trip completed: ${JSON.stringify(sender)}`)
  return (sender["seconds"]! / sender["roundTrips"]!) * 1e6
}
const timing = [size, COUNT, WARMUP, seconds]
const zmqTsRep = (t: "tcp" | "ipc"): Tool => nodeTool("local-lat", ["zmq-ts", bindAddress(t), deadlineMs])
const zmqTsReq = (): Tool => nodeTool("remote-lat", ["zmq-ts", ...timing])
const rawRep = (t: "tcp" | "ipc"): Tool => nodeTool("raw-rep", [t, deadlineMs])
const rawReq = (): Tool => nodeTool("raw-req", timing)
const rows: Array<{ label: string; echo: (t: "tcp" | "ipc") => Tool; timer: () => Tool }> = [
  { label: "zmq-ts REQ ↔ zmq-ts REP (the pair)", echo: zmqTsRep, timer: zmqTsReq },
  { label: "raw REQ ↔ zmq-ts REP (REP side alone)", echo: zmqTsRep, timer: rawReq },
  { label: "zmq-ts REQ ↔ raw REP (REQ side alone)", echo: rawRep, timer: zmqTsReq },
  { label: "raw REQ ↔ raw REP (ZMTP frames, no zmq-ts)", echo: rawRep, timer: rawReq },
  { label: "raw REQ ↔ raw REP awaiting as the API does", echo: (t) => nodeTool("raw-rep", [t, deadlineMs, 0, "await"]), timer: rawReq },
  { label: "net ping-pong (pnpm bench's floor)", echo: (t) => nodeTool("local-lat", ["net", bindAddress(t), deadlineMs]), timer: () => nodeTool("remote-lat", ["net", ...timing]) },
]

for (const busy of option("--busy", "").split(",").filter((text) => text !== "")) {
  rows.push({ label: `raw REQ ↔ raw REP spinning ${busy} µs per echo`, echo: (t) => nodeTool("raw-rep", [t, deadlineMs, Number(busy)]), timer: rawReq })
}

const machine = describeMachine()
console.log(`${machine.cpu}, ${machine.cores} cores, Node ${machine.node}, load ${machine.loadAverageAtStart}; REQ↔REP ${size} B round trips, ${rounds} interleaved rounds of ${seconds} s (after ${WARMUP} s)`)
for (const transport of transports) {
  const samples = rows.map(() => [] as number[])
  for (let round = 0; round < rounds; round++) {
    for (const [i, row] of rows.entries()) samples[i]!.push(microseconds(await runPair(row.echo(transport), row.timer(), { timeoutMs })))
  }
  console.log(`\n${transport}:`)
  for (const [i, row] of rows.entries()) {
    const values = samples[i]!
    const spread = range(values)!
    console.log(`  ${row.label.padEnd(46)} ${median(values)!.toFixed(1).padStart(7)} µs  (${spread.min.toFixed(1)}–${spread.max.toFixed(1)})`)
  }
}
ipcPaths.removeAll()
