/**
 * Peer processes for the fault cases, each started inside a namespace with `ip netns exec` (which execs,
 * so the child's PID is the peer's own: SIGSTOP and SIGKILL reach it directly):
 *
 *   zmq-ts:  ip netns exec <ns> node --import <tsx loader> --conditions=@zmq-ts/source peer-client.ts
 *   libzmq:  ip netns exec <ns> /usr/bin/python3 peer_libzmq.py client
 *   relay:   ip netns exec <ns> node --import <tsx loader> relay.ts
 *
 * Every peer reads commands on stdin and reports JSON lines (protocol.ts); `waitFor` fails with what the
 * peer printed (and its stderr) instead of hanging. `killAllPeers()` runs from the files' afterAll; the
 * namespaces' removal (netns.ts) kills anything left by PID as well.
 */
import { spawn, type ChildProcess } from "node:child_process"
import { fileURLToPath } from "node:url"
import type { ClientStats, PeerLine, ServerStats } from "./protocol.js"

const HERE = fileURLToPath(new URL(".", import.meta.url))
const CORE_DIR = fileURLToPath(new URL("../..", import.meta.url))
const TSX_LOADER = new URL("../../node_modules/tsx/dist/loader.mjs", import.meta.url).href
const IP = "/usr/sbin/ip"
const PYTHON = "/usr/bin/python3"

export type Implementation = "zmq-ts" | "libzmq"

export interface Peer {
  readonly pid: number
  readonly lines: PeerLine[]
  /** Resolves with the first line (from `from` on) that `match` accepts; rejects after `timeoutMs`. */
  waitFor(match: (line: PeerLine) => boolean, timeoutMs: number, what: string, from?: number): Promise<PeerLine>
  command(text: string): void
  clientStats(): Promise<ClientStats & { t: number }>
  serverStats(): Promise<ServerStats & { t: number }>
  signal(signal: NodeJS.Signals): void
  /** SIGKILL, and wait for the exit. */
  kill(): Promise<void>
  readonly exited: boolean
  stderr(): string
}

const peers = new Set<Peer>()

function startProcess(namespace: string, argv: readonly string[], env: Record<string, string>, name: string): { child: ChildProcess; peer: Peer } {
  const environment: NodeJS.ProcessEnv = { ...process.env, ...env }
  delete environment["NODE_OPTIONS"]
  const child = spawn(IP, ["netns", "exec", namespace, ...argv], { cwd: CORE_DIR, env: environment, stdio: ["pipe", "pipe", "pipe"] })
  const lines: PeerLine[] = []
  const waiters = new Set<() => void>()
  let stderr = ""
  let pending = ""
  let exited = false
  child.stdout!.on("data", (chunk: Buffer) => {
    pending += chunk.toString()
    for (let newline = pending.indexOf("\n"); newline >= 0; newline = pending.indexOf("\n")) {
      const text = pending.slice(0, newline)
      pending = pending.slice(newline + 1)
      try {
        lines.push(JSON.parse(text) as PeerLine)
      } catch {
        lines.push({ ev: text.trim(), t: Date.now() })
      }
    }
    for (const waiter of [...waiters]) waiter()
  })
  child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()))
  child.stdin!.on("error", () => undefined)
  const exit = new Promise<void>((resolve) =>
    child.once("exit", () => {
      exited = true
      for (const waiter of [...waiters]) waiter()
      resolve()
    }),
  )
  const peer: Peer = {
    pid: child.pid!,
    lines,
    get exited() {
      return exited
    },
    stderr: () => stderr,
    waitFor(match, timeoutMs, what, from = 0) {
      return new Promise((resolve, reject) => {
        const look = (): void => {
          const found = lines.slice(from).find(match)
          if (found !== undefined) {
            waiters.delete(look)
            clearTimeout(timer)
            resolve(found)
          } else if (exited) {
            waiters.delete(look)
            clearTimeout(timer)
            reject(new Error(`${name} exited before ${what}; stderr: ${stderr.slice(-800)}`))
          }
        }
        const timer = setTimeout(() => {
          waiters.delete(look)
          reject(new Error(`${name}: no ${what} within ${timeoutMs} ms; last lines ${JSON.stringify(lines.slice(-5))}; stderr: ${stderr.slice(-800)}`))
        }, timeoutMs)
        waiters.add(look)
        look()
      })
    },
    command(text) {
      if (!exited) child.stdin!.write(`${text}\n`)
    },
    async clientStats() {
      const from = lines.length
      peer.command("stats")
      return (await peer.waitFor((line) => line.ev === "stats", 5000, "stats", from)) as ClientStats & { t: number }
    },
    async serverStats() {
      const from = lines.length
      peer.command("stats")
      return (await peer.waitFor((line) => line.ev === "stats", 5000, "stats", from)) as ServerStats & { t: number }
    },
    signal(signal) {
      if (!exited) process.kill(child.pid!, signal)
    },
    async kill() {
      if (exited) return
      try {
        process.kill(child.pid!, "SIGCONT")
        process.kill(child.pid!, "SIGKILL")
      } catch {
        // gone already
      }
      await exit
    },
  }
  peers.add(peer)
  void exit.then(() => peers.delete(peer))
  return { child, peer }
}

export interface PeerSpec {
  readonly implementation: Implementation
  readonly namespace: string
  readonly env: Record<string, string>
  /** Socket options, zmq-ts names (the Python peer maps them). */
  readonly options?: Record<string, number | string>
}

/** Starts a client or server peer and waits for its "ready" line. */
export async function startPeer(role: "client" | "server", spec: PeerSpec): Promise<Peer> {
  const env = { ...spec.env, OPTIONS: JSON.stringify(spec.options ?? {}) }
  const argv =
    spec.implementation === "zmq-ts"
      ? [process.execPath, "--import", TSX_LOADER, "--conditions=@zmq-ts/source", `${HERE}peer-${role}.ts`]
      : [PYTHON, `${HERE}peer_libzmq.py`, role]
  const { peer } = startProcess(spec.namespace, argv, env, `${spec.implementation} ${role} in ${spec.namespace}`)
  await peer.waitFor((line) => line.ev === "ready", 15_000, "ready line")
  return peer
}

/** Starts another zmq-ts program of this folder (e.g. lazy-pirate-client.ts) in `namespace`, waits for "ready". */
export async function startOurScript(namespace: string, file: string, env: Record<string, string>): Promise<Peer> {
  const argv = [process.execPath, "--import", TSX_LOADER, "--conditions=@zmq-ts/source", `${HERE}${file}`]
  const { peer } = startProcess(namespace, argv, env, `${file} in ${namespace}`)
  await peer.waitFor((line) => line.ev === "ready", 15_000, "ready line")
  return peer
}

export interface RelaySpec {
  readonly namespace: string
  readonly listen: string
  readonly target: string
  readonly latencyMs?: number
  readonly jitterMs?: number
  readonly piece?: number
}

/** Starts the relay (relay.ts) and waits until it listens. */
export async function startRelay(spec: RelaySpec): Promise<Peer> {
  const env = {
    LISTEN: spec.listen,
    TARGET: spec.target,
    LATENCY_MS: String(spec.latencyMs ?? 0),
    JITTER_MS: String(spec.jitterMs ?? 0),
    PIECE: String(spec.piece ?? 0),
  }
  const { peer } = startProcess(spec.namespace, [process.execPath, "--import", TSX_LOADER, `${HERE}relay.ts`], env, `relay in ${spec.namespace}`)
  await peer.waitFor((line) => line.ev === "READY", 15_000, "READY line")
  return peer
}

/** SIGKILLs every peer still running (afterAll; the namespace sweep catches the rest). */
export async function killAllPeers(): Promise<void> {
  await Promise.all([...peers].map((peer) => peer.kill()))
}
