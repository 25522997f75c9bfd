/**
 * What the STREAM tests share: raw (non-ZMTP) peers made with node:net over tcp or ipc, closed after each
 * test; reading a STREAM socket's [id, chunk] messages until a number of bytes has come; and the by-hand
 * ZMTP conversation of libzmq's test_stream_to_dealer, run against our DEALER and libzmq's.
 */
import { connect as netConnect, createServer, type Server, type Socket as NetSocket } from "node:net"
import { expect } from "vitest"
import type { Stream } from "../../src/index.js"
import { afterThisTest } from "../helpers/cleanup.js"
import { ipcPath } from "../helpers/transports.js"

export type RawTransport = "tcp" | "ipc"
export const RAW_TRANSPORTS: readonly RawTransport[] = ["tcp", "ipc"]

/** Where a STREAM socket binds for `transport`. */
export function streamBindAddress(transport: RawTransport): string {
  return transport === "tcp" ? "tcp://127.0.0.1:*" : `ipc://${ipcPath()}`
}

/** A raw client connected to `address` (tcp://host:port or ipc://path), destroyed after the test. */
export async function rawConnect(address: string): Promise<NetSocket> {
  const socket = address.startsWith("tcp://") ? netConnect(tcpOptions(address)) : netConnect({ path: address.slice("ipc://".length) })
  afterThisTest(() => socket.destroy())
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", resolve)
    socket.once("error", reject)
  })
  return socket
}

function tcpOptions(address: string): { host: string; port: number } {
  const rest = address.slice("tcp://".length)
  const colon = rest.lastIndexOf(":")
  return { host: rest.slice(0, colon), port: Number(rest.slice(colon + 1)) }
}

/** A raw server: its address, and its accepted connections as they come. */
export interface RawServer {
  readonly address: string
  readonly server: Server
  /** The `index`th connection accepted (0-based), once it is. */
  connection(index: number): Promise<NetSocket>
}

export async function rawServer(transport: RawTransport): Promise<RawServer> {
  const accepted: NetSocket[] = []
  const waiters: Array<() => void> = []
  const server = createServer((socket) => {
    accepted.push(socket)
    afterThisTest(() => socket.destroy())
    for (const waiter of waiters.splice(0)) waiter()
  })
  afterThisTest(() => server.close())
  const path = transport === "ipc" ? ipcPath() : undefined
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject)
    if (path === undefined) server.listen({ host: "127.0.0.1", port: 0 }, resolve)
    else server.listen({ path }, resolve)
  })
  const bound = server.address()
  const address = path !== undefined ? `ipc://${path}` : typeof bound === "object" && bound !== null ? `tcp://127.0.0.1:${bound.port}` : ""
  return {
    address,
    server,
    connection: (index) =>
      new Promise((resolve) => {
        const look = (): void => {
          if (accepted.length > index) resolve(accepted[index]!)
          else waiters.push(look)
        }
        look()
      }),
  }
}

/** Everything `socket` receives, as one growing buffer, and a way to wait for a length of it. */
export function collect(socket: NetSocket): { readonly bytes: () => Buffer; atLeast(length: number): Promise<Buffer>; readonly ended: Promise<void> } {
  const chunks: Buffer[] = []
  let total = 0
  const waiters: Array<() => void> = []
  socket.on("data", (chunk: Buffer) => {
    chunks.push(chunk)
    total += chunk.length
    for (const waiter of waiters.splice(0)) waiter()
  })
  const ended = new Promise<void>((resolve) => socket.once("close", () => resolve()))
  const bytes = (): Buffer => Buffer.concat(chunks, total)
  return {
    bytes,
    ended,
    atLeast: (length) =>
      new Promise((resolve, reject) => {
        const look = (): void => {
          if (total >= length) resolve(bytes())
          else waiters.push(look)
        }
        socket.once("close", () => {
          if (total < length) reject(new Error(`the connection closed after ${total} of ${length} bytes`))
        })
        look()
      }),
  }
}

/** The STREAM-like socket the conversations read: ours, or zeromq.js's. */
export interface StreamLike {
  send(message: [Buffer | string, Buffer | string]): Promise<void>
  receive(): Promise<Buffer[]>
}

/**
 * Reads [id, chunk] messages from `stream` until `length` bytes of data have come from connection `id`,
 * checking every message comes from it and is not a notification (an empty chunk).
 */
export async function receiveBytes(stream: StreamLike, id: Buffer, length: number): Promise<Buffer> {
  const chunks: Buffer[] = []
  let total = 0
  while (total < length) {
    const [from, chunk] = await stream.receive()
    expect(from!.equals(id), `chunk from ${from!.toString("hex")}, expected ${id.toString("hex")}`).toBe(true)
    expect(chunk!.length, "a notification where data was expected").toBeGreaterThan(0)
    chunks.push(chunk!)
    total += chunk!.length
  }
  return Buffer.concat(chunks, total)
}

/** The next message of `stream`, which must be a notification ([id, empty]); its id. */
export async function notification(stream: StreamLike): Promise<Buffer> {
  const [id, data] = await stream.receive()
  expect(id!.length).toBeGreaterThan(0)
  expect(data!.length).toBe(0)
  return id!
}

/** libzmq's test_stream greeting: ZMTP 3.1, NULL, not as-server (the length field is 1, as libzmq sends). */
export const GREETING = Buffer.concat([
  Buffer.from([0xff, 0, 0, 0, 0, 0, 0, 0, 1, 0x7f, 3, 1]),
  Buffer.concat([Buffer.from("NULL"), Buffer.alloc(16)]),
  Buffer.alloc(32),
])

/** The DEALER side of test_stream_to_dealer: ours or libzmq's. */
export interface DealerLike {
  send(message: Buffer | string): Promise<void>
  receive(): Promise<Buffer[]>
}

/**
 * libzmq's test_stream_to_dealer: a bound STREAM (notify on) speaks ZMTP by hand to a DEALER that connected
 * and sent "Hello" — greeting, READY as a ROUTER, a short frame each way, then a 64000-byte frame from the
 * DEALER read in whatever chunks it comes.
 */
export async function streamSpeaksZmtpToDealer(stream: StreamLike, dealer: DealerLike): Promise<void> {
  await dealer.send("Hello")
  const id = await notification(stream)
  const signature = await receiveBytes(stream, id, 10)
  expect(signature[0]).toBe(0xff)
  expect(signature[9]! & 1).toBe(1)
  const afterSignature = signature.subarray(10)
  await stream.send([id, GREETING])
  // The rest of the greeting (54 bytes) and READY (43) follow, in chunks of any size.
  const rest = Buffer.concat([afterSignature, await receiveBytes(stream, id, 97 - afterSignature.length)])
  expect([rest[0], rest[1]]).toEqual([3, 1])
  expect(rest.subarray(2, 22).equals(Buffer.concat([Buffer.from("NULL"), Buffer.alloc(16)]))).toBe(true)
  expect(rest.subarray(54, 62).toString("latin1")).toBe("\x04\x29\x05READY")
  expect(rest.subarray(62, 84).toString("latin1")).toBe("\x0bSocket-Type\0\0\0\x06DEALER")
  expect(rest.subarray(84, 97).toString("latin1")).toBe("\x08Identity\0\0\0\0")
  const ready = Buffer.from("\x04\x29\x05READY\x0bSocket-Type\0\0\0\x06ROUTER\x08Identity\0\0\0\0", "latin1")
  expect(ready.length).toBe(43)
  await stream.send([id, ready])
  const hello = await receiveBytes(stream, id, 7 - (rest.length - 97))
  expect(Buffer.concat([rest.subarray(97), hello]).toString("latin1")).toBe("\x00\x05Hello")
  await stream.send([id, Buffer.from("\x00\x05World", "latin1")])
  const [world] = await dealer.receive()
  expect(world!.toString()).toBe("World")
  await dealer.send(Buffer.alloc(64000, 0xab))
  const large = await receiveBytes(stream, id, 9 + 64000)
  expect(large.length).toBe(9 + 64000)
  expect(large[0]).toBe(0x02) // a long frame: flags, then a 64-bit size
  expect(large.readBigUInt64BE(1)).toBe(64000n)
  expect(large.subarray(9).equals(Buffer.alloc(64000, 0xab))).toBe(true)
}

/** A HTTP/1.0 response as test_stream_to_stream sends it (with its trailing NUL: sizeof of a C string). */
export const HTTP_RESPONSE = Buffer.from("HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nHello, World!\0", "latin1")

/**
 * test_stream_to_stream: a bound STREAM and a connecting STREAM, both with notify: each sees the connection,
 * the client sends an HTTP request to the server's connection id, the server answers and closes with an
 * empty frame, and the client gets the whole response, then (from us; libzmq's test leaves it out) the
 * disconnect notification.
 */
export async function streamToStream(server: StreamLike, client: StreamLike, expectDisconnectNotification: boolean): Promise<void> {
  const atServer = await notification(server)
  const atClient = await notification(client)
  await client.send([atClient, "GET /\n\n"])
  const request = await receiveBytes(server, atServer, 7)
  expect(request.toString()).toBe("GET /\n\n")
  await server.send([atServer, HTTP_RESPONSE])
  await server.send([atServer, Buffer.alloc(0)])
  const response = await receiveBytes(client, atClient, HTTP_RESPONSE.length)
  expect(response.equals(HTTP_RESPONSE)).toBe(true)
  if (expectDisconnectNotification) expect((await notification(client)).equals(atClient)).toBe(true)
}
