/** The scale case's table (printed, and written as Markdown next to the JSON) and its verdict. */
import type { IdleWindow, Memory, ScaleResult } from "./measure.js"

const KIB = 1024

function perPeer(after: number, before: number, peers: number): number {
  return (after - before) / peers
}

/** What one idle connection costs the server, in bytes: RSS, and heap (+ external for zmq-ts). */
export function perConnection(result: ScaleResult): { rss: number; heap: number; external: number | undefined } {
  const { baseline, connected } = result.memory
  return {
    rss: perPeer(connected.rss, baseline.rss, result.peers),
    heap: perPeer(connected.heap, baseline.heap, result.peers),
    external: connected.external === undefined ? undefined : perPeer(connected.external, baseline.external ?? 0, result.peers),
  }
}

function kib(bytes: number): string {
  return `${(bytes / KIB).toFixed(2)} KiB`
}

function mib(bytes: number): string {
  return `${bytes >= 0 ? "+" : ""}${(bytes / 2 ** 20).toFixed(1)} MiB`
}

function idleCpu(window: IdleWindow): string {
  return `${window.cpuPercent.toFixed(2)} (${window.mainThreadCpuPercent.toFixed(2)})`
}

function left(memory: Memory, baseline: Memory, connected: Memory, key: "rss" | "heap" | "external"): string {
  if (memory[key] === undefined) return "–"
  const grown = connected[key]! - baseline[key]!
  const kept = memory[key]! - baseline[key]!
  return `${mib(kept)} (${grown === 0 ? "–" : ((100 * kept) / grown).toFixed(0)} % of the growth)`
}

export function tableMarkdown(results: readonly ScaleResult[]): string {
  const lines = [
    "| server | storm s (server CPU s) | routable | RSS/conn | heap/conn | request round s (server CPU s) | after disconnect: RSS, heap (, external) | idle CPU %, all threads (main thread), 0 → N peers | event-loop delay p99 ms (0 → N) |",
    "|---|---|---|---|---|---|---|---|---|",
  ]
  for (const result of results) {
    const per = perConnection(result)
    const { baseline, connected, afterDisconnect } = result.memory
    const heap = per.external === undefined ? `${kib(per.heap)} (malloc)` : `${kib(per.heap)} + ${kib(per.external)} external`
    const routed = result.routed
    const routable = `${routed.own}/${result.peers}${routed.wrong + routed.extra + routed.missing > 0 ? ` (wrong ${routed.wrong}, extra ${routed.extra}, missing ${routed.missing})` : ""}`
    const p99 = (window: typeof result.idle.none): string =>
      `${window.delayP99Ms?.toFixed(1) ?? "?"}${window.delayGcCount === undefined || window.delayGcCount === 0 ? "" : ` (${window.delayGcCount} GCs)`}`
    const delay = result.idle.none.delayP99Ms === undefined ? "–" : `${p99(result.idle.none)} → ${p99(result.idle.connected)}`
    lines.push(
      `| ${result.server} | ${result.stormSeconds.toFixed(2)} (${result.stormCpuSeconds.toFixed(2)}) | ${routable} | ${kib(per.rss)} | ${heap} | ${result.round.seconds.toFixed(2)} (${result.roundCpuSeconds.toFixed(2)})${result.round.own === result.peers ? "" : `, ${result.round.own}/${result.peers} replies`} | ${left(afterDisconnect, baseline, connected, "rss")}, ${left(afterDisconnect, baseline, connected, "heap")}${afterDisconnect.external === undefined ? "" : `, ${left(afterDisconnect, baseline, connected, "external")}`} | ${idleCpu(result.idle.none)} → ${idleCpu(result.idle.connected)} | ${delay} |`,
    )
  }
  return lines.join("\n")
}

export interface Verdict {
  readonly rssRatio: number | undefined
  readonly heapRatio: number | undefined
  readonly lines: readonly string[]
}

/** zmq-ts ÷ libzmq for memory per connection (target ≤ 1.0×), and the idle-work check. */
export function verdict(results: readonly ScaleResult[]): Verdict {
  const ours = results.find((result) => result.server === "zmq-ts")
  const theirs = results.find((result) => result.server.startsWith("libzmq"))
  const lines: string[] = []
  let rssRatio: number | undefined
  let heapRatio: number | undefined
  if (ours !== undefined && theirs !== undefined) {
    const a = perConnection(ours)
    const b = perConnection(theirs)
    rssRatio = a.rss / b.rss
    heapRatio = (a.heap + (a.external ?? 0)) / b.heap
    lines.push(
      `Memory per idle connection, zmq-ts ÷ libzmq: RSS ${rssRatio.toFixed(2)}× (${kib(a.rss)} ÷ ${kib(b.rss)}), target ≤ 1.0×: ${rssRatio <= 1 ? "met" : "not met"}.`,
      `Heap: zmq-ts's V8 heap + external ÷ libzmq's malloc in use ${heapRatio.toFixed(2)}× (${kib(a.heap + (a.external ?? 0))} ÷ ${kib(b.heap)}).`,
    )
  }
  if (ours?.timers !== undefined) {
    const { none, connected, afterDisconnect } = ours.timers
    lines.push(
      `zmq-ts live timers: ${none.live} with no peer, ${connected.live} with ${ours.peers} idle peers (${connected.intervals} intervals), ${afterDisconnect.live} after they left.`,
    )
  }
  for (const result of results) {
    const { none, connected } = result.idle
    const collections = (window: typeof none): string => (window.gcCount === undefined ? "" : ` (${window.gcCount} GCs, ${window.gcMs!.toFixed(0)} ms)`)
    lines.push(
      `${result.server} idle CPU, all threads (main thread): ${idleCpu(none)} %${collections(none)} with no peer, ${idleCpu(connected)} %${collections(connected)} with ${result.peers} idle peers.`,
    )
  }
  return { rssRatio, heapRatio, lines }
}
