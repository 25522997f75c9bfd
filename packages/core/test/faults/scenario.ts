/**
 * One configuration of a fault case: a namespace pair, a server peer in b, optionally the relay in b,
 * and a client peer in a, streaming checked messages (peer-client.ts) while the case applies its fault.
 *
 *   ns a: client (DEALER + SUB) ──tcp/ws──▶ [relay :6000 ──lo──▶] ns b: server (ROUTER :5000, PUB :5001)
 *   ipc: the same processes, through a socket file in the shared file system (network faults do not apply)
 *
 * A replaced client (after a SIGKILL) starts its sequence numbers above the old one's, so the server's
 * per-routing-id order check spans both.
 *
 * Cases start several configurations at once (each in its own namespaces), so one 1 s or 30 s cut covers
 * every pairing in the time of one.
 */
import { rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { setTimeout as delay } from "node:timers/promises"
import { createPair, type NamespacePair } from "./netns.js"
import { startPeer, startRelay, type Implementation, type Peer } from "./peers.js"
import type { ClientStats, PeerLine, ServerStats } from "./protocol.js"

export type TransportName = "tcp" | "ws" | "ipc"

/** Heartbeats for the cut cases: a dead peer is noticed within HEARTBEAT.heartbeatTimeout (+ one interval). */
export const HEARTBEAT = { heartbeatInterval: 100, heartbeatTimeout: 400 } as const
export const RECONNECT = { reconnectInterval: 100 } as const

export interface PairConfig {
  readonly client: Implementation
  readonly server: Implementation
  readonly transport: TransportName
  /** true: both sides; "client-only": the DEALER/SUB side only (the ROUTER keeps a dead connection). */
  readonly heartbeats?: boolean | "client-only"
  /** Extra options on either side (zmq-ts names). */
  readonly clientOptions?: Record<string, number | string>
  readonly serverOptions?: Record<string, number | string>
  readonly relay?: { readonly latencyMs?: number; readonly jitterMs?: number; readonly piece?: number }
  readonly rateMs?: number
  readonly size?: number
  /** Cap the namespaces' TCP buffers (netns.ts `limitTcpBuffers`) before anything connects. */
  readonly smallTcpBuffers?: boolean
  /** Start a SUB/PUB pair beside the DEALER/ROUTER (subscriptions restored after reconnect). Default true. */
  readonly subscribe?: boolean
}

export interface RunningPair {
  readonly config: PairConfig
  readonly net: NamespacePair
  client: Peer
  server: Peer
  relay: Peer | undefined
  /** "zmq-ts → libzmq". */
  readonly peers: string
  /** Kills the server (SIGKILL) and starts a new one of the same kind on the same address. */
  restartServer(options?: { readonly killFirst?: boolean }): Promise<void>
  startServer(): Promise<Peer>
  /** Starts a new client (same routing id) whose sequence numbers start at `seqStart`; it replaces `client`. */
  replaceClient(seqStart: number): Promise<void>
  ipcPath: string | undefined
}

let ipcCounter = 0

function endpoints(config: PairConfig, net: NamespacePair): { bind: string; connect: string; pubBind: string; subConnect: string; ipcPath?: string } {
  if (config.transport === "ipc") {
    const path = join(tmpdir(), `zt-${process.pid}-${ipcCounter++}`)
    return { bind: `ipc://${path}.sock`, connect: `ipc://${path}.sock`, pubBind: `ipc://${path}-pub.sock`, subConnect: `ipc://${path}-pub.sock`, ipcPath: path }
  }
  const url = (port: number): string => (config.transport === "ws" ? `ws://${net.addressB}:${port}/zmq` : `tcp://${net.addressB}:${port}`)
  return { bind: url(5000), connect: config.relay === undefined ? url(5000) : url(6000), pubBind: url(5001), subConnect: url(5001) }
}

export async function startScenario(config: PairConfig): Promise<RunningPair> {
  const net = createPair()
  if (config.smallTcpBuffers === true) net.limitTcpBuffers()
  const where = endpoints(config, net)
  const heartbeats = config.heartbeats === true ? HEARTBEAT : {}
  const clientHeartbeats = config.heartbeats === undefined || config.heartbeats === false ? {} : HEARTBEAT
  const subscribe = config.subscribe ?? true
  const startServer = (): Promise<Peer> =>
    startPeer("server", {
      implementation: config.server,
      namespace: net.b,
      env: { ADDRESS: where.bind, PUB_ADDRESS: subscribe ? where.pubBind : "" },
      options: { ...heartbeats, ...config.serverOptions },
    })
  const server = await startServer()
  const relay =
    config.relay === undefined
      ? undefined
      : await startRelay({ namespace: net.b, listen: `${net.addressB}:6000`, target: `${net.addressB}:5000`, ...config.relay })
  const startClient = (seqStart: number): Promise<Peer> =>
    startPeer("client", {
      implementation: config.client,
      namespace: net.a,
      env: {
        ADDRESS: where.connect,
        SUB_ADDRESS: subscribe ? where.subConnect : "",
        RATE_MS: String(config.rateMs ?? 20),
        SIZE: String(config.size ?? 512),
        SEQ_START: String(seqStart),
      },
      options: { routingId: "client-1", ...RECONNECT, ...clientHeartbeats, ...config.clientOptions },
    })
  const client = await startClient(0)
  const running: RunningPair = {
    config,
    net,
    client,
    server,
    relay,
    peers: `${config.client} → ${config.server}`,
    ipcPath: where.ipcPath,
    startServer,
    async replaceClient(seqStart) {
      running.client = await startClient(seqStart)
    },
    async restartServer({ killFirst = true } = {}) {
      if (killFirst) await running.server.kill()
      running.server = await startServer()
    },
  }
  // Streaming before the fault: the first echo has arrived (a server that never echoes fails here, at once).
  await client.waitFor((line) => line.ev === "first-echo", 10_000, `a first echo from the ${config.server} server (${config.transport})`)
  return running
}

/** Tears one configuration down (its namespaces' removal kills whatever is left in them). */
export async function stopScenario(pair: RunningPair): Promise<void> {
  await Promise.all([pair.client.kill(), pair.server.kill(), pair.relay?.kill()])
  pair.net.destroy()
  if (pair.ipcPath !== undefined) for (const suffix of [".sock", "-pub.sock"]) rmSync(`${pair.ipcPath}${suffix}`, { force: true })
}

export interface Outcome {
  readonly client: ClientStats
  readonly server: ServerStats
}

/** Stops the client's sending, waits until the echoes stop arriving (or all are back), returns both sides' counters. */
export async function drain(pair: RunningPair, maxMs = 20_000): Promise<Outcome> {
  pair.client.command("stop")
  const deadline = Date.now() + maxMs
  let stats = await pair.client.clientStats()
  let stableSince = Date.now()
  while (Date.now() < deadline) {
    await delay(250)
    const next = await pair.client.clientStats()
    if (next.received + next.lostInGaps >= next.sent) {
      stats = next
      break
    }
    if (next.received !== stats.received) stableSince = Date.now()
    stats = next
    if (Date.now() - stableSince > 3000) break
  }
  const server = await pair.server.serverStats()
  return { client: stats, server }
}

/** Integrity violations in an outcome: none of these is ever allowed, fault or not. */
export function integrityViolations({ client, server }: Outcome): string[] {
  const problems: string[] = []
  for (const [side, stats] of [["client", client], ["server", server]] as const) {
    for (const key of ["corrupt", "partial", "duplicated", "reordered"] as const) {
      if ((stats[key] ?? 0) > 0) problems.push(`${side} saw ${stats[key]} ${key}`)
    }
  }
  return problems
}

/** Lines of `type` the peer printed at or after `since` (ms clock). */
export function eventsSince(peer: Peer, type: string, since: number): PeerLine[] {
  return peer.lines.filter((line) => line.ev === type && line.t >= since)
}

export const sleep = delay
