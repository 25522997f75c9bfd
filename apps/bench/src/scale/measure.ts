/**
 * One server's run of the scale case: the server alone (baseline memory, idle CPU with no peers), then the
 * clients' connect storm, every peer routed to, memory and idle CPU with every peer connected and idle, one
 * request per peer, and memory again once every peer has gone. The same steps, commands and definitions
 * for zmq-ts's router.ts and libzmq's scale_router; the clients (scale_clients, libzmq) are the same too.
 */
import { setTimeout as sleep } from "node:timers/promises"
import { LineChild } from "./line-child.js"
import { cpuSeconds, residentBytes } from "./procfs.js"

export interface ScaleSettings {
  readonly peers: number
  readonly idleSeconds: number
  readonly backlog: number
  /** Peers per client process: each libzmq DEALER takes two descriptors (its connection and its mailbox). */
  readonly peersPerClient: number
  /** The longest any one phase (storm, route, round, disconnect) may take. */
  readonly phaseTimeoutMs: number
}

export interface Memory {
  readonly rss: number
  /** zmq-ts: V8's heapUsed after full GCs. libzmq: malloc's bytes in use (mallinfo2). */
  readonly heap: number
  /** zmq-ts only: memory outside the V8 heap (Buffers' backing stores, and what Node reports besides). */
  readonly external?: number
  /** zmq-ts only: the part of `external` that is ArrayBuffers' backing stores. */
  readonly arrayBuffers?: number
}

export interface IdleWindow {
  /** Every thread of the server. */
  readonly cpuPercent: number
  /** Its main thread alone (zmq-ts: the event loop; libzmq: the application's thread, not the I/O thread). */
  readonly mainThreadCpuPercent: number
  /** zmq-ts only: V8's garbage collections during the CPU window (V8 tasks, not JavaScript timers). */
  readonly gcCount?: number
  readonly gcMs?: number
  readonly delayMeanMs?: number
  readonly delayP99Ms?: number
  readonly delayMaxMs?: number
  /** zmq-ts only: the collections during the delay window (a delay there may be one of them). */
  readonly delayGcCount?: number
  readonly delayGcMs?: number
}

export interface Tally {
  readonly own: number
  readonly wrong: number
  readonly missing: number
  readonly extra: number
  /** From the command (the earliest client) to the last expected message (the latest client). */
  readonly seconds: number
}

/** What one client process reports (c/scale_clients.c), its times in CLOCK_MONOTONIC ns. */
interface ClientTally {
  readonly own: number
  readonly wrong: number
  readonly missing: number
  readonly extra: number
  readonly startNs: number
  readonly lastNs: number
}

function sum(tallies: readonly ClientTally[]): Tally {
  const total = (key: "own" | "wrong" | "missing" | "extra"): number => tallies.reduce((sum, tally) => sum + tally[key], 0)
  const start = Math.min(...tallies.map((tally) => tally.startNs))
  const last = Math.max(...tallies.map((tally) => tally.lastNs))
  return { own: total("own"), wrong: total("wrong"), missing: total("missing"), extra: total("extra"), seconds: (last - start) / 1e9 }
}

export interface TimerCount {
  readonly live: number
  readonly intervals: number
  readonly refed: number
}

interface Status {
  readonly hellos: number
  readonly requests: number
  readonly accepted: number
  readonly handshakes: number
  readonly disconnected: number
  readonly bad: number
  readonly lastHelloNs: number
  readonly lastHandshakeNs: number
  readonly cpuMs: number
  readonly acceptedAtNs: readonly number[]
  readonly helloAtNs: readonly number[]
  readonly timers?: TimerCount
}

export interface ScaleResult {
  readonly server: string
  readonly peers: number
  /** Hellos the server holds when the storm ended (all of them, or the phase timed out). */
  readonly hellos: number
  /** First connect (client clock) → the server holds every peer's hello. */
  readonly stormSeconds: number
  /** First connect → the server's last finished handshake (its monitor events). */
  readonly handshakeSeconds: number
  readonly accepted: number
  readonly handshakes: number
  /** The server's CPU time from the first connect until the status that saw the last hello. */
  readonly stormCpuSeconds: number
  /** Seconds from the first connect to each tenth of the peers accepted, and each tenth having said hello. */
  readonly acceptedAt: readonly number[]
  readonly helloAt: readonly number[]
  readonly routed: Tally
  readonly round: Tally
  /** The server's CPU time over the request round (from before the requests to after the last reply). */
  readonly roundCpuSeconds: number
  readonly memory: { readonly baseline: Memory; readonly connected: Memory; readonly afterRound: Memory; readonly afterDisconnect: Memory }
  readonly idle: { readonly none: IdleWindow; readonly connected: IdleWindow }
  /** zmq-ts only: live timers (timer-census.ts) with no peer, with every peer idle, and after they left. */
  readonly timers?: { readonly none: TimerCount; readonly connected: TimerCount; readonly afterDisconnect: TimerCount }
  readonly disconnected: number
  readonly disconnectSeconds: number
}

export interface ServerProcess {
  readonly name: string
  readonly command: string
  readonly args: readonly string[]
}

async function memory(server: LineChild): Promise<Memory> {
  const answer = await server.ask<{ heapUsed?: number; external?: number; arrayBuffers?: number; malloc?: number }>("mem", "MEM")
  const rss = residentBytes(server.pid)
  if (answer.heapUsed !== undefined) return { rss, heap: answer.heapUsed, external: answer.external ?? 0, arrayBuffers: answer.arrayBuffers ?? 0 }
  return { rss, heap: answer.malloc ?? -1 }
}

/**
 * The server's CPU time over `seconds` of doing nothing (nothing else asked of it meanwhile), then, in a
 * window of its own, its event loop's delay: the histogram's own 10 ms timer would cost CPU in the first.
 */
async function idleWindow(server: LineChild, seconds: number): Promise<IdleWindow> {
  await server.ask("gc-watch", "GC")
  const before = cpuSeconds(server.pid)
  const mainBefore = cpuSeconds(server.pid, true)
  const started = performance.now()
  await sleep(seconds * 1000)
  const cpu = cpuSeconds(server.pid) - before
  const mainCpu = cpuSeconds(server.pid, true) - mainBefore
  const wall = (performance.now() - started) / 1000
  const collections = await server.ask<{ gcCount?: number; gcMs?: number }>("gc-report", "GC")
  await server.ask("idle-start", "IDLE")
  await sleep(Math.min(seconds, 3) * 1000)
  const delay = await server.ask<Omit<IdleWindow, "cpuPercent" | "mainThreadCpuPercent">>("idle-stop", "IDLE")
  return { cpuPercent: (100 * cpu) / wall, mainThreadCpuPercent: (100 * mainCpu) / wall, ...collections, ...delay }
}

/** Asks for the server's status until `done` holds or the time is up; the last status either way. */
async function waitFor(server: LineChild, done: (status: Status) => boolean, timeoutMs: number): Promise<Status> {
  const deadline = performance.now() + timeoutMs
  for (;;) {
    const status = await server.ask<Status>("status", "STATUS")
    if (done(status) || performance.now() > deadline) return status
    await sleep(50)
  }
}

export async function measureServer(server: ServerProcess, clientsPath: string, settings: ScaleSettings, log: (line: string) => void): Promise<ScaleResult> {
  const { peers, phaseTimeoutMs } = settings
  const router = new LineChild(server.name, server.command, server.args)
  let clients: LineChild[] = []
  try {
    const endpoint = await router.next("READY", 30_000)
    await sleep(500)
    const baseline = await memory(router)
    const idleNone = await idleWindow(router, settings.idleSeconds)
    const statusNone = await router.ask<Status>("status", "STATUS")
    log(`  ${server.name}: baseline RSS ${(baseline.rss / 2 ** 20).toFixed(1)} MiB, idle CPU ${idleNone.cpuPercent.toFixed(2)} % with no peer`)

    for (let first = 0; first < peers; first += settings.peersPerClient) {
      const count = Math.min(settings.peersPerClient, peers - first)
      clients.push(new LineChild(`scale_clients ${first}+${count}`, clientsPath, [endpoint, String(first), String(count), String(phaseTimeoutMs)]))
    }
    await Promise.all(clients.map((client) => client.next("CREATED", phaseTimeoutMs)))
    const cpuBeforeStorm = (await router.ask<Status>("status", "STATUS")).cpuMs
    for (const client of clients) client.write("storm")
    const starts = await Promise.all(clients.map(async (client) => Number(await client.next("START", phaseTimeoutMs))))
    const startNs = Math.min(...starts)
    const stormed = await waitFor(router, (status) => status.hellos >= peers, phaseTimeoutMs)
    const stormSeconds = (stormed.lastHelloNs - startNs) / 1e9
    const handshakeSeconds = (stormed.lastHandshakeNs - startNs) / 1e9
    const tenths = (marks: readonly number[]): string => marks.map((ns) => ((ns - startNs) / 1e9).toFixed(2)).join(" ")
    log(`  ${server.name}: ${stormed.hellos} hellos, ${stormed.handshakes} handshakes in ${stormSeconds.toFixed(3)} s, ${((stormed.cpuMs - cpuBeforeStorm) / 1000).toFixed(2)} s of server CPU`)
    log(`    each tenth accepted at ${tenths(stormed.acceptedAtNs)} s; said hello at ${tenths(stormed.helloAtNs)} s`)

    const routing = Promise.all(clients.map((client) => client.ask<ClientTally>("route", "ROUTED", phaseTimeoutMs + 5000)))
    await router.ask("route", "ROUTED", phaseTimeoutMs)
    const routed = sum(await routing)
    log(`  ${server.name}: routed ${routed.own} own, ${routed.wrong} wrong, ${routed.missing} missing, ${routed.extra} extra`)

    await sleep(1000)
    const connected = await memory(router)
    const statusConnected = await router.ask<Status>("status", "STATUS")
    const idleConnected = await idleWindow(router, settings.idleSeconds)
    log(`  ${server.name}: RSS ${(connected.rss / 2 ** 20).toFixed(1)} MiB with ${peers} idle peers, idle CPU ${idleConnected.cpuPercent.toFixed(2)} %`)

    const cpuBeforeRound = (await router.ask<Status>("status", "STATUS")).cpuMs
    const round = sum(await Promise.all(clients.map((client) => client.ask<ClientTally>("request", "ROUND", phaseTimeoutMs + 5000))))
    const roundCpuSeconds = ((await router.ask<Status>("status", "STATUS")).cpuMs - cpuBeforeRound) / 1000
    log(`  ${server.name}: request round ${round.seconds.toFixed(3)} s, ${round.own} own replies, ${roundCpuSeconds.toFixed(2)} s of server CPU`)
    const afterRound = await memory(router)

    const closing = performance.now()
    await Promise.all(clients.map((client) => client.ask("close", "CLOSED", phaseTimeoutMs)))
    const gone = await waitFor(router, (status) => status.disconnected >= peers, phaseTimeoutMs)
    const disconnectSeconds = (performance.now() - closing) / 1000
    await Promise.all(clients.map((client) => client.end()))
    clients = []
    await sleep(1000)
    const afterDisconnect = await memory(router)
    const statusAfter = await router.ask<Status>("status", "STATUS")
    log(`  ${server.name}: ${gone.disconnected} disconnects in ${disconnectSeconds.toFixed(3)} s, RSS ${(afterDisconnect.rss / 2 ** 20).toFixed(1)} MiB`)
    await router.end()
    return {
      server: server.name,
      peers,
      hellos: stormed.hellos,
      stormSeconds,
      handshakeSeconds,
      accepted: stormed.accepted,
      handshakes: stormed.handshakes,
      stormCpuSeconds: (stormed.cpuMs - cpuBeforeStorm) / 1000,
      acceptedAt: stormed.acceptedAtNs.map((ns) => (ns - startNs) / 1e9),
      helloAt: stormed.helloAtNs.map((ns) => (ns - startNs) / 1e9),
      routed,
      round,
      roundCpuSeconds,
      memory: { baseline, connected, afterRound, afterDisconnect },
      idle: { none: idleNone, connected: idleConnected },
      ...(statusNone.timers === undefined || statusConnected.timers === undefined || statusAfter.timers === undefined
        ? {}
        : { timers: { none: statusNone.timers, connected: statusConnected.timers, afterDisconnect: statusAfter.timers } }),
      disconnected: gone.disconnected,
      disconnectSeconds,
    }
  } finally {
    for (const client of clients) client.kill()
    router.kill()
  }
}
