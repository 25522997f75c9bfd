/**
 * Heartbeats (ZMTP 3.1 PING/PONG, RFC 37) against a peer that is alive at the TCP level but frozen: a child
 * process stopped with SIGSTOP keeps its sockets open and the kernel keeps ACKing our bytes, so only a
 * heartbeat can tell that nobody is answering.
 *
 *   our DEALER ──PING every 50 ms──▶ child process: ROUTER echo (libzmq via zeromq.js, or zmq-ts)
 *                                     ✕ SIGSTOP → no PONG → we disconnect within heartbeatTimeout
 *                                     ▶ SIGCONT → the pending reconnect handshakes
 *                                     ✕ kill    → a new peer on the same address: we reconnect
 *
 *   libzmq ROUTER ──PING{TTL 300 ms}──▶ our DEALER (no heartbeats of its own): honours the peer's TTL
 *   raw ZMTP peer ──PING{TTL 3 ds}, then silence──▶ our DEALER closes ~300 ms later
 *
 * The child runs in one process (not the tsx CLI, which would start a second one that SIGSTOP misses):
 * plain `node` with zeromq.js, or `node --import tsx --conditions=@zmq-ts/source` for zmq-ts.
 */
import { spawn, type ChildProcess } from "node:child_process"
import { once } from "node:events"
import { createServer, type Socket as NetSocket } from "node:net"
import { fileURLToPath } from "node:url"
import { setTimeout as delay } from "node:timers/promises"
import { afterEach, describe, expect, it } from "vitest"
import { ZmtpConnection } from "@zmq-ts/zmtp"
import { Dealer, Router, type SocketEvent, type SocketEventType } from "../src/index.js"
import { freePort, settlesWithin, text, until } from "./helpers/transports.js"

const CORE_DIR = fileURLToPath(new URL("..", import.meta.url))
const OUR_INDEX = fileURLToPath(new URL("../src/index.ts", import.meta.url))

type PeerKind = "libzmq" | "zmq-ts"

/** A ROUTER that echoes every message; both libraries take the same options and API. */
const echoRouter = (importLine: string): string => `
${importLine}
const router = new Router({ linger: 0, ...JSON.parse(process.env.PEER_OPTIONS ?? "{}") })
await router.bind(process.env.PEER_ADDRESS)
console.log("READY " + router.lastEndpoint)
for await (const message of router) await router.send(message)
`

const PEER_SCRIPTS: Record<PeerKind, { args: string[]; script: string }> = {
  libzmq: { args: [], script: echoRouter(`import { Router } from "zeromq"`) },
  "zmq-ts": {
    args: ["--import", "tsx", "--conditions=@zmq-ts/source"],
    script: echoRouter(`import { Router } from ${JSON.stringify(OUR_INDEX)}`),
  },
}

const children = new Set<ChildProcess>()

/** Starts an echo ROUTER in a child process, bound at `address`; resolves once it is listening. */
async function spawnPeer(kind: PeerKind, address: string, options: Record<string, number> = {}): Promise<ChildProcess> {
  const { args, script } = PEER_SCRIPTS[kind]
  const env: NodeJS.ProcessEnv = { ...process.env, PEER_ADDRESS: address, PEER_OPTIONS: JSON.stringify(options) }
  delete env.NODE_OPTIONS
  const child = spawn(process.execPath, [...args, "--input-type=module", "-e", script], {
    cwd: CORE_DIR,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  })
  children.add(child)
  child.once("exit", () => children.delete(child))
  let stderr = ""
  child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()))
  await new Promise<void>((resolve, reject) => {
    let stdout = ""
    const timer = setTimeout(() => reject(new Error(`${kind} peer did not start: ${stderr}`)), 8000)
    child.stdout!.on("data", (chunk: Buffer) => {
      stdout += chunk.toString()
      if (stdout.includes("READY ")) {
        clearTimeout(timer)
        resolve()
      }
    })
    child.once("exit", (code) => {
      clearTimeout(timer)
      reject(new Error(`${kind} peer exited (${code}) before it was ready: ${stderr}`))
    })
  })
  return child
}

/** Ends a child we started: wakes it if stopped, kills it, waits for it to exit. */
async function killPeer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return
  const exited = once(child, "exit")
  process.kill(child.pid, "SIGCONT")
  process.kill(child.pid, "SIGKILL")
  await exited
}

afterEach(async () => {
  for (const child of [...children]) await killPeer(child)
})

function record(socket: Dealer): Array<SocketEvent & { at: number }> {
  const seen: Array<SocketEvent & { at: number }> = []
  const types: SocketEventType[] = ["connect", "connect:delay", "connect:retry", "handshake", "handshake:error:other", "disconnect"]
  for (const type of types) socket.events.on(type, (event) => seen.push({ ...event, at: performance.now() }))
  return seen
}

function count(seen: readonly SocketEvent[], type: SocketEventType): number {
  return seen.filter((event) => event.type === type).length
}

async function echo(dealer: Dealer, body: string, timeoutMs = 3000): Promise<void> {
  await dealer.send(body)
  const reply = dealer.receive()
  if (!(await settlesWithin(reply, timeoutMs))) throw new Error(`no echo of ${body} within ${timeoutMs} ms`)
  expect(text(await reply)).toEqual([body])
}

describe.each(["libzmq", "zmq-ts"] as const)("heartbeats against a %s peer process frozen with SIGSTOP", (kind) => {
  it("disconnect within heartbeatTimeout, handshake again after SIGCONT, reconnect to a new peer after kill", async () => {
    const address = `tcp://127.0.0.1:${await freePort()}`
    const child = await spawnPeer(kind, address)
    await using dealer = new Dealer({ heartbeatInterval: 50, heartbeatTimeout: 200, reconnectInterval: 100, linger: 0 })
    const seen = record(dealer)
    dealer.connect(address)
    await echo(dealer, "hello")
    // Alive: PINGs are answered, the connection stays up well past heartbeatTimeout.
    await delay(400)
    expect(count(seen, "disconnect")).toBe(0)

    process.kill(child.pid!, "SIGSTOP")
    const frozenAt = performance.now()
    await until(() => count(seen, "disconnect") === 1, 2000, "a disconnect after SIGSTOP")
    const detectedAfter = seen.find((event) => event.type === "disconnect")!.at - frozenAt
    expect(detectedAfter).toBeGreaterThanOrEqual(100) // one unanswered PING plus heartbeatTimeout, give or take a PING
    expect(detectedAfter).toBeLessThan(1000)

    // The reconnect reaches the frozen process's kernel (TCP connects) but cannot handshake until it wakes.
    await until(() => count(seen, "connect") === 2, 2000, "a reconnect at TCP level")
    await delay(150)
    expect(count(seen, "handshake")).toBe(1)
    process.kill(child.pid!, "SIGCONT")
    await until(() => count(seen, "handshake") === 2, 3000, "a handshake after SIGCONT")
    await echo(dealer, "awake again")

    // Killed for good: a new peer on the same address, in this process, gets our reconnect.
    await killPeer(child)
    await until(() => count(seen, "disconnect") === 2, 2000, "a disconnect after kill")
    await using replacement = new Router({ linger: 0 })
    await replacement.bind(address)
    await until(() => count(seen, "handshake") === 3, 3000, "a handshake with the replacement")
    await dealer.send("to the replacement")
    const [, received] = await replacement.receive()
    expect(String(received)).toBe("to the replacement")
  })
})

describe("the peer's heartbeat TTL", () => {
  it("a libzmq peer with heartbeatTimeToLive 300: kept alive by its PINGs, dropped ~300 ms after it freezes", async () => {
    const address = `tcp://127.0.0.1:${await freePort()}`
    // libzmq PINGs every 100 ms with TTL 300 ms; its own heartbeat timeout is long, so it never drops us.
    const child = await spawnPeer("libzmq", address, { heartbeatInterval: 100, heartbeatTimeToLive: 300, heartbeatTimeout: 10_000 })
    await using dealer = new Dealer({ reconnectInterval: 5000, linger: 0 }) // no heartbeats of our own
    const seen = record(dealer)
    dealer.connect(address)
    await echo(dealer, "hello")
    await delay(700) // more than twice the TTL: each PING re-arms it
    expect(count(seen, "disconnect")).toBe(0)

    process.kill(child.pid!, "SIGSTOP")
    const frozenAt = performance.now()
    await until(() => count(seen, "disconnect") === 1, 2000, "a disconnect after the TTL")
    const after = seen.find((event) => event.type === "disconnect")!.at - frozenAt
    // The last traffic came up to one PING interval before the freeze; the TTL runs from there.
    expect(after).toBeGreaterThanOrEqual(150)
    expect(after).toBeLessThan(700)
  })

  it.each([
    { ttl: "3 ds (300 ms): we close", ttlDeciseconds: 3, closes: true },
    { ttl: "0 (none): we stay", ttlDeciseconds: 0, closes: false },
  ])("a raw peer sends one PING with TTL $ttl, then goes silent", async ({ ttlDeciseconds, closes }) => {
    let pingedAt = 0
    let pongs = 0
    const sockets: NetSocket[] = []
    const server = createServer((socket) => {
      sockets.push(socket)
      socket.on("error", () => {})
      const peer = new ZmtpConnection({ socketType: "ROUTER" })
      socket.write(peer.dataToSend())
      socket.on("data", (chunk) => {
        for (const event of peer.receiveData(chunk)) {
          if (event.type === "ready") {
            peer.ping(ttlDeciseconds * 100) // ms, sent as deciseconds
            pingedAt = performance.now()
          }
          if (event.type === "pong") pongs++
        }
        socket.write(peer.dataToSend()) // our greeting/READY/PING; nothing after that but silence
      })
    })
    server.listen(0, "127.0.0.1")
    await once(server, "listening")
    const { port } = server.address() as { port: number }
    await using dealer = new Dealer({ reconnectInterval: -1, linger: 0 })
    const seen = record(dealer)
    dealer.connect(`tcp://127.0.0.1:${port}`)
    await until(() => count(seen, "handshake") === 1, 2000, "the handshake")
    await until(() => pongs === 1, 2000, "our PONG") // we answered the PING
    if (closes) {
      await until(() => count(seen, "disconnect") === 1, 2000, "a disconnect after the TTL")
      const after = seen.find((event) => event.type === "disconnect")!.at - pingedAt
      expect(after).toBeGreaterThanOrEqual(280)
      expect(after).toBeLessThan(700)
    } else {
      await delay(600) // TTL 0 means none: silence alone is no reason to close
      expect(count(seen, "disconnect")).toBe(0)
    }
    for (const socket of sockets) socket.destroy()
    server.close()
  })
})
