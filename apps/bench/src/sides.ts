/**
 * Which side bounds a zmq-ts pair, measured: each side of PUSH→PULL alone against a raw peer that costs next
 * to nothing per message (lib/raw-peer.ts), next to the pair itself, libzmq C's pair, and the floor of the
 * receiving loop (tools/receive-floor.ts), rounds interleaved as in run.ts. Used for issue 18's "what
 * bounds it" (docs/decisions/0018-performance-round-2.md).
 *
 *   pnpm --filter @zmq-ts/bench sides [--size 64] [--rounds 3] [--transports tcp,ipc,ws] [--seconds 2]
 */
import { rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { buildCTools, type CBuild } from "./lib/c-build.js"
import { describeMachine } from "./lib/machine.js"
import { binaryTool, BENCH_DIRECTORY, nodeTool, runPair, type PairOutcome } from "./lib/process.js"
import { median, range } from "./lib/stats.js"
import { probeWsUpgrade } from "./lib/ws-probe.js"

const argv = process.argv.slice(2).filter((arg) => arg !== "--")
const option = (name: string, fallback: string): string => {
  const index = argv.indexOf(name)
  return index < 0 ? fallback : argv[index + 1]!
}
const size = Number(option("--size", "64"))
const rounds = Number(option("--rounds", "3"))
const seconds = Number(option("--seconds", "2"))
type SideTransport = "tcp" | "ipc" | "ws"
const transports = option("--transports", "tcp,ws").split(",") as SideTransport[]
const WARMUP = 0.5
const MAX_MESSAGES = 500_000_000
const deadlineMs = Math.round((WARMUP + seconds) * 1000) + 15_000
const timeoutMs = deadlineMs + 15_000

interface Row {
  readonly label: string
  readonly run: (transport: SideTransport) => Promise<number>
}

const compiled = buildCTools(join(BENCH_DIRECTORY, "c"))
const c: CBuild | undefined = "build" in compiled ? compiled.build : undefined

const rate = (outcome: PairOutcome): number => {
  const { messages, seconds: measured } = outcome.receiver
  if (!(messages! > 0) || !(measured! > 0)) throw new Error(`no messages measured: ${JSON.stringify(outcome.receiver)}`)
  if ((outcome.receiver["badSize"] ?? 0) > 0) throw new Error("messages of the wrong size")
  return messages! / measured!
}
let ipcSequence = 0
const bindAddress = (transport: SideTransport): string =>
  transport === "ipc" ? `ipc://${join(tmpdir(), `zmq-ts-bench-sides-${process.pid}-${++ipcSequence}`)}` : `${transport}://127.0.0.1:*`
const probe = (transport: SideTransport) => (transport === "ws" ? { beforeRelay: async (endpoint: string) => void (await probeWsUpgrade(endpoint)) } : {})
const zmqTsReceiver = (transport: SideTransport) => nodeTool("local-thr", ["zmq-ts", bindAddress(transport), size, WARMUP, deadlineMs])
const zmqTsSender = () => nodeTool("remote-thr", ["zmq-ts", size, MAX_MESSAGES, WARMUP + seconds])

const rows: Row[] = [
  { label: "zmq-ts → zmq-ts (the pair)", run: async (t) => rate(await runPair(zmqTsReceiver(t), zmqTsSender(), { timeoutMs, ...probe(t) })) },
  {
    label: "raw sender → zmq-ts PULL (receiving side alone)",
    run: async (t) => rate(await runPair(zmqTsReceiver(t), nodeTool("raw-sender", [t, size, WARMUP + seconds]), { timeoutMs, ...probe(t) })),
  },
  {
    label: "zmq-ts PUSH → raw receiver (sending side alone)",
    run: async (t) => rate(await runPair(nodeTool("raw-receiver", [t, size, WARMUP, deadlineMs]), zmqTsSender(), { timeoutMs })),
  },
]
if (c !== undefined) {
  rows.push({
    label: `libzmq C → libzmq C (${c.libzmqVersion})`,
    run: async (t) =>
      rate(
        await runPair(
          binaryTool(c.path("local_thr"), [bindAddress(t), size, WARMUP, deadlineMs]),
          binaryTool(c.path("remote_thr"), [size, MAX_MESSAGES, WARMUP + seconds]),
          { timeoutMs, ...probe(t) },
        ),
      ),
  })
}

const machine = describeMachine()
console.log(`${machine.cpu}, ${machine.cores} cores, Node ${machine.node}, load ${machine.loadAverageAtStart}; PUSH→PULL ${size} B, ${rounds} interleaved rounds of ${seconds} s (after ${WARMUP} s)`)
const floor = (await runPair(nodeTool("receive-floor", [size, 3_000_000]), undefined, { timeoutMs: 120_000 })).receiver
console.log(
  `receive floor (for await + fresh { value: [m] } per message, no I/O): ${floor["loopNs"]!.toFixed(0)} ns/msg ` +
    `(${(1e3 / floor["loopNs"]!).toFixed(2)} M/s); with a Buffer view per message ${floor["loopViewNs"]!.toFixed(0)} ns/msg ` +
    `(${(1e3 / floor["loopViewNs"]!).toFixed(2)} M/s)`,
)
for (const transport of transports) {
  const samples = rows.map(() => [] as number[])
  for (let round = 0; round < rounds; round++) {
    for (const [i, row] of rows.entries()) samples[i]!.push(await row.run(transport))
  }
  console.log(`\n${transport}:`)
  for (const [i, row] of rows.entries()) {
    const values = samples[i]!
    const m = median(values)!
    const spread = range(values)!
    console.log(
      `  ${row.label.padEnd(50)} ${(m / 1e6).toFixed(2).padStart(6)} M/s  (${(spread.min / 1e6).toFixed(2)}–${(spread.max / 1e6).toFixed(2)})  ${(1e9 / m).toFixed(0).padStart(4)} ns/msg`,
    )
  }
}
c?.remove()
for (let i = 1; i <= ipcSequence; i++) rmSync(join(tmpdir(), `zmq-ts-bench-sides-${process.pid}-${i}`), { force: true })
