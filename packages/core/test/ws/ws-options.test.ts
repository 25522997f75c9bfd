/**
 * Socket options and events over ws:// as over tcp: monitor events, maxMessageSize enforced from the
 * WebSocket header, heartbeats sent as WebSocket pings (RFC 45; libzmq answers them with pongs), reconnect.
 */
import { afterEach, describe, expect, it } from "vitest"
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from "node:child_process"
import { Dealer, Pull, Push, Reply, Request, type SocketEvent } from "../../src/index.js"

const closers: Array<() => void> = []
const children: ChildProcessWithoutNullStreams[] = []
afterEach(() => {
  for (const child of children.splice(0)) child.kill("SIGKILL")
  for (const close of closers.splice(0).reverse()) close()
})
const track = <S extends { close(): void }>(socket: S): S => (closers.push(() => socket.close()), socket)

async function until(check: () => boolean, what: string, ms = 3000): Promise<void> {
  for (let i = 0; i < ms / 10 && !check(); i++) await new Promise((r) => setTimeout(r, 10))
  if (!check()) throw new Error(`timed out waiting for ${what}`)
}

function record(socket: { events: { on(type: SocketEvent["type"], listener: (event: SocketEvent) => void): unknown } }, types: readonly SocketEvent["type"][]): string[] {
  const seen: string[] = []
  for (const type of types) socket.events.on(type, (event) => seen.push(event.type))
  return seen
}

describe("ws:// options and events", () => {
  it("monitor events as tcp: bind, accept, handshake / connect, handshake; disconnect when the peer goes", async () => {
    const rep = track(new Reply())
    const repEvents = record(rep, ["bind", "accept", "handshake", "disconnect"])
    await rep.bind("ws://127.0.0.1:*/")
    const req = new Request()
    const reqEvents = record(req, ["connect", "handshake"])
    req.connect(rep.lastEndpoint!)
    await until(() => repEvents.includes("handshake") && reqEvents.includes("handshake"), "handshakes")
    expect(reqEvents).toEqual(["connect", "handshake"])
    req.close()
    await until(() => repEvents.includes("disconnect"), "disconnect")
    expect(repEvents).toEqual(["bind", "accept", "handshake", "disconnect"])
  })

  it("maxMessageSize: a larger frame drops that connection only", async () => {
    const pull = track(new Pull({ maxMessageSize: 1000, receiveTimeout: 3000 }))
    const events = record(pull, ["disconnect"])
    await pull.bind("ws://127.0.0.1:*/")
    const big = track(new Push({ reconnectInterval: -1 }))
    big.connect(pull.lastEndpoint!)
    const good = track(new Push())
    good.connect(pull.lastEndpoint!)
    await big.send(Buffer.alloc(2000))
    await until(() => events.includes("disconnect"), "the disconnect")
    await good.send("fits")
    expect((await pull.receive()).map(String)).toEqual(["fits"])
  })

  it("reconnects after the bound side goes and comes back on the same port", async () => {
    const first = new Pull()
    await first.bind("ws://127.0.0.1:*/")
    const endpoint = first.lastEndpoint!
    const push = track(new Push({ reconnectInterval: 50 }))
    push.connect(endpoint)
    await push.send("one")
    expect((await first.receive()).map(String)).toEqual(["one"])
    first.close()
    await new Promise((r) => setTimeout(r, 100))
    const second = track(new Pull({ receiveTimeout: 3000 }))
    await second.bind(endpoint)
    await push.send("two")
    expect((await second.receive()).map(String)).toEqual(["two"])
  })
})

const PYTHON = "/usr/bin/python3"
const HAS_WS = spawnSync(PYTHON, ["-c", "import zmq, sys; sys.exit(0 if zmq.has('WS') else 1)"]).status === 0

describe.skipIf(!HAS_WS)("heartbeats over ws:// with libzmq 4.3.4", () => {
  it("our DEALER's WebSocket pings get libzmq's pongs: the connection outlives many heartbeat timeouts", async () => {
    const script = [
      "import zmq",
      "s = zmq.Context().socket(zmq.ROUTER); s.linger = 0; s.bind('ws://127.0.0.1:*/')",
      "print(s.getsockopt(zmq.LAST_ENDPOINT).decode(), flush=True)",
      "while True:",
      "    f = s.recv_multipart(); s.send_multipart([f[0], b'py'] + f[1:])",
    ].join("\n")
    const child = spawn(PYTHON, ["-c", script])
    children.push(child)
    const endpoint = await new Promise<string>((resolve) => child.stdout.once("data", (chunk: Buffer) => resolve(chunk.toString().trim())))
    const dealer = track(new Dealer({ heartbeatInterval: 30, heartbeatTimeout: 100, receiveTimeout: 3000 }))
    const events = record(dealer, ["handshake", "disconnect"])
    dealer.connect(endpoint)
    await dealer.send("a")
    expect((await dealer.receive()).map(String)).toEqual(["py", "a"])
    // 600 ms idle = 20 pings, 6 timeouts' worth: only pongs keep it up (libzmq sends nothing else).
    await new Promise((r) => setTimeout(r, 600))
    expect(events).toEqual(["handshake"])
    await dealer.send("b")
    expect((await dealer.receive()).map(String)).toEqual(["py", "b"])
  })
})
