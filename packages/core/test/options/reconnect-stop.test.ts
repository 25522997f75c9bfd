/**
 * ZMQ_RECONNECT_STOP (`reconnectStop`): libzmq's tests/test_reconnect_options.cpp, the monitor events a
 * connecting socket raises and when it stops retrying, over tcp and ipc, with our peers and libzmq's.
 *
 *   CONN_REFUSED (1, tcp)       connect:delay → close                    and no connect:retry
 *   HANDSHAKE_FAILED (2)        connect → handshake:error:* → disconnect  and no connect:retry
 *   AFTER_DISCONNECT (4, ipc)   once disconnect() was called, a refused ipc attempt → close, no retry
 *
 * "No retry" is an absence: it is checked over many reconnect intervals (10 ms), the only way to see one.
 */
import { execFileSync } from "node:child_process"
import { rmSync } from "node:fs"
import { createServer, type Server, type Socket as NetSocket } from "node:net"
import { setTimeout as sleep } from "node:timers/promises"
import { describe, expect, it } from "vitest"
import * as zmq from "zeromq"
import {
  Dealer,
  Publisher,
  RECONNECT_STOP_AFTER_DISCONNECT,
  RECONNECT_STOP_CONN_REFUSED,
  RECONNECT_STOP_HANDSHAKE_FAILED,
  Router,
  Subscriber,
  type Socket,
} from "../../src/index.js"
import { afterThisTest, track } from "../helpers/cleanup.js"
import { ipcPath, nextEvent, TRANSPORTS, until } from "../helpers/transports.js"

const tcp = TRANSPORTS.find((transport) => transport.name === "tcp")!
const ipc = TRANSPORTS.find((transport) => transport.name === "ipc")!
const INTERVAL = 10
/** Many reconnect intervals: a retry the socket would make shows within it. */
const QUIET = 300

const EVENT_TYPES = ["connect:delay", "connect", "handshake", "handshake:error:protocol", "handshake:error:other", "disconnect", "connect:retry", "close"] as const

/** The connection events `socket` raises from now on (for `address` only, when given). */
function record(socket: Socket, address?: string): string[] {
  const seen: string[] = []
  for (const type of EVENT_TYPES) {
    socket.events.on(type, (event) => {
      if (address === undefined || event.address === address) seen.push(type)
    })
  }
  return seen
}

function subscriber(reconnectStop: number, options: ConstructorParameters<typeof Subscriber>[0] = {}): Subscriber {
  return track(new Subscriber({ reconnectStop, reconnectInterval: INTERVAL, ...options }))
}

/** A byte-stream server that accepts and hangs up at once: no ZMTP greeting, so every handshake fails. */
async function hangUpServer(address: string): Promise<{ accepted: () => number }> {
  let count = 0
  const sockets: NetSocket[] = []
  const server: Server = createServer((socket) => {
    count++
    sockets.push(socket)
    socket.destroy()
  })
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject)
    if (address.startsWith("ipc://")) server.listen(address.slice("ipc://".length), resolve)
    else server.listen(Number(address.slice(address.lastIndexOf(":") + 1)), "127.0.0.1", resolve)
  })
  afterThisTest(() => {
    for (const socket of sockets) socket.destroy()
    server.close()
  })
  return { accepted: () => count }
}

/** An ipc path with a socket file and nobody listening: connecting is ECONNREFUSED, not ENOENT. */
function refusingIpcAddress(): string {
  const path = ipcPath()
  execFileSync("/usr/bin/python3", ["-c", "import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])", path])
  afterThisTest(() => rmSync(path, { force: true }))
  return `ipc://${path}`
}

describe("reconnectStop: the option", () => {
  it("is on every socket type, defaults to 0, takes any int as libzmq does, and reads back", () => {
    for (const Class of [Dealer, Router, Publisher, Subscriber]) {
      const socket = track(new Class())
      expect(socket.reconnectStop).toBe(0)
      socket.reconnectStop = RECONNECT_STOP_CONN_REFUSED | RECONNECT_STOP_HANDSHAKE_FAILED | RECONNECT_STOP_AFTER_DISCONNECT
      expect(socket.reconnectStop).toBe(7)
    }
    expect([RECONNECT_STOP_CONN_REFUSED, RECONNECT_STOP_HANDSHAKE_FAILED, RECONNECT_STOP_AFTER_DISCONNECT]).toEqual([1, 2, 4])
    const socket = track(new Dealer({ reconnectStop: 1 }))
    expect(socket.reconnectStop).toBe(1)
    expect(() => {
      socket.reconnectStop = "1" as unknown as number
    }).toThrow(new TypeError("Option value must be a number"))
  })
})

describe("without reconnectStop (reconnect_default, reconnect_success)", () => {
  for (const transport of [tcp, ipc]) {
    it(`retries after the peer went away, and reconnects once it is back, over ${transport.name}`, async () => {
      const address = await transport.fixedAddress()
      let pub = track(new Publisher({ linger: 0 }))
      await pub.bind(address)
      const sub = subscriber(0)
      const seen = record(sub)
      const connected = nextEvent(sub, "handshake")
      sub.connect(address)
      await connected
      const retried = nextEvent(sub, "connect:retry")
      pub.close()
      await retried
      const expected = [...(transport.name === "tcp" ? ["connect:delay"] : []), "connect", "handshake", "disconnect", "connect:retry"]
      expect(seen.slice(0, expected.length)).toEqual(expected)
      const again = nextEvent(sub, "handshake")
      pub = track(new Publisher({ linger: 0 }))
      await pub.bind(address)
      await again
    })
  }
})

describe("RECONNECT_STOP_CONN_REFUSED", () => {
  it("tcp: a refused attempt closes and is not retried (reconnect_stop_on_refused)", async () => {
    const address = await tcp.fixedAddress()
    const pub = track(new Publisher({ linger: 0 }))
    await pub.bind(address)
    const sub = subscriber(RECONNECT_STOP_CONN_REFUSED)
    const seen = record(sub)
    const connected = nextEvent(sub, "handshake")
    sub.connect(address)
    await connected
    const closed = nextEvent(sub, "close")
    pub.close()
    await closed
    await sleep(QUIET)
    expect(seen).toEqual(["connect:delay", "connect", "handshake", "disconnect", "connect:retry", "connect:delay", "close"])
  })

  it("tcp: refused from the first attempt, the socket never retries; queued messages are dropped, not kept for ever", async () => {
    const address = await tcp.fixedAddress()
    const dealer = track(new Dealer({ reconnectStop: RECONNECT_STOP_CONN_REFUSED, reconnectInterval: INTERVAL, sendTimeout: 0 }))
    const seen = record(dealer)
    const closed = nextEvent(dealer, "close")
    dealer.connect(address)
    await dealer.send("queued") // on the pipe made at connect time
    await closed
    await sleep(QUIET)
    expect(seen).toEqual(["connect:delay", "close"])
    // The pipe ended with the connection: the socket has no peer to queue for any more.
    await expect(dealer.send("no pipe")).rejects.toMatchObject({ code: "EAGAIN" })
  })

  it("tcp: a libzmq PUB that went away is not reconnected to when it comes back", async () => {
    const address = await tcp.fixedAddress()
    let pub = track(new zmq.Publisher({ linger: 0 }))
    await pub.bind(address)
    const sub = subscriber(RECONNECT_STOP_CONN_REFUSED)
    const connected = nextEvent(sub, "handshake")
    sub.connect(address)
    await connected
    const closed = nextEvent(sub, "close")
    pub.close()
    await closed
    pub = track(new zmq.Publisher({ linger: 0 }))
    let accepted = 0
    pub.events.on("accept", () => accepted++)
    await pub.bind(address)
    await sleep(QUIET)
    expect(accepted).toBe(0)
  })

  it("ipc: libzmq 4.3.5's ipc connecter ignores it and keeps retrying a refused path", async () => {
    const sub = subscriber(RECONNECT_STOP_CONN_REFUSED)
    const retried = nextEvent(sub, "connect:retry")
    sub.connect(refusingIpcAddress())
    await retried
  })
})

describe("RECONNECT_STOP_HANDSHAKE_FAILED", () => {
  for (const transport of [tcp, ipc]) {
    it(`a peer that is not ZMTP is connected to once, over ${transport.name} (reconnect_stop_on_handshake_failed)`, async () => {
      const address = await transport.fixedAddress()
      const server = await hangUpServer(address)
      const sub = subscriber(RECONNECT_STOP_HANDSHAKE_FAILED, { handshakeInterval: 1000 })
      const seen = record(sub)
      const dropped = nextEvent(sub, "disconnect")
      sub.connect(address)
      await dropped
      await sleep(QUIET)
      expect(seen).toEqual([...(transport.name === "tcp" ? ["connect:delay"] : []), "connect", "handshake:error:other", "disconnect"])
      expect(server.accepted()).toBe(1)
    })

    it(`without it the same peer is connected to again and again, over ${transport.name}`, async () => {
      const address = await transport.fixedAddress()
      const server = await hangUpServer(address)
      const sub = subscriber(RECONNECT_STOP_CONN_REFUSED, { handshakeInterval: 1000 })
      sub.connect(address)
      await until(() => server.accepted() >= 3, 5000, "three connections")
    })
  }

  it("a libzmq STREAM socket (raw tcp, no greeting) is given up on after the handshake timeout", async () => {
    const stream = track(new zmq.Stream({ linger: 0 }))
    let accepted = 0
    stream.events.on("accept", () => accepted++)
    await stream.bind("tcp://127.0.0.1:*")
    const sub = subscriber(RECONNECT_STOP_HANDSHAKE_FAILED, { handshakeInterval: 200 })
    const seen = record(sub)
    const dropped = nextEvent(sub, "disconnect")
    sub.connect(stream.lastEndpoint!)
    await dropped
    await sleep(QUIET)
    expect(seen).toEqual(["connect:delay", "connect", "handshake:error:other", "disconnect"])
    expect(accepted).toBe(1)
  })

  it("a handshake that succeeded is not a failure: the socket reconnects after a drop", async () => {
    const address = await tcp.fixedAddress()
    let pub = track(new Publisher({ linger: 0 }))
    await pub.bind(address)
    const sub = subscriber(RECONNECT_STOP_HANDSHAKE_FAILED)
    const connected = nextEvent(sub, "handshake")
    sub.connect(address)
    await connected
    const retried = nextEvent(sub, "connect:retry")
    pub.close()
    await retried
    const again = nextEvent(sub, "handshake")
    pub = track(new Publisher({ linger: 0 }))
    await pub.bind(address)
    await again
  })
})

describe("RECONNECT_STOP_AFTER_DISCONNECT", () => {
  it("ipc: once disconnect() was called, a refused attempt is not retried", async () => {
    const dealer = track(new Dealer({ reconnectStop: RECONNECT_STOP_AFTER_DISCONNECT, reconnectInterval: INTERVAL }))
    const other = `ipc://${ipcPath()}`
    dealer.connect(other)
    dealer.disconnect(other)
    const refusing = refusingIpcAddress()
    const seen = record(dealer, refusing)
    dealer.connect(refusing)
    await until(() => seen.includes("close"), 5000, "the refused attempt's close")
    await sleep(QUIET)
    expect(seen).toEqual(["close"])
  })

  it("ipc: before any disconnect(), a refused attempt is retried", async () => {
    const dealer = track(new Dealer({ reconnectStop: RECONNECT_STOP_AFTER_DISCONNECT, reconnectInterval: INTERVAL }))
    const retried = nextEvent(dealer, "connect:retry")
    dealer.connect(refusingIpcAddress())
    await retried
  })
})
