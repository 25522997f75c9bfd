/**
 * Wide fan-out (issue 19): one PUB to `--subscribers` (default 1,000) subscribers over tcp, the publisher
 * zmq-ts or libzmq C, the subscribers the same cheap raw ZMTP SUBs for both (tools/local-sub.ts `raw`: a
 * NULL handshake, a subscribe-to-all, then frames counted), so only the publisher differs. Reports the
 * aggregate delivery rate and the publisher's CPU per published and per delivered message (every thread of
 * its process while it published), rounds interleaved, and zmq-ts ÷ libzmq.
 *
 *   pnpm --filter @zmq-ts/bench fanout [--subscribers 1000] [--sizes 64,1024] [--rounds 3] [--seconds 2]
 *     [--json <file>]
 */
import { writeFileSync } from "node:fs"
import { join } from "node:path"
import { buildCTools } from "./lib/c-build.js"
import { option } from "./lib/command-line.js"
import { describeMachine } from "./lib/machine.js"
import { binaryTool, BENCH_DIRECTORY, nodeTool, runPair, type Tool } from "./lib/process.js"
import { median } from "./lib/stats.js"
import { MAX_WARMUP_SECONDS } from "./lib/warm-up.js"

const subscribers = Number(option("--subscribers", "1000"))
const sizes = option("--sizes", "64,1024").split(",").map(Number)
const rounds = Number(option("--rounds", "3"))
const seconds = Number(option("--seconds", "2"))
const jsonPath = option("--json", "")
const WARMUP = 0.5
const MAX_MESSAGES = 500_000_000
/** 1,000 connections and their subscriptions take a while to arrive. */
const SETTLE_MS = 2000
const NODE_SENDING = MAX_WARMUP_SECONDS + seconds
const deadlineMs = Math.round(NODE_SENDING * 1000) + SETTLE_MS + 15_000
const timeoutMs = deadlineMs + 30_000

const compiled = buildCTools(join(BENCH_DIRECTORY, "c"))
if (!("build" in compiled)) throw new Error(`the libzmq C tools did not build: ${JSON.stringify(compiled)}`)
const c = compiled.build

interface Sample {
  /** Messages the subscribers received per second, all together. */
  readonly deliveredPerSecond: number
  /** Publisher CPU (ns) per message it published, and per message a subscriber received. */
  readonly cpuNsPerSent: number
  readonly cpuNsPerDelivery: number
  /** Of sent × subscribers, the share delivered (PUB drops at a subscriber's high-water mark). */
  readonly deliveredShare: number
}

const receivers = (): Tool => nodeTool("local-sub", ["raw", "tcp", subscribers, WARMUP, deadlineMs])
const publishers: ReadonlyArray<{ readonly label: string; readonly tool: (size: number) => Tool }> = [
  { label: "zmq-ts", tool: (size) => nodeTool("remote-pub", ["zmq-ts", size, MAX_MESSAGES, NODE_SENDING, SETTLE_MS]) },
  { label: `libzmq C ${c.libzmqVersion}`, tool: (size) => binaryTool(c.path("remote_pub"), [size, MAX_MESSAGES, WARMUP + seconds, SETTLE_MS]) },
]

async function run(publisher: Tool): Promise<Sample> {
  const outcome = await runPair(receivers(), publisher, { timeoutMs, measureSeconds: seconds })
  const { messages, seconds: measured, received } = outcome.receiver
  const { sent, sendCpuMs } = outcome.sender ?? {}
  if (!(messages! > 0) || !(measured! > 0) || !(sent! > 0) || sendCpuMs === undefined) {
    throw new Error(`incomplete run: ${JSON.stringify(outcome)}`)
  }
  return {
    deliveredPerSecond: messages! / measured!,
    cpuNsPerSent: (sendCpuMs * 1e6) / sent!,
    cpuNsPerDelivery: (sendCpuMs * 1e6) / received!,
    deliveredShare: received! / (sent! * subscribers),
  }
}

const machine = describeMachine()
console.log(`${machine.cpu}, ${machine.cores} cores, Node ${machine.node}, load ${machine.loadAverageAtStart}`)
console.log(`PUB → ${subscribers} raw SUBs over tcp, ${rounds} interleaved rounds of ${seconds} s (medians)`)
const results: Record<string, Record<string, Sample[]>> = {}
for (const size of sizes) {
  const bySize: Record<string, Sample[]> = (results[String(size)] = {})
  for (let round = 0; round < rounds; round++) {
    for (const { label, tool } of publishers) (bySize[label] ??= []).push(await run(tool(size)))
  }
  console.log(`\n${size} B:`)
  const medians = publishers.map(({ label }) => {
    const samples = bySize[label]!
    const pick = (key: keyof Sample): number => median(samples.map((sample) => sample[key]))!
    return { label, delivered: pick("deliveredPerSecond"), perSent: pick("cpuNsPerSent"), perDelivery: pick("cpuNsPerDelivery"), share: pick("deliveredShare") }
  })
  for (const row of medians) {
    console.log(
      `  ${row.label.padEnd(18)} delivered ${(row.delivered / 1e6).toFixed(2).padStart(6)} M/s   publisher CPU ${(row.perSent / 1e3).toFixed(1).padStart(7)} µs/message, ${row.perDelivery.toFixed(1).padStart(6)} ns/delivery   delivered ${(row.share * 100).toFixed(0)} %`,
    )
  }
  const [ours, theirs] = medians
  console.log(`  zmq-ts ÷ libzmq: delivery rate ${(ours!.delivered / theirs!.delivered).toFixed(2)}×, CPU per delivery ${(ours!.perDelivery / theirs!.perDelivery).toFixed(2)}× (lower is better)`)
}
if (jsonPath !== "") writeFileSync(jsonPath, `${JSON.stringify({ machine, subscribers, rounds, seconds, results }, null, 2)}\n`)
c.remove()
