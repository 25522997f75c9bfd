/**
 * The cases of issue 8 (and 15, 17, 18), their targets, and how each implementation runs each case.
 */
import { rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import type { CBuild, CTool } from "./lib/c-build.js"
import { curveEnvironment } from "./lib/curve.js"
import { generateCurveKeys } from "./lib/curve-keys.js"
import { binaryTool, nodeTool, runPair, type PairOutcome, type Tool } from "./lib/process.js"
import { MAX_WARMUP_SECONDS } from "./lib/warm-up.js"
import { probeWsUpgrade } from "./lib/ws-probe.js"

export const IMPLEMENTATIONS = ["zmq-ts", "zeromq.js", "libzmq C", "net"] as const
export type Implementation = (typeof IMPLEMENTATIONS)[number]

export type Kind = "throughput" | "latency" | "pubsub" | "inproc" | "memory" | "handshake"
export type Transport = "tcp" | "ipc" | "inproc" | "ws"

/**
 * A target: a ratio of zmq-ts to another implementation (same round), an absolute bound on zmq-ts, or a
 * ratio of zmq-ts's median here to zmq-ts's median in another case of the same run (issue 18: a pattern
 * within 10 % of the simplest one on the same transport and size).
 */
export type Target =
  | { readonly against: Implementation; readonly op: ">=" | "<="; readonly value: number }
  | { readonly against: "absolute"; readonly op: ">=" | "<="; readonly value: number }
  | { readonly against: "case"; readonly case: string; readonly op: ">=" | "<="; readonly value: number }

/** What a latency case's two sides do: one message per round trip over REQ↔REP, DEALER↔ROUTER or two PUB/SUB pairs. */
export type LatencyPattern = "req-rep" | "dealer-router" | "pub-sub"

export interface BenchCase {
  readonly id: string
  readonly title: string
  readonly kind: Kind
  readonly transport: Transport
  readonly size: number
  readonly subscribers?: number
  /** inproc: the threads the case spans (one when absent). */
  readonly threads?: number
  /** The CURVE mechanism (fresh key pairs for every run), not NULL. */
  readonly curve?: boolean
  /** latency: the sockets of the round trip (REQ↔REP when absent). */
  readonly pattern?: LatencyPattern
  /** throughput: DEALER→ROUTER instead of PUSH→PULL. */
  readonly dealerRouter?: boolean
  /**
   * Informational (issue 18): zmq-ts's median here ÷ zmq-ts's median in this case of the same run, e.g. a
   * CURVE or ws row against our own NULL tcp row of the same size.
   */
  readonly ownBaseline?: string
  readonly implementations: readonly Implementation[]
  readonly targets: readonly Target[]
  /** The target as the issue words it. */
  readonly targetText: string
  readonly rounds: number
}

/**
 * One measurement: msgs/s (throughput, pubsub, inproc), µs per round trip (latency), bytes/payload (memory),
 * handshakes per second of the server process's CPU time (handshake).
 */
export interface Sample {
  readonly value: number
  readonly otherCores: number | undefined
  readonly detail: Record<string, number>
}

export interface Settings {
  readonly full: boolean
  readonly rounds: number
  /** Each throughput/pub-sub/inproc run: messages before this many seconds are not counted (JIT, connection). */
  readonly warmup: number
  /** …and the time measured after it (the sender's loop is bounded by warmup + seconds). */
  readonly seconds: number
  /** Each latency run: untimed round trips for this long… */
  readonly latencyWarmup: number
  /** …then timed round trips for this long. */
  readonly latencySeconds: number
  readonly memoryMessages: number
  /** Each CURVE handshake run: connections after the warm-up are counted for this long. */
  readonly handshakeSeconds: number
}

export const SHORT: Settings = {
  full: false,
  rounds: 3,
  warmup: 0.4,
  seconds: 0.5,
  latencyWarmup: 0.3,
  latencySeconds: 0.3,
  memoryMessages: 1_000_000,
  handshakeSeconds: 1,
}
export const FULL: Settings = {
  full: true,
  rounds: 5,
  warmup: 0.5,
  seconds: 1,
  latencyWarmup: 0.5,
  latencySeconds: 1,
  memoryMessages: 1_000_000,
  handshakeSeconds: 2,
}

/** Count bounds (each run stops at whichever of count and time comes first). */
const MAX_MESSAGES = 500_000_000
const MAX_ROUND_TRIPS = 1_000_000
/** How long a publisher waits after connecting, so that every subscription has arrived. */
const SETTLE_MS = 200
/** CURVE handshake case: connections the client process keeps in flight. */
const HANDSHAKE_CONCURRENCY = 4

const ALL: readonly Implementation[] = IMPLEMENTATIONS
const NODE_ONLY: readonly Implementation[] = ["zmq-ts", "zeromq.js"]
/** No `net` ceiling for CURVE: it would need the crypto, which is the point of the case. */
const LIBRARIES: readonly Implementation[] = ["zmq-ts", "zeromq.js", "libzmq C"]

export function benchCases(settings: Settings): BenchCase[] {
  const { full, rounds } = settings
  const cases: BenchCase[] = []
  const sizes = full ? [8, 64, 1024, 65536] : [8, 64]
  for (const transport of ["tcp", "ipc"] as const) {
    for (const size of sizes) {
      const small = size <= 64
      cases.push({
        id: `push-pull-${transport}-${size}`,
        title: `PUSH→PULL ${transport} ${formatSize(size)}`,
        kind: "throughput",
        transport,
        size,
        implementations: ALL,
        targets: small
          ? [
              { against: "libzmq C", op: ">=", value: 1.2 },
              { against: "zeromq.js", op: ">=", value: 20 },
            ]
          : [{ against: "libzmq C", op: ">=", value: 1 }],
        targetText: small ? "≥ 1.2× libzmq C, ≥ 20× zeromq.js" : "≥ 1.0× libzmq C",
        rounds,
      })
    }
  }
  // Issue 18: DEALER→ROUTER's rate within 10 % of PUSH→PULL's (zmq-ts's own rows, same run).
  for (const transport of full ? (["tcp", "ipc"] as const) : (["tcp"] as const)) {
    for (const size of full ? [64, 1024] : [64]) {
      cases.push({
        id: `dealer-router-thr-${transport}-${size}`,
        title: `DEALER→ROUTER ${transport} ${formatSize(size)}`,
        kind: "throughput",
        dealerRouter: true,
        transport,
        size,
        implementations: ALL,
        targets: [{ against: "case", case: `push-pull-${transport}-${size}`, op: ">=", value: 0.9 }],
        targetText: `≥ 0.9× PUSH→PULL ${transport} ${formatSize(size)}`,
        rounds,
      })
    }
  }
  // A zmq-ts tcp NULL PUSH→PULL row of that size in this run, for the CURVE and ws rows' "÷ own" (issue 18).
  const ownTcp = (size: number): { ownBaseline?: string } => (sizes.includes(size) ? { ownBaseline: `push-pull-tcp-${size}` } : {})
  // ws (issue 17): ZWS 2.0 over loopback, NULL. No `net` column: its ceiling tools speak ZMTP over tcp.
  for (const size of [64, 65536]) {
    cases.push({
      id: `push-pull-ws-${size}`,
      title: `PUSH→PULL ws ${formatSize(size)}`,
      kind: "throughput",
      transport: "ws",
      size,
      implementations: LIBRARIES,
      targets: [{ against: "libzmq C", op: ">=", value: 1 }],
      targetText: "≥ 1.0× libzmq C",
      ...ownTcp(size),
      rounds,
    })
  }
  // CURVE (issue 15): the same PUSH→PULL over tcp with the CURVE mechanism, every size in both runs.
  for (const size of [64, 1024, 65536]) {
    cases.push({
      id: `curve-push-pull-tcp-${size}`,
      title: `PUSH→PULL tcp CURVE ${formatSize(size)}`,
      kind: "throughput",
      transport: "tcp",
      size,
      curve: true,
      implementations: LIBRARIES,
      targets: [{ against: "libzmq C", op: ">=", value: 0.5 }],
      targetText: "≥ 0.5× libzmq C",
      ...ownTcp(size),
      rounds,
    })
  }
  cases.push({
    id: "curve-handshakes-tcp",
    title: "CURVE handshakes tcp",
    kind: "handshake",
    transport: "tcp",
    size: 1,
    curve: true,
    implementations: LIBRARIES,
    targets: [{ against: "absolute", op: ">=", value: 1000 }],
    targetText: "≥ 1,000/s on one core",
    rounds,
  })
  // The same connections without CURVE: the ceiling of the case above (tcp accept, ZMTP greeting, teardown).
  cases.push({
    id: "null-handshakes-tcp",
    title: "NULL handshakes tcp (ceiling of CURVE's)",
    kind: "handshake",
    transport: "tcp",
    size: 1,
    implementations: LIBRARIES,
    targets: [],
    targetText: "none (ceiling)",
    rounds,
  })
  // Issue 18: every round trip against the raw Node ping-pong (`net`), the floor of any one-message round trip.
  for (const transport of ["tcp", "ipc"] as const) {
    for (const size of full ? [8, 64, 1024, 65536] : [64]) {
      const limit = size >= 65536 ? 1.15 : 1.1
      cases.push({
        id: `req-rep-${transport}-${size}`,
        title: `REQ↔REP ${transport} ${formatSize(size)}`,
        kind: "latency",
        transport,
        size,
        implementations: ALL,
        targets: [{ against: "net", op: "<=", value: limit }],
        targetText: `≤ ${limit}× net's time`,
        rounds,
      })
    }
  }
  // ws: `net` is the same ping-pong in ZWS-in-WebSocket frames (lib/net-ws.ts).
  cases.push({
    id: "req-rep-ws-64",
    title: "REQ↔REP ws 64 B",
    kind: "latency",
    transport: "ws",
    size: 64,
    implementations: ALL,
    targets: [],
    targetText: "",
    ownBaseline: "req-rep-tcp-64",
    rounds,
  })
  // Issue 18: the other patterns' round trips within 10 % of REQ↔REP's (zmq-ts's own rows, same run).
  for (const transport of full ? (["tcp", "ipc"] as const) : (["tcp"] as const)) {
    for (const size of full ? [64, 1024] : [64]) {
      cases.push({
        id: `dealer-router-${transport}-${size}`,
        title: `DEALER↔ROUTER ${transport} ${formatSize(size)}`,
        kind: "latency",
        pattern: "dealer-router",
        transport,
        size,
        implementations: ALL,
        targets: [{ against: "case", case: `req-rep-${transport}-${size}`, op: "<=", value: 1.1 }],
        targetText: `≤ 1.1× REQ↔REP ${transport} ${formatSize(size)}`,
        rounds,
      })
    }
  }
  for (const transport of full ? (["tcp", "ipc"] as const) : (["tcp"] as const)) {
    cases.push({
      id: `pub-sub-rtt-${transport}-64`,
      title: `PUB/SUB round trip ${transport} 64 B`,
      kind: "latency",
      pattern: "pub-sub",
      transport,
      size: 64,
      implementations: ALL,
      targets: [{ against: "case", case: `req-rep-${transport}-64`, op: "<=", value: 1.1 }],
      targetText: `≤ 1.1× REQ↔REP ${transport} 64 B`,
      rounds,
    })
  }
  for (const transport of full ? (["tcp", "ipc"] as const) : (["tcp"] as const)) {
    for (const size of full ? [64, 1024] : [64]) {
      for (const subscribers of [1, 10]) {
        cases.push({
          id: `pub-sub-${transport}-${size}-x${subscribers}`,
          title: `PUB→SUB ×${subscribers} ${transport} ${formatSize(size)}`,
          kind: "pubsub",
          transport,
          size,
          subscribers,
          implementations: ALL,
          targets: [
            ...(size === 64 ? [{ against: "libzmq C", op: ">=", value: 1 } as const] : []),
            // Issue 18: one subscriber's rate within 10 % of PUSH→PULL's (where that size runs).
            ...(subscribers === 1 && sizes.includes(size) ? [{ against: "case", case: `push-pull-${transport}-${size}`, op: ">=", value: 0.9 } as const] : []),
          ],
          targetText: [
            ...(size === 64 ? ["≥ 1.0× libzmq C"] : []),
            ...(subscribers === 1 && sizes.includes(size) ? [`≥ 0.9× PUSH→PULL ${transport} ${formatSize(size)}`] : []),
          ].join(", "),
          rounds,
        })
      }
    }
  }
  for (const size of full ? [8, 64, 1024, 65536] : [64]) {
    cases.push({
      id: `inproc-${size}`,
      title: `inproc PUSH→PULL ${formatSize(size)}`,
      kind: "inproc",
      transport: "inproc",
      size,
      // "net" is the plain-JavaScript ceiling of the same two loops over an array (lib/await-ceiling.ts).
      implementations: [...NODE_ONLY, "net"],
      targets: size === 64 ? [{ against: "absolute", op: ">=", value: 10_000_000 }] : [],
      targetText: size === 64 ? "≥ 10 M msgs/s" : "",
      rounds,
    })
    // The same with the PUSH in a worker thread of a shared context: informational, no target.
    cases.push({
      id: `inproc-threads-${size}`,
      title: `inproc PUSH→PULL ${formatSize(size)}, two threads`,
      kind: "inproc",
      transport: "inproc",
      size,
      threads: 2,
      implementations: NODE_ONLY,
      targets: [],
      targetText: "",
      rounds,
    })
  }
  cases.push({
    id: "memory-pull-1m-64",
    title: `PULL holding ${settings.memoryMessages / 1e6} M × 64 B`,
    kind: "memory",
    transport: "tcp",
    size: 64,
    implementations: ["zmq-ts"],
    targets: [{ against: "absolute", op: "<=", value: 2 }],
    targetText: "≤ 2× payload",
    rounds: full ? 3 : 1,
  })
  return cases
}

export function formatSize(size: number): string {
  return size >= 1024 ? `${size / 1024} KiB` : `${size} B`
}

let sequence = 0

/** A fresh ipc path in the temp directory (and a function removing what was made of it). */
function ipcPath(): { address: string; remove: () => void } {
  const path = join(tmpdir(), `zmq-ts-bench-${process.pid}-${++sequence}`)
  return {
    address: `ipc://${path}`,
    remove: () => {
      for (const file of [path, ...Array.from({ length: 64 }, (_, i) => `${path}-${i}`)]) rmSync(file, { force: true })
    },
  }
}

/** Runs one case once with one implementation. */
export async function measure(benchCase: BenchCase, implementation: Implementation, settings: Settings, c: CBuild | undefined): Promise<Sample> {
  const { size } = benchCase
  const ipc = benchCase.transport === "ipc" ? ipcPath() : undefined
  const ws = benchCase.transport === "ws"
  const bindAddress = ipc?.address ?? (ws ? "ws://127.0.0.1:*" : "tcp://127.0.0.1:*")
  // ws: the runner checks that the bound listener answers a WebSocket upgrade with ZWS 2.0 before the sender
  // connects (lib/ws-probe.ts), so no implementation can pass a tcp run for a ws one.
  const beforeRelay = ws ? async (endpoints: string): Promise<void> => void (await probeWsUpgrade(endpoints)) : undefined
  // CURVE: fresh key pairs for every run, to both sides through the environment (lib/curve.ts).
  const env = benchCase.curve === true ? curveEnvironment(generateCurveKeys()) : undefined
  const tool = (node: string, cName: CTool, nodeArgs: (string | number)[], cArgs: (string | number)[]): Tool => {
    if (implementation === "libzmq C") {
      if (c === undefined) throw new Error("libzmq C tools are not built")
      return binaryTool(c.path(cName), cArgs, env)
    }
    return nodeTool(node, [implementation, ...nodeArgs], [], env)
  }
  const { warmup } = settings
  // A sender's time bound: the C tools warm up in `warmup` (no JIT); a Node sender's receiver warms up until its
  // rate stops rising (lib/warm-up.ts), then tells it to send `settings.seconds` more (SendDeadline).
  const seconds = implementation === "libzmq C" ? warmup + settings.seconds : MAX_WARMUP_SECONDS + settings.seconds
  const measureSeconds = settings.seconds
  const deadlineMs = Math.round((MAX_WARMUP_SECONDS + settings.seconds) * 1000) + 15_000
  const timeoutMs = deadlineMs + 15_000
  try {
    switch (benchCase.kind) {
      case "throughput": {
        // `net` is the same raw stream for DEALER→ROUTER as for PUSH→PULL: the floor of one-way messages.
        const router = benchCase.dealerRouter === true && implementation !== "net"
        const receiving = [bindAddress, size, warmup, deadlineMs]
        const sending = [size, MAX_MESSAGES, seconds]
        const outcome = await runPair(
          router ? tool("local-thr-router", "local_thr_router", receiving, receiving) : tool("local-thr", "local_thr", receiving, receiving),
          router ? tool("remote-thr-dealer", "remote_thr_dealer", sending, sending) : tool("remote-thr", "remote_thr", sending, sending),
          { timeoutMs, measureSeconds, ...(beforeRelay === undefined ? {} : { beforeRelay }) },
        )
        return rate(outcome, size)
      }
      case "latency": {
        const timing = [MAX_ROUND_TRIPS, settings.latencyWarmup, settings.latencySeconds]
        // `net` is the same raw ping-pong whatever the pattern: the floor of any one-message round trip.
        const pattern = implementation === "net" ? "req-rep" : (benchCase.pattern ?? "req-rep")
        const [echo, timer] = latencyTools(pattern, bindAddress, deadlineMs, [size, ...timing])
        const outcome = await runPair(tool(...echo), tool(...timer), { timeoutMs, ...(beforeRelay === undefined ? {} : { beforeRelay }) })
        const sender = outcome.sender!
        if (!(sender["roundTrips"]! > 0)) throw new Error("no round trip completed")
        return {
          value: (sender["seconds"]! / sender["roundTrips"]!) * 1e6,
          otherCores: outcome.otherCores,
          detail: { roundTrips: sender["roundTrips"]!, seconds: sender["seconds"]!, warmupSeconds: sender["warmupSeconds"] ?? 0 },
        }
      }
      case "pubsub": {
        const where = ipc?.address ?? "tcp"
        const n = benchCase.subscribers!
        const outcome = await runPair(
          tool("local-sub", "local_sub", [where, n, warmup, deadlineMs], [where, n, warmup, deadlineMs]),
          tool("remote-pub", "remote_pub", [size, MAX_MESSAGES, seconds, SETTLE_MS], [size, MAX_MESSAGES, seconds, SETTLE_MS]),
          { timeoutMs, measureSeconds },
        )
        const sample = rate(outcome, undefined)
        const sent = outcome.sender!["sent"]!
        const received = outcome.receiver["received"]!
        return { ...sample, detail: { ...sample.detail, sent, received, deliveredShare: received / (sent * n) } }
      }
      case "inproc": {
        const name = (benchCase.threads ?? 1) === 1 ? "inproc" : "inproc-threads"
        const outcome = await runPair(nodeTool(name, [implementation, size, MAX_MESSAGES, warmup, settings.seconds]), undefined, { timeoutMs })
        return rate(outcome, size)
      }
      case "memory": {
        const count = settings.memoryMessages
        const outcome = await runPair(
          nodeTool("memory", [bindAddress, size, 60_000], ["--expose-gc"]),
          nodeTool("remote-thr", ["zmq-ts", size, count, 60]),
          { timeoutMs: 90_000, onSenderResult: (tell) => tell("sent") },
        )
        const result = outcome.receiver
        if (result["messages"] !== count || result["badSize"] !== 0) {
          throw new Error(`received ${result["messages"]} of ${count} queued messages (${result["badSize"]} of the wrong size)`)
        }
        return { value: result["totalBytes"]! / result["payloadBytes"]!, otherCores: outcome.otherCores, detail: result }
      }
      case "handshake": {
        const timing = [HANDSHAKE_CONCURRENCY, warmup, settings.handshakeSeconds]
        const handshakeTimeoutMs = Math.round((warmup + settings.handshakeSeconds) * 1000) + 30_000
        const outcome = await runPair(
          tool("handshake-server", "handshake_server", [bindAddress, handshakeTimeoutMs], [bindAddress, handshakeTimeoutMs]),
          tool("handshake-client", "handshake_client", timing, timing),
          { timeoutMs: handshakeTimeoutMs + 15_000 },
        )
        const server = outcome.receiver
        const client = outcome.sender!
        const handshakes = server["handshakes"]!
        if (!(handshakes > 0) || !(server["windowCpuMs"]! > 0)) throw new Error(`no handshake measured (${JSON.stringify(server)})`)
        return {
          // Per second of the server process's CPU time: what one core serves, whatever the other core does.
          value: handshakes / (server["windowCpuMs"]! / 1000),
          otherCores: outcome.otherCores,
          detail: {
            handshakes,
            seconds: server["seconds"]!,
            wallRate: handshakes / server["seconds"]!,
            serverCpuMsPerHandshake: server["windowCpuMs"]! / handshakes,
            serverCores: server["windowCpuMs"]! / 1000 / server["seconds"]!,
            clientCpuMsPerHandshake: client["handshakes"]! > 0 ? client["windowCpuMs"]! / client["handshakes"]! : 0,
            clientCores: client["seconds"]! > 0 ? client["windowCpuMs"]! / 1000 / client["seconds"]! : 0,
          },
        }
      }
      default:
        throw new Error(`unknown case kind ${String(benchCase.kind satisfies never)}`)
    }
  } finally {
    ipc?.remove()
  }
}

type ToolSpec = [node: string, c: CTool, nodeArgs: (string | number)[], cArgs: (string | number)[]]

/** The echoing and the timing side of a latency run (the TypeScript and the C tools take the same arguments). */
function latencyTools(pattern: LatencyPattern, address: string, deadlineMs: number, timing: (string | number)[]): [ToolSpec, ToolSpec] {
  switch (pattern) {
    case "req-rep":
      return [
        ["local-lat", "local_lat", [address, deadlineMs], [address, deadlineMs]],
        ["remote-lat", "remote_lat", timing, timing],
      ]
    case "dealer-router":
      return [
        ["local-lat-router", "local_lat_router", [address, deadlineMs], [address, deadlineMs]],
        ["remote-lat-dealer", "remote_lat_dealer", timing, timing],
      ]
    case "pub-sub": {
      // Two PUB/SUB pairs, two listeners: ipc paths <path>-0 and <path>-1 (ipcPath removes those), tcp two ports.
      const pair = address.startsWith("ipc://") ? [`${address}-0`, `${address}-1`] : [address, address]
      return [
        ["local-lat-pubsub", "local_lat_pubsub", [...pair, deadlineMs], [...pair, deadlineMs]],
        ["remote-lat-pubsub", "remote_lat_pubsub", timing, timing],
      ]
    }
    default:
      throw new Error(`unknown latency pattern ${String(pattern satisfies never)}`)
  }
}

function rate(outcome: PairOutcome, size: number | undefined): Sample {
  const result = outcome.receiver
  const messages = result["messages"]!
  const seconds = result["seconds"]!
  if (!(messages > 0) || !(seconds > 0)) throw new Error(`no messages measured (${JSON.stringify(result)})`)
  if (size !== undefined && (result["badSize"] ?? 0) > 0) throw new Error(`${result["badSize"]} messages of the wrong size`)
  return { value: messages / seconds, otherCores: outcome.otherCores, detail: { messages, seconds, warmedUp: result["warmedUp"] ?? 0, warmupSeconds: result["warmupSeconds"] ?? 0 } }
}
