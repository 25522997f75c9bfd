/**
 * udp multicast in the forms that need a multicast route, after libzmq's test_radio_dish mcast and no_loop
 * cases: `udp://239.x.y.z:port` (no interface: the kernel's route picks it), IPv6 groups (`udp://[ff02::…]:port`,
 * by interface index 0 or by name), and multicastLoop false. The host's loopback has no multicast and its
 * real interface must not carry test traffic, so they run in a network namespace made here and always
 * removed: a veth pair (`zm0` with multicast, 10.7.0.1 and fd00:7a::1; its peer without) and the multicast
 * routes on zm0. Both our sockets and libzmq's (zeromq.js's zeromq/draft) run in it, in one child process
 * (tests/fixtures/udp-multicast-scenarios.ts), which reports what each DISH received.
 *
 * Skipped, saying why, only where network namespaces cannot be made (not root); CI runs as root.
 */
import { execFileSync, spawn } from "node:child_process"
import { randomBytes } from "node:crypto"
import { fileURLToPath } from "node:url"
import { afterAll, beforeAll, describe, expect, it } from "vitest"

const NAMESPACE = `zmqts-udp-${process.pid}-${randomBytes(3).toString("hex")}`
const SCENARIOS = fileURLToPath(new URL("../fixtures/udp-multicast-scenarios.ts", import.meta.url))
const TSX_LOADER = new URL("../../node_modules/tsx/dist/loader.mjs", import.meta.url).href
const SETUP = [
  // No duplicate address detection: a tentative link-local address cannot send to an IPv6 group yet.
  "echo 0 > /proc/sys/net/ipv6/conf/all/accept_dad",
  "echo 0 > /proc/sys/net/ipv6/conf/default/accept_dad",
  "ip link set lo up",
  "ip link add zm0 type veth peer name zm1",
  // Only zm0 carries multicast, so a group joined without an interface is joined there.
  "ip link set zm1 multicast off",
  "ip link set zm0 up",
  "ip link set zm1 up",
  "ip addr add 10.7.0.1/24 dev zm0",
  "ip -6 addr add fd00:7a::1/64 dev zm0 nodad",
  "ip route add 224.0.0.0/4 dev zm0",
].join(" && ")

/** Why a namespace cannot be made here (tried with a probe made and removed at once), or undefined. */
function unavailable(): string | undefined {
  if (process.platform !== "linux") return "network namespaces are Linux's"
  const probe = `${NAMESPACE}-probe`
  try {
    execFileSync("ip", ["netns", "add", probe], { stdio: "pipe" })
    execFileSync("ip", ["netns", "del", probe], { stdio: "pipe" })
    return undefined
  } catch (error) {
    return `cannot make a network namespace (ip netns add: ${(error as { stderr?: Buffer }).stderr?.toString().trim() || (error as Error).message}); run as root`
  }
}

const reason = unavailable()

function removeNamespace(): void {
  try {
    execFileSync("ip", ["netns", "del", NAMESPACE], { stdio: "pipe" })
  } catch {
    // never made, or gone already
  }
}

/** Runs the scenarios in the namespace; what each DISH received, by scenario. */
function runScenarios(): Promise<Record<string, string[] | string>> {
  return new Promise((resolve, reject) => {
    const child = spawn("ip", ["netns", "exec", NAMESPACE, process.execPath, "--import", TSX_LOADER, "--conditions=@zmq-ts/source", SCENARIOS], {
      stdio: ["ignore", "pipe", "pipe"],
    })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()))
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()))
    const timer = setTimeout(() => child.kill("SIGKILL"), 90_000)
    child.once("exit", (code) => {
      clearTimeout(timer)
      const line = stdout.trim().split("\n").at(-1) ?? ""
      try {
        resolve(JSON.parse(line) as Record<string, string[] | string>)
      } catch {
        reject(new Error(`scenarios ended with ${code}: ${stdout}\n${stderr}`))
      }
    })
  })
}

const CONVERSATION = ["TV:a", "TV:b", "TV:end"]

describe.skipIf(reason !== undefined)(`udp multicast in a network namespace${reason === undefined ? "" : ` (skipped: ${reason})`}`, () => {
  let results: Record<string, string[] | string>

  beforeAll(async () => {
    execFileSync("ip", ["netns", "add", NAMESPACE], { stdio: "pipe" })
    execFileSync("ip", ["netns", "exec", NAMESPACE, "sh", "-c", SETUP], { stdio: "pipe" })
    results = await runScenarios()
  }, 120_000)

  afterAll(removeNamespace)

  it.each([
    "ours→ours v4",
    "ours→ours v4 zm0",
    "ours→ours v6",
    "ours→ours v6 zm0",
  ])("%s: the DISH hears its group's messages and not another's", (scenario) => {
    expect(results[scenario]).toEqual(CONVERSATION)
  })

  it.each(["ours→libzmq v4", "libzmq→ours v4", "ours→libzmq v6", "libzmq→ours v6"])("%s (libzmq's RADIO/DISH over multicast)", (scenario) => {
    expect(results[scenario]).toEqual(CONVERSATION)
  })

  it.each(["no loop v4", "no loop v6"])("%s: a RADIO with multicastLoop false is not heard on its own host", (scenario) => {
    expect(results[scenario]).toEqual(["TV:heard 0", "TV:heard 1", "TV:heard 2", "TV:end"])
  })
})

// Should the run be cut short between beforeAll and afterAll, the namespace still goes with the process.
process.once("exit", removeNamespace)
