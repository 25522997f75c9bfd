/**
 * Bad WebSocket peers (RFC 6455 / RFC 45 violations) against a bound ws:// PULL of ours that also serves a
 * well-behaved PUSH: each bad connection is closed by our side, reported in the monitor events, and the
 * good peer's messages keep arriving. Raw `net.connect` clients write the bytes.
 */
import { createHash, randomBytes } from "node:crypto"
import { connect as netConnect, type Socket as NetSocket } from "node:net"
import { afterEach, describe, expect, it } from "vitest"
import { Pull, Push, type SocketEvent } from "../../src/index.js"

const closers: Array<() => void> = []
afterEach(() => {
  for (const close of closers.splice(0)) close()
})

const KEY = "dGhlIHNhbXBsZSBub25jZQ=="
const upgrade = (path = "/", protocol = "ZWS2.0/NULL,ZWS2.0"): string =>
  `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${KEY}\r\n` +
  `Sec-WebSocket-Protocol: ${protocol}\r\nSec-WebSocket-Version: 13\r\n\r\n`

/** A masked client frame (RFC 6455 §5.2), `fin`/`opcode` as given, with a 7/16-bit length. */
function clientFrame(opcode: number, payload: Buffer, { fin = true, masked = true } = {}): Buffer {
  const mask = randomBytes(4)
  const length = payload.length
  const header = length < 126 ? Buffer.from([(fin ? 0x80 : 0) | opcode, (masked ? 0x80 : 0) | length]) : Buffer.from([(fin ? 0x80 : 0) | opcode, (masked ? 0x80 : 0) | 126, length >> 8, length & 0xff])
  const body = Buffer.from(payload)
  if (masked) for (let i = 0; i < body.length; i++) body[i]! ^= mask[i & 3]!
  return Buffer.concat(masked ? [header, mask, body] : [header, body])
}

async function fixture(handshakeInterval = 30_000) {
  const pull = new Pull({ handshakeInterval })
  const events: SocketEvent[] = []
  for (const type of ["accept", "handshake", "handshake:error:other", "handshake:error:protocol", "disconnect"] as const) {
    pull.events.on(type, (event: SocketEvent) => events.push(event))
  }
  await pull.bind("ws://127.0.0.1:*/")
  const push = new Push()
  push.connect(pull.lastEndpoint!)
  closers.push(() => push.close(), () => pull.close())
  const port = Number(new URL(pull.lastEndpoint!.replace(/^ws:/, "http:")).port)
  let sent = 0
  let received = 0
  /** One good message through, in order. */
  const good = async (): Promise<void> => {
    await push.send(`good ${sent++}`)
    expect((await pull.receive())[0]!.toString()).toBe(`good ${received++}`)
  }
  return { events, port, good }
}

function raw(port: number): { socket: NetSocket; closed: Promise<string> } {
  const socket = netConnect(port, "127.0.0.1")
  closers.push(() => socket.destroy())
  let data = ""
  socket.on("data", (chunk: Buffer) => (data += chunk.toString("latin1")))
  socket.on("error", () => undefined)
  const closed = new Promise<string>((resolve) => socket.once("close", () => resolve(data)))
  return { socket, closed }
}

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 10))
  if (!check()) throw new Error(`timed out waiting for ${what}`)
}

const types = (events: SocketEvent[]): string[] => events.map((event) => event.type)

describe("bad input over ws:// → clean disconnect, monitor event, other peers unaffected", () => {
  const frames: Array<[string, Buffer]> = [
    ["a text frame", clientFrame(0x1, Buffer.from([0x00, 0x41]))],
    ["a fragmented frame", clientFrame(0x2, Buffer.from([0x00, 0x41]), { fin: false })],
    ["an empty payload", clientFrame(0x2, Buffer.alloc(0))],
    ["an unmasked client frame", clientFrame(0x2, Buffer.from([0x00, 0x41]), { masked: false })],
    ["a 2^63 length", Buffer.from([0x82, 0xff, 0x80, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4])],
  ]
  for (const [what, bytes] of frames) {
    it(`${what} after the upgrade`, async () => {
      const { events, port, good } = await fixture()
      await good()
      const bad = raw(port)
      bad.socket.write(upgrade())
      await until(() => types(events).filter((t) => t === "accept").length >= 2, "the accept")
      bad.socket.write(bytes)
      const answer = await bad.closed
      expect(answer).toMatch(/^HTTP\/1\.1 101 /)
      // The peer never finished the NULL handshake: the frame fault fails it (libzmq: HANDSHAKE_FAILED_PROTOCOL).
      await until(() => types(events).includes("handshake:error:protocol"), "handshake:error:protocol")
      await good()
    })
  }

  it("an HTTP request that is not an upgrade: 400, closed, reported", async () => {
    const { events, port, good } = await fixture()
    await good()
    const bad = raw(port)
    bad.socket.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    expect(await bad.closed).toMatch(/^HTTP\/1\.1 400 /)
    await until(() => types(events).includes("handshake:error:other"), "handshake:error:other")
    await good()
  })

  it("an upgrade offering no ZWS subprotocol: 400", async () => {
    const { port, good } = await fixture()
    const bad = raw(port)
    bad.socket.write(upgrade("/", "chat"))
    expect(await bad.closed).toMatch(/^HTTP\/1\.1 400 /)
    await good()
  })

  it("a slowloris upgrade is cut at handshakeInterval", async () => {
    const { events, port, good } = await fixture(300)
    await good()
    const bad = raw(port)
    bad.socket.write("GET / HTTP/1.1\r\nHost: x\r\n")
    const timer = setInterval(() => bad.socket.write("X-Slow: 1\r\n"), 50)
    closers.push(() => clearInterval(timer))
    await bad.closed
    clearInterval(timer)
    const failure = events.find((event) => event.type === "handshake:error:other") as { error?: { code?: string } } | undefined
    expect(failure?.error?.code).toBe("ETIMEDOUT")
    await good()
  })

  it("the accept key the server sends is RFC 6455's", async () => {
    const { port } = await fixture()
    const bad = raw(port)
    bad.socket.write(upgrade())
    await new Promise((r) => setTimeout(r, 100))
    bad.socket.destroy()
    const answer = await bad.closed
    const accept = createHash("sha1").update(KEY + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").digest("base64")
    expect(answer).toContain(`Sec-WebSocket-Accept: ${accept}\r\n`)
    expect(answer).toContain("Sec-WebSocket-Protocol: ZWS2.0/NULL\r\n")
  })
})
