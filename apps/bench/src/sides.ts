/**
 * Which side bounds a zmq-ts pair, measured: each side alone against a raw peer that costs next to nothing
 * per message (lib/raw-peer.ts), next to the pair itself, libzmq C's pair, and the floor of the receiving
 * loop (tools/receive-floor.ts), rounds interleaved as in run.ts. Patterns: PUSH→PULL, DEALER→ROUTER (the
 * ROUTER receives [routing id, body]), and PUB→SUB fan-out to `--subscribers` SUBs in one process (tcp and
 * ipc; aggregate rate). Used for issue 18's "what bounds it" (docs/decisions/0018-performance-round-2.md).
 *
 *   pnpm --filter @zmq-ts/bench sides [--pattern push-pull|dealer-router|pub-sub] [--subscribers 10]
 *     [--size 64] [--rounds 3] [--transports tcp,ipc,ws] [--seconds 2]
 */
import { join } from "node:path"
import { buildCTools, type CBuild } from "./lib/c-build.js"
import { option } from "./lib/command-line.js"
import { IpcPaths } from "./lib/ipc-paths.js"
import { describeMachine } from "./lib/machine.js"
import { binaryTool, BENCH_DIRECTORY, nodeTool, runPair, type PairOutcome, type Tool } from "./lib/process.js"
import { median, range } from "./lib/stats.js"
import { MAX_WARMUP_SECONDS } from "./lib/warm-up.js"
import { probeWsUpgrade } from "./lib/ws-probe.js"

type Pattern = "push-pull" | "dealer-router" | "pub-sub"
const pattern = option("--pattern", "push-pull") as Pattern
if (!["push-pull", "dealer-router", "pub-sub"].includes(pattern)) throw new Error(`--pattern: push-pull, dealer-router or pub-sub, not ${pattern}`)
const subscribers = Number(option("--subscribers", "10"))
const size = Number(option("--size", "64"))
const rounds = Number(option("--rounds", "3"))
const seconds = Number(option("--seconds", "2"))
type SideTransport = "tcp" | "ipc" | "ws"
const transports = option("--transports", "tcp,ws").split(",") as SideTransport[]
if (pattern === "pub-sub" && transports.includes("ws")) throw new Error("--pattern pub-sub: tcp and ipc only")
const WARMUP = 0.5
const MAX_MESSAGES = 500_000_000
/** How long a publisher waits for its subscriptions to arrive (as the bench's pub-sub cases). */
const SETTLE_MS = 200
/** A Node sender's time bound: its receiver warms up until its rate stops rising, then tells it to send `seconds` more. */
const NODE_SENDING = MAX_WARMUP_SECONDS + seconds
const deadlineMs = Math.round(NODE_SENDING * 1000) + 15_000
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
/** ipc paths made (pub-sub's SUBs bind `<prefix>-<i>`), removed at the end. */
const ipcPaths = new IpcPaths("zmq-ts-bench-sides")
const bindAddress = (transport: SideTransport): string => (transport === "ipc" ? `ipc://${ipcPaths.next()}` : `${transport}://127.0.0.1:*`)
/** Where pub-sub's subscribers bind: local-sub takes "tcp" or an ipc prefix. */
const subscriberWhere = (transport: SideTransport): string => {
  if (transport !== "ipc") return "tcp"
  const prefix = ipcPaths.next()
  for (let i = 0; i < subscribers; i++) ipcPaths.add(`${prefix}-${i}`)
  return `ipc://${prefix}`
}
const probe = (transport: SideTransport) => (transport === "ws" ? { beforeRelay: async (endpoint: string) => void (await probeWsUpgrade(endpoint)) } : {})
const pairRow = (label: string, receiver: (t: SideTransport) => Tool, sender: (t: SideTransport) => Tool, probed = true): Row => ({
  label,
  run: async (t) => rate(await runPair(receiver(t), sender(t), { timeoutMs, measureSeconds: seconds, ...(probed ? probe(t) : {}) })),
})

const rows: Row[] = []
if (pattern === "pub-sub") {
  const zmqTsSubs = (t: SideTransport) => nodeTool("local-sub", ["zmq-ts", subscriberWhere(t), subscribers, WARMUP, deadlineMs])
  const zmqTsPub = () => nodeTool("remote-pub", ["zmq-ts", size, MAX_MESSAGES, NODE_SENDING, SETTLE_MS])
  rows.push(
    pairRow(`zmq-ts PUB → ${subscribers} zmq-ts SUBs (the pair)`, zmqTsSubs, zmqTsPub),
    pairRow(`raw publisher → ${subscribers} zmq-ts SUBs (receiving side alone)`, zmqTsSubs, () => nodeTool("raw-pub", [size, NODE_SENDING])),
    pairRow(`zmq-ts PUB → ${subscribers} raw SUBs (sending side alone)`, (t) => nodeTool("local-sub", ["raw", subscriberWhere(t), subscribers, WARMUP, deadlineMs]), zmqTsPub),
  )
  if (c !== undefined) {
    rows.push(
      pairRow(
        `libzmq C PUB → ${subscribers} C SUBs (${c.libzmqVersion})`,
        (t) => binaryTool(c.path("local_sub"), [subscriberWhere(t), subscribers, WARMUP, deadlineMs]),
        () => binaryTool(c.path("remote_pub"), [size, MAX_MESSAGES, WARMUP + seconds, SETTLE_MS]),
      ),
    )
  }
} else {
  const router = pattern === "dealer-router"
  const [receiving, sending] = router ? ["ROUTER", "DEALER"] : ["PULL", "PUSH"]
  const zmqTsReceiver = (t: SideTransport) => nodeTool(router ? "local-thr-router" : "local-thr", ["zmq-ts", bindAddress(t), size, WARMUP, deadlineMs])
  const zmqTsSender = () => nodeTool(router ? "remote-thr-dealer" : "remote-thr", ["zmq-ts", size, MAX_MESSAGES, NODE_SENDING])
  rows.push(
    pairRow("zmq-ts → zmq-ts (the pair)", zmqTsReceiver, zmqTsSender),
    pairRow(`raw sender → zmq-ts ${receiving} (receiving side alone)`, zmqTsReceiver, (t) => nodeTool("raw-sender", [t, size, NODE_SENDING, sending])),
    pairRow(`zmq-ts ${sending} → raw receiver (sending side alone)`, (t) => nodeTool("raw-receiver", [t, size, WARMUP, deadlineMs, receiving]), zmqTsSender, false),
  )
  // No zmq-ts at all: a raw sender into a raw receiver that copies each frame split across reads into a
  // fresh buffer, as a library handing out whole messages must (tcp, ipc): what any Node receiver pays.
  if (!transports.includes("ws")) {
    rows.push(
      pairRow(
        "raw sender → raw receiver, fresh buffer per split frame",
        (t) => nodeTool("raw-receiver", [t, size, WARMUP, deadlineMs, receiving, "gather"]),
        (t) => nodeTool("raw-sender", [t, size, NODE_SENDING, sending]),
        false,
      ),
    )
  }
  if (c !== undefined) {
    rows.push(
      pairRow(
        `libzmq C → libzmq C (${c.libzmqVersion})`,
        (t) => binaryTool(c.path(router ? "local_thr_router" : "local_thr"), [bindAddress(t), size, WARMUP, deadlineMs]),
        () => binaryTool(c.path(router ? "remote_thr_dealer" : "remote_thr"), [size, MAX_MESSAGES, WARMUP + seconds]),
      ),
    )
  }
}

const machine = describeMachine()
const title = pattern === "pub-sub" ? `PUB→SUB ×${subscribers}` : pattern === "dealer-router" ? "DEALER→ROUTER" : "PUSH→PULL"
console.log(`${machine.cpu}, ${machine.cores} cores, Node ${machine.node}, load ${machine.loadAverageAtStart}; ${title} ${size} B, ${rounds} interleaved rounds of ${seconds} s (after ≥ ${WARMUP} s, until steady)`)
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
      `  ${row.label.padEnd(54)} ${(m / 1e6).toFixed(2).padStart(6)} M/s  (${(spread.min / 1e6).toFixed(2)}–${(spread.max / 1e6).toFixed(2)})  ${(1e9 / m).toFixed(0).padStart(4)} ns/msg`,
    )
  }
}
c?.remove()
ipcPaths.removeAll()
