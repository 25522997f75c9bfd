/**
 * The scale case of issue 19: 10,000 concurrent connections to one ROUTER, zmq-ts (src/scale/router.ts)
 * and then libzmq C (c/scale_router.c), each in its own process, with the same libzmq client process
 * (c/scale_clients.c: libzmq DEALERs, 5,000 per process and context) so that only the server differs. For each: connect
 * storm time, every peer routable, memory per idle connection (RSS; heap), idle CPU and event-loop delay
 * with 0 and with 10,000 idle peers, a round of one request per peer, then memory once all have left.
 * Writes results/scale-connections-latest.{json,md} (or results/<--out>.{json,md}).
 *
 *   pnpm --filter @zmq-ts/bench scale-connections [--peers 10000] [--idle-seconds 10] [--backlog 4096]
 *     [--peers-per-client 5000] [--only zmq-ts|libzmq] [--profile <dir>: a CPU profile of the zmq-ts server]
 *     [--out <name>]
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { buildCTools } from "../lib/c-build.js"
import { option } from "../lib/command-line.js"
import { describeMachine } from "../lib/machine.js"
import { BENCH_DIRECTORY } from "../lib/process.js"
import { LineChild } from "./line-child.js"
import { measureServer, type ScaleResult, type ScaleSettings, type ServerProcess } from "./measure.js"
import { tableMarkdown, verdict } from "./report.js"

const settings: ScaleSettings = {
  peers: Number(option("--peers", "10000")),
  idleSeconds: Number(option("--idle-seconds", "10")),
  backlog: Number(option("--backlog", "4096")),
  peersPerClient: Number(option("--peers-per-client", "5000")),
  phaseTimeoutMs: Number(option("--phase-timeout-ms", "60000")),
}
const only = option("--only")
const profile = option("--profile")
const out = option("--out", "scale-connections-latest")
// Each server binds a port the system picks. A fixed one (47300…) lies inside the ephemeral range here
// (32768–60999): a client connection of the run before may have used it, and its TIME_WAIT then refuses the
// bind (EADDRINUSE) for a minute.
const ADDRESS = "tcp://127.0.0.1:*"

const descriptors = LineChild.descriptorLimit()
if (descriptors < settings.peers + 100 || descriptors < 2 * settings.peersPerClient + 100) {
  console.error(`scale-connections: the hard limit of open files (ulimit -Hn) is ${descriptors}; ${settings.peers} peers need ${settings.peers + 100} in the server and ${2 * settings.peersPerClient + 100} per client process (--peers-per-client)`)
  process.exit(1)
}
const built = buildCTools(join(BENCH_DIRECTORY, "c"))
if (!("build" in built)) {
  console.error(`scale-connections needs the libzmq C tools (the clients are libzmq): ${built.reason}`)
  process.exit(1)
}
const { build } = built
const ephemeral = readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/).map(Number)
const machine = describeMachine()
console.log(
  `scale-connections: ${settings.peers} peers, one ROUTER per process, clients libzmq ${build.libzmqVersion} (${Math.ceil(settings.peers / settings.peersPerClient)} processes); ` +
    `idle windows ${settings.idleSeconds} s; backlog ${settings.backlog}; ephemeral ports ${ephemeral.join("–")}; open files ≤ ${descriptors}; ${machine.cpu}, ${machine.cores} cores`,
)

const servers: ServerProcess[] = [
  {
    name: "zmq-ts",
    command: process.execPath,
    args: [...(profile === undefined ? [] : ["--cpu-prof", `--cpu-prof-dir=${profile}`]), "--expose-gc", "--conditions=@zmq-ts/source", "--import", "tsx", join(BENCH_DIRECTORY, "src", "scale", "router.ts"), ADDRESS, String(settings.peers), String(settings.backlog)],
  },
  {
    name: `libzmq ${build.libzmqVersion} C`,
    command: build.path("scale_router"),
    args: [ADDRESS, String(settings.peers), String(settings.backlog)],
  },
]

const started = performance.now()
const results: ScaleResult[] = []
try {
  for (const server of servers) {
    if (only !== undefined && !server.name.startsWith(only)) continue
    console.log(`${server.name}:`)
    results.push(await measureServer(server, build.path("scale_clients"), settings, (line) => console.log(line)))
  }
} finally {
  build.remove()
}

const table = tableMarkdown(results)
const judged = verdict(results)
console.log(`\n${table}\n\n${judged.lines.join("\n")}`)
const seconds = (performance.now() - started) / 1000
const directory = join(BENCH_DIRECTORY, "results")
mkdirSync(directory, { recursive: true })
writeFileSync(
  join(directory, `${out}.json`),
  `${JSON.stringify({ settings, machine, libzmq: build.libzmqVersion, seconds, results, rssRatio: judged.rssRatio, heapRatio: judged.heapRatio }, null, 2)}\n`,
)
writeFileSync(
  join(directory, `${out}.md`),
  `# 10,000 connections to one ROUTER\n\n${machine.date}, ${machine.cpu} (${machine.cores} cores), Node ${machine.node}, libzmq ${build.libzmqVersion}; ` +
    `${settings.peers} peers, idle windows of ${settings.idleSeconds} s, backlog ${settings.backlog}; load average ${machine.loadAverageAtStart} at the start; ${seconds.toFixed(0)} s.\n\n${table}\n\n${judged.lines.map((line) => `- ${line}`).join("\n")}\n`,
)
console.log(`\nwrote results/${out}.{json,md} (${seconds.toFixed(0)} s)`)
