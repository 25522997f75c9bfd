/**
 * Our ws:// client against bad servers: a raw node:net server answers the upgrade wrongly or sends frames
 * RFC 6455 / RFC 45 forbid. Each time our DEALER drops the connection with a monitor event, reconnects
 * (the bad server sees a second connection), and keeps serving its good peer, a ws ROUTER of ours.
 */
import { createHash } from "node:crypto"
import { createServer, type Socket } from "node:net"
import { describe, expect, it } from "vitest"
import { Dealer, Router, type SocketEvent } from "../../src/index.js"
import { afterThisTest, track } from "../helpers/cleanup.js"

const accept = (key: string): string => createHash("sha1").update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest("base64")

const response = (key: string, { status = "101 Switching Protocols", acceptKey = accept(key), protocol = "ZWS2.0/NULL" as string | null, extra = "" } = {}): string =>
  `HTTP/1.1 ${status}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${acceptKey}\r\n` +
  (protocol === null ? "" : `Sec-WebSocket-Protocol: ${protocol}\r\n`) +
  `${extra}\r\n`

/** A server frame (unmasked unless `mask`), FIN and opcode as given. */
function serverFrame(opcode: number, payload: Buffer, { fin = true, mask = false } = {}): Buffer {
  const head = Buffer.from([(fin ? 0x80 : 0) | opcode, (mask ? 0x80 : 0) | payload.length])
  return Buffer.concat(mask ? [head, Buffer.from([1, 2, 3, 4]), payload.map((b, i) => b ^ [1, 2, 3, 4][i & 3]!)] : [head, payload])
}

/** libzmq's NULL READY for a ROUTER, as one ZWS message: flags 0x02, then the command. */
const READY = Buffer.from([0x02, 0x05, ...Buffer.from("READY"), 0x0b, ...Buffer.from("Socket-Type"), 0, 0, 0, 6, ...Buffer.from("ROUTER")])

type Behaviour = (socket: Socket, key: string) => void

/** A server that runs `behave` on every connection once the request head is in; counts the connections. */
async function badServer(behave: Behaviour): Promise<{ port: number; connections: () => number }> {
  let count = 0
  const server = createServer((socket) => {
    count++
    afterThisTest(() => socket.destroy())
    socket.on("error", () => undefined)
    let head = ""
    const onData = (chunk: Buffer): void => {
      head += chunk.toString("latin1")
      if (!head.includes("\r\n\r\n")) return
      socket.off("data", onData)
      behave(socket, /sec-websocket-key: *([^\r\n]*)/i.exec(head)?.[1] ?? "")
    }
    socket.on("data", onData)
  })
  afterThisTest(() => server.close())
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const address = server.address()
  if (address === null || typeof address === "string") throw new Error("no address")
  return { port: address.port, connections: () => count }
}

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 300 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 10))
  if (!check()) throw new Error(`timed out waiting for ${what}`)
}

const upgraded = (frames: (key: string) => Buffer): Behaviour => (socket, key) => socket.write(Buffer.concat([Buffer.from(response(key), "latin1"), frames(key)]))

const cases: Array<[string, Behaviour, string]> = [
  ["a non-101 status", (s) => s.end("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n"), "handshake:error:other"],
  ["a wrong Sec-WebSocket-Accept", (s, key) => s.write(response(key, { acceptKey: accept(`${key}x`) })), "handshake:error:other"],
  ["no subprotocol", (s, key) => s.write(response(key, { protocol: null })), "handshake:error:other"],
  ["another subprotocol", (s, key) => s.write(response(key, { protocol: "chat" })), "handshake:error:other"],
  ["an extension in the response", (s, key) => s.write(response(key, { extra: "Sec-WebSocket-Extensions: permessage-deflate\r\n" })), "handshake:error:other"],
  ["garbage", (s) => s.write(Buffer.from([0xff, 0x00, 0x13, 0x37, 0x0d, 0x0a, 0x0d, 0x0a])), "handshake:error:other"],
  ["an oversized head", (s) => s.write(`HTTP/1.1 101 Switching Protocols\r\n${"X-Pad: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n".repeat(300)}`), "handshake:error:other"],
  ["a masked server frame", upgraded(() => serverFrame(0x2, READY, { mask: true })), "handshake:error:protocol"],
  ["a text frame", upgraded(() => serverFrame(0x1, READY)), "handshake:error:protocol"],
  ["a fragmented frame", upgraded(() => serverFrame(0x2, READY, { fin: false })), "handshake:error:protocol"],
  ["an empty binary frame", upgraded(() => serverFrame(0x2, Buffer.alloc(0))), "handshake:error:protocol"],
  ["a 2^63 length", upgraded(() => Buffer.from([0x82, 0x7f, 0x80, 0, 0, 0, 0, 0, 0, 0])), "handshake:error:protocol"],
]

describe("our ws:// client against bad servers → clean disconnect, monitor event, reconnect, good peer unaffected", () => {
  async function check(behave: Behaviour, expected: string, handshakeInterval = 30_000): Promise<SocketEvent[]> {
    const bad = await badServer(behave)
    const router = track(new Router())
    await router.bind("ws://127.0.0.1:*/")
    const dealer = track(new Dealer({ reconnectInterval: 20, handshakeInterval }))
    const events: SocketEvent[] = []
    for (const type of ["handshake", "handshake:error:other", "handshake:error:protocol", "disconnect"] as const) {
      dealer.events.on(type, (event: SocketEvent) => events.push(event))
    }
    dealer.connect(router.lastEndpoint!)
    dealer.connect(`ws://127.0.0.1:${bad.port}/`)
    await until(() => events.some((event) => event.type === expected), expected)
    await until(() => bad.connections() >= 2, "a reconnect to the bad server")
    // The good peer: its handshake is the only one, and messages flow.
    expect(events.filter((event) => event.type === "handshake")).toHaveLength(1)
    await dealer.send("still here")
    const [, body] = await router.receive()
    expect(body!.toString()).toBe("still here")
    return events
  }

  for (const [what, behave, expected] of cases) {
    it(`${what}: ${expected}`, async () => {
      await check(behave, expected)
    })
  }

  it("a close frame during the handshake: the connection ends (a close is echoed)", async () => {
    const echoed: Buffer[] = []
    const events = await check(
      (socket, key) => {
        socket.on("data", (chunk: Buffer) => echoed.push(chunk))
        socket.write(Buffer.concat([Buffer.from(response(key), "latin1"), serverFrame(0x8, Buffer.from([0x03, 0xe8]))]))
      },
      "handshake:error:protocol",
    )
    expect(events.some((event) => event.type === "handshake:error:protocol")).toBe(true)
    // The echo is a masked close (0x88, mask bit set) somewhere in what our client wrote after the upgrade.
    expect(Buffer.concat(echoed).includes(Buffer.from([0x88, 0x82]))).toBe(true)
  })

  it("a slowloris response is cut at handshakeInterval (ETIMEDOUT)", async () => {
    const events = await check((socket) => {
      socket.write("HTTP/1.1 101 Switching Protocols\r\n")
      const timer = setInterval(() => socket.writable && socket.write("X-Slow: 1\r\n"), 30)
      socket.once("close", () => clearInterval(timer))
      afterThisTest(() => clearInterval(timer))
    }, "handshake:error:other", 200)
    const failure = events.find((event) => event.type === "handshake:error:other") as { error?: { code?: string } } | undefined
    expect(failure?.error?.code).toBe("ETIMEDOUT")
  })
})
