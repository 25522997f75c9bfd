/**
 * Network namespaces for the fault harness: each pair is two namespaces joined by one veth pair, with a
 * /30 inside them and nothing in the root namespace (no address, no route, no nft rule of ours there).
 *
 *   zt-<pid>-<n>-a  vA 10.200.<n>.1/30 ═══veth═══ vB 10.200.<n>.2/30  zt-<pid>-<n>-b
 *   (client side)   nft table inet zt (input)      nft table inet zt   (server side, relay)
 *
 * Faults: `loss(N)` adds `numgen random mod 100 < N drop` on both inputs, `blackhole()` a plain `drop`
 * (silent), `linkDown()` sets vA down (visible: the route goes away on side a). `heal()` undoes whichever.
 *
 * Cleanup is guaranteed three ways: `destroyAll()` from the files' afterAll; a process 'exit' hook and
 * SIGINT/SIGTERM hooks that do the same synchronously; and `sweepStale()` at start, which removes
 * `zt-<pid>-…` namespaces whose <pid> is no longer alive (a crashed earlier run of this harness; the name
 * prefix is ours and nothing else on the machine uses it). Removing a namespace removes its veth end and
 * nft rules; the processes still in it are SIGKILLed first by PID (`ip netns pids`), because a namespace
 * outlives its deletion while processes hold it.
 */
import { execFileSync, spawnSync } from "node:child_process"

const PREFIX = "zt-"
const IP = "/usr/sbin/ip"
const NFT = "/usr/sbin/nft"
const SYSCTL = "/usr/sbin/sysctl"

let pairs = 0
const live = new Set<string>()

function run(args: readonly string[], input?: string): string {
  return execFileSync(args[0]!, args.slice(1), { encoding: "utf8", input, stdio: ["pipe", "pipe", "pipe"] })
}

/** Why this machine cannot run the fault suite, or undefined when it can (root, `ip netns`, `nft`). */
export function unavailableReason(): string | undefined {
  if (process.getuid?.() !== 0) return "the fault harness needs root (network namespaces, nftables); run as root, as CI does"
  const ip = spawnSync(IP, ["netns", "list"], { encoding: "utf8" })
  if (ip.error !== undefined || ip.status !== 0) return `\`ip netns\` is unavailable: ${ip.error?.message ?? ip.stderr}`
  const nft = spawnSync(NFT, ["--version"], { encoding: "utf8" })
  if (nft.error !== undefined || nft.status !== 0) return "`nft` is missing: apt-get install -y nftables"
  return undefined
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM"
  }
}

/** Kills every process inside namespace `name` (by PID) and deletes it; never throws. */
function destroyNamespace(name: string): void {
  const pids = spawnSync(IP, ["netns", "pids", name], { encoding: "utf8" })
  for (const pid of (pids.stdout ?? "").split(/\s+/).filter(Boolean).map(Number)) {
    try {
      process.kill(pid, "SIGCONT")
      process.kill(pid, "SIGKILL")
    } catch {
      // already gone
    }
  }
  spawnSync(IP, ["netns", "delete", name])
  live.delete(name)
}

function namespaces(): string[] {
  const listed = spawnSync(IP, ["netns", "list"], { encoding: "utf8" }).stdout ?? ""
  return listed
    .split("\n")
    .map((line) => line.split(" ")[0]!)
    .filter(Boolean)
}

/** Removes namespaces left by earlier runs of this harness that died without cleaning up. */
export function sweepStale(): string[] {
  const swept: string[] = []
  for (const name of namespaces()) {
    const match = /^zt-(\d+)-\d+-[ab]$/.exec(name)
    if (match === null) continue
    const pid = Number(match[1])
    if (pid === process.pid || processAlive(pid)) continue
    destroyNamespace(name)
    swept.push(name)
  }
  return swept
}

/** Every namespace this process made and has not yet removed. */
export function destroyAll(): void {
  for (const name of [...live]) destroyNamespace(name)
}

let hooked = false
function hookExit(): void {
  if (hooked) return
  hooked = true
  process.once("exit", destroyAll)
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.once(signal, () => {
      destroyAll()
      process.exit(128 + (signal === "SIGINT" ? 2 : signal === "SIGTERM" ? 15 : 1))
    })
  }
}

export type FaultKind = "loss" | "blackhole" | "link-down"

export interface NamespacePair {
  /** Namespace names: `a` runs the connecting side, `b` the bound side (and the relay). */
  readonly a: string
  readonly b: string
  readonly addressA: string
  readonly addressB: string
  /** `numgen random mod 100 < percent drop` on both sides' input. */
  loss(percent: number): void
  /** Every packet dropped on both sides' input, silently. Returns when side a's rule took effect (ms clock). */
  blackhole(): number
  /** Side a's veth end down (its route disappears; the peer sees no carrier). */
  linkDown(): void
  /** Packets the current nft rules dropped so far, both sides (proof that the fault was applied). */
  dropped(): number
  /** Removes the nft rules, sets the link up again, re-adds side b's address. */
  heal(): void
  /** Caps both namespaces' TCP buffers at 64 KiB (namespaced sysctls), so a stalled peer fills the pipe fast. */
  limitTcpBuffers(): void
  /** Removes (`ip addr del`) or re-adds side b's address. */
  removeAddressB(): void
  addAddressB(): void
  destroy(): void
}

/** Replaces the input chain's rule in one `nft -f -`; `iifname` keeps the namespace's own loopback traffic (relay → server) out of it. */
function setRules(namespace: string, device: string, rule: string | undefined): void {
  const script = `flush chain inet zt input\n${rule === undefined ? "" : `add rule inet zt input iifname ${device} counter ${rule}\n`}`
  run([IP, "netns", "exec", namespace, NFT, "-f", "-"], script)
}

/** Makes two namespaces joined by a veth pair, addressed 10.200.<n>.1 and .2, with an empty nft input chain. */
export function createPair(): NamespacePair {
  hookExit()
  const n = pairs++
  const a = `${PREFIX}${process.pid}-${n}-a`
  const b = `${PREFIX}${process.pid}-${n}-b`
  const subnet = `10.200.${n % 256}`
  const addressA = `${subnet}.1`
  const addressB = `${subnet}.2`
  const exec = (namespace: string, ...args: string[]): string => run([IP, "netns", "exec", namespace, ...args])
  try {
    run([IP, "netns", "add", a])
    live.add(a)
    run([IP, "netns", "add", b])
    live.add(b)
    // Both ends are made inside the namespaces, so no interface ever exists in the root namespace.
    run([IP, "-n", a, "link", "add", "vA", "type", "veth", "peer", "name", "vB", "netns", b])
    run([IP, "-n", a, "addr", "add", `${addressA}/30`, "dev", "vA"])
    run([IP, "-n", b, "addr", "add", `${addressB}/30`, "dev", "vB"])
    for (const [namespace, device] of [[a, "vA"], [b, "vB"]] as const) {
      run([IP, "-n", namespace, "link", "set", "lo", "up"])
      run([IP, "-n", namespace, "link", "set", device, "up"])
      exec(namespace, NFT, "add table inet zt; add chain inet zt input { type filter hook input priority 0 ; policy accept ; }")
    }
  } catch (error) {
    destroyNamespace(a)
    destroyNamespace(b)
    throw new Error(`could not set up namespaces ${a}/${b}: ${(error as { stderr?: string }).stderr ?? String(error)}`)
  }
  const sides = [[a, "vA"], [b, "vB"]] as const
  let linkIsDown = false
  let addressRemoved = false
  return {
    a,
    b,
    addressA,
    addressB,
    loss(percent) {
      for (const [namespace, device] of sides) setRules(namespace, device, `numgen random mod 100 < ${percent} drop`)
    },
    blackhole() {
      // Side a first: from then on the client hears nothing, which is what its heartbeat timeout measures.
      setRules(a, "vA", "drop")
      const effective = Date.now()
      setRules(b, "vB", "drop")
      return effective
    },
    linkDown() {
      run([IP, "-n", a, "link", "set", "vA", "down"])
      linkIsDown = true
    },
    dropped() {
      let total = 0
      for (const namespace of [a, b]) {
        const listing = run([IP, "netns", "exec", namespace, NFT, "list", "chain", "inet", "zt", "input"])
        for (const match of listing.matchAll(/counter packets (\d+)/g)) total += Number(match[1])
      }
      return total
    },
    heal() {
      for (const [namespace, device] of sides) setRules(namespace, device, undefined)
      if (linkIsDown) run([IP, "-n", a, "link", "set", "vA", "up"])
      linkIsDown = false
      this.addAddressB()
    },
    limitTcpBuffers() {
      for (const namespace of [a, b]) {
        run([IP, "netns", "exec", namespace, SYSCTL, "-q", "-w", "net.ipv4.tcp_rmem=4096 32768 65536", "net.ipv4.tcp_wmem=4096 32768 65536"])
      }
    },
    removeAddressB() {
      run([IP, "-n", b, "addr", "del", `${addressB}/30`, "dev", "vB"])
      addressRemoved = true
    },
    addAddressB() {
      if (addressRemoved) run([IP, "-n", b, "addr", "add", `${addressB}/30`, "dev", "vB"])
      addressRemoved = false
    },
    destroy() {
      destroyNamespace(a)
      destroyNamespace(b)
    },
  }
}
