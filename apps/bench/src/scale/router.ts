/**
 * The zmq-ts side of the 10,000-connection scale case (../../c/scale_router.c is the libzmq side, with the
 * same protocol). One ROUTER binds; every peer first sends "h<index>", whose routing id goes into slot
 * <index> of a table allocated before the baseline (so the table is not counted per connection); "r…"
 * requests are echoed to their sender. The socket's events count accepted connections, finished handshakes
 * and disconnects. Commands on stdin, one answer line each on stdout:
 *   mem         MEM {json}: V8 heap and external memory after full GCs; the runner reads VmRSS after it
 *   status      STATUS {json}: counts, the CLOCK_MONOTONIC time (ns) of the last hello and handshake, timers
 *   route       ROUTED {json}: sends every known peer its own hello back
 *   idle-start, idle-stop   IDLE {json}: the event loop's delay between the two
 *   gc-watch, gc-report     GC {json}: the garbage collections between the two (count, total ms)
 * Needs --expose-gc.  usage: router <bind-address> <peers> <backlog>
 */
import { timerCount } from "./timer-census.js"
import { monitorEventLoopDelay, PerformanceObserver, type IntervalHistogram, type PerformanceEntry } from "node:perf_hooks"
import { args, fail, nextLine, ready } from "../lib/child.js"
import { loadZmq } from "../lib/zmq.js"

const [address, peersText, backlogText] = args("router <bind-address> <peers> <backlog>", 3)
const peers = Number(peersText)
const gc = (globalThis as { gc?: () => void }).gc ?? fail("run with --expose-gc")
/** One length byte and up to 15 bytes of routing id per peer (zmq-ts generates 5-byte ids, as libzmq). */
const SLOT = 16
const table = Buffer.alloc(peers * SLOT)

const zmq = await loadZmq("zmq-ts")
const router = new zmq.Router({ linger: 0, backlog: Number(backlogText) })
const counts = { hellos: 0, requests: 0, accepted: 0, handshakes: 0, disconnected: 0, bad: 0, lastHelloNs: 0n, lastHandshakeNs: 0n }
/** When each tenth of the peers had been accepted, and had said hello (ns): where a slow storm spends its time. */
const tenth = Math.max(1, Math.floor(peers / 10))
const acceptedAtNs: number[] = []
const helloAtNs: number[] = []
router.events.on("accept", () => {
  if (++counts.accepted % tenth === 0) acceptedAtNs.push(Number(process.hrtime.bigint()))
})
router.events.on("handshake", () => {
  counts.handshakes++
  counts.lastHandshakeNs = process.hrtime.bigint() // CLOCK_MONOTONIC, as the C tools' clock_gettime
})
router.events.on("disconnect", () => void counts.disconnected++)
await router.bind(address)
ready([router.lastEndpoint!])

const H = "h".charCodeAt(0)
const R = "r".charCodeAt(0)
async function serve(): Promise<void> {
  for await (const [id, body] of router) {
    if (id === undefined || body === undefined) {
      counts.bad++
    } else if (body[0] === H) {
      const index = Number(body.toString("latin1", 1))
      if (!Number.isInteger(index) || index < 0 || index >= peers || id.length > SLOT - 1) {
        counts.bad++
        continue
      }
      table[index * SLOT] = id.length
      id.copy(table, index * SLOT + 1)
      counts.lastHelloNs = process.hrtime.bigint()
      if (++counts.hellos % tenth === 0) helloAtNs.push(Number(counts.lastHelloNs))
    } else if (body[0] === R) {
      await router.send([id, body])
      counts.requests++
    } else counts.bad++
  }
}
const served = serve()

/**
 * Counts V8's garbage collections from now until `stop()`. An observer costs nothing until a collection
 * happens, so it adds no work to the idle window it watches; collections are V8 tasks, not JS timers.
 */
function watchCollections(): () => { gcCount: number; gcMs: number } {
  const seen = { gcCount: 0, gcMs: 0 }
  const count = (entries: readonly PerformanceEntry[]): void => {
    for (const entry of entries) {
      seen.gcCount++
      seen.gcMs += entry.duration
    }
  }
  const observer = new PerformanceObserver((list) => count(list.getEntries()))
  observer.observe({ entryTypes: ["gc"] })
  return () => {
    count(observer.takeRecords()) // entries not yet delivered to the callback
    observer.disconnect()
    return seen
  }
}

let delay: { histogram: IntervalHistogram; collections: () => { gcCount: number; gcMs: number } } | undefined
let collections: (() => { gcCount: number; gcMs: number }) | undefined
const answer = (tag: string, value: Record<string, unknown>): void => void process.stdout.write(`${tag} ${JSON.stringify(value)}\n`)
for (let line = await nextLine(); line !== undefined; line = await nextLine()) {
  if (line === "mem") {
    for (let i = 0; i < 3; i++) gc()
    const { heapUsed, heapTotal, external, arrayBuffers } = process.memoryUsage()
    answer("MEM", { heapUsed, heapTotal, external, arrayBuffers })
  } else if (line === "status") {
    const cpu = process.cpuUsage()
    answer("STATUS", {
      ...counts,
      lastHelloNs: Number(counts.lastHelloNs),
      lastHandshakeNs: Number(counts.lastHandshakeNs),
      cpuMs: (cpu.user + cpu.system) / 1000,
      acceptedAtNs,
      helloAtNs,
      // Cheap enough to ask every 50 ms during the storm: nothing here walks the connections.
      timers: timerCount(),
    })
  } else if (line === "route") {
    let sent = 0
    for (let i = 0; i < peers; i++) {
      const length = table[i * SLOT]!
      if (length === 0) continue
      await router.send([table.subarray(i * SLOT + 1, i * SLOT + 1 + length), `h${i}`])
      sent++
    }
    answer("ROUTED", { sent })
  } else if (line === "idle-start") {
    delay = { histogram: monitorEventLoopDelay({ resolution: 10 }), collections: watchCollections() }
    delay.histogram.enable()
    answer("IDLE", {})
  } else if (line === "idle-stop") {
    if (delay === undefined) answer("IDLE", {})
    else {
      const { histogram } = delay
      histogram.disable()
      const { gcCount, gcMs } = delay.collections()
      answer("IDLE", {
        delayMeanMs: histogram.mean / 1e6,
        delayP99Ms: histogram.percentile(99) / 1e6,
        delayMaxMs: histogram.max / 1e6,
        delayGcCount: gcCount,
        delayGcMs: gcMs,
      })
    }
    delay = undefined
  } else if (line === "gc-watch") {
    collections = watchCollections()
    answer("GC", {})
  } else if (line === "gc-report") {
    answer("GC", collections === undefined ? {} : collections())
    collections = undefined
  } else if (line !== "") answer("UNKNOWN", { line })
}
router.close()
await served.catch(() => {})
process.exit(0)
