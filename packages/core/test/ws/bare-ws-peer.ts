/**
 * A bare "ZWS2.0" peer over raw node:net for the tests, written from RFC 6455 and RFC 45 alone (no code of
 * ours): what a browser, `ws` or the runtimes' WebSocket does, since they can offer "ZWS2.0" only. The
 * client offers "ZWS2.0"; the server answers "ZWS2.0". After the upgrade each side's first message is its
 * routing id; `receive()` returns whole messages (frames joined by the flags byte's MORE bit).
 */
import { createHash, randomBytes } from "node:crypto"
import { connect, createServer, type Server, type Socket } from "node:net"
import { connect as tlsConnect, createServer as createTlsServer, type TlsOptions } from "node:tls"
import { afterThisTest } from "../helpers/cleanup.js"

const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
const accept = (key: string): string => createHash("sha1").update(key + GUID).digest("base64")

export interface BarePeer {
  readonly socket: Socket
  /** The subprotocol the server chose (client) or the client offered (server). */
  readonly protocol: string
  /** Sends one message: one binary WebSocket message per frame, flags 0x01 on all but the last. */
  send(frames: ReadonlyArray<string | Buffer>): void
  /** One binary message with this exact payload (flags byte included). */
  sendPayload(payload: Buffer): void
  /** The next whole message; rejects after 5 s. */
  receive(): Promise<Buffer[]>
  /** Pings received (each answered with a pong). */
  readonly pings: Buffer[]
  /** Resolves when the TCP connection closes. */
  readonly closed: Promise<void>
}

function frame(opcode: number, payload: Buffer, masked: boolean): Buffer {
  const length = payload.length
  const header =
    length < 126 ? Buffer.from([0x80 | opcode, length]) : length <= 0xffff ? Buffer.from([0x80 | opcode, 126, length >> 8, length & 0xff]) : Buffer.alloc(10)
  if (length > 0xffff) {
    header[0] = 0x80 | opcode
    header[1] = 127
    header.writeBigUInt64BE(BigInt(length), 2)
  }
  if (!masked) return Buffer.concat([header, payload])
  header[1] = header[1]! | 0x80
  const mask = randomBytes(4)
  const body = Buffer.from(payload)
  for (let i = 0; i < body.length; i++) body[i] = body[i]! ^ mask[i & 3]!
  return Buffer.concat([header, mask, body])
}

/** Reads frames from `socket` after `rest`, the bytes that followed the HTTP head. */
function peer(socket: Socket, protocol: string, masked: boolean, rest: Buffer): BarePeer {
  let buffer = rest
  const messages: Buffer[][] = []
  let parts: Buffer[] = []
  const waiters: Array<() => void> = []
  const pings: Buffer[] = []
  const parse = (): void => {
    for (;;) {
      if (buffer.length < 2) return
      const opcode = buffer[0]! & 0x0f
      const hasMask = (buffer[1]! & 0x80) !== 0
      let length = buffer[1]! & 0x7f
      let offset = 2
      if (length === 126) {
        if (buffer.length < 4) return
        length = buffer.readUInt16BE(2)
        offset = 4
      } else if (length === 127) {
        if (buffer.length < 10) return
        length = Number(buffer.readBigUInt64BE(2))
        offset = 10
      }
      const maskAt = offset
      if (hasMask) offset += 4
      if (buffer.length < offset + length) return
      const payload = Buffer.from(buffer.subarray(offset, offset + length))
      if (hasMask) for (let i = 0; i < payload.length; i++) payload[i] = payload[i]! ^ buffer[maskAt + (i & 3)]!
      buffer = buffer.subarray(offset + length)
      if (opcode === 0x9) {
        pings.push(payload)
        socket.write(frame(0xa, payload, masked))
      } else if (opcode === 0x2) {
        parts.push(payload.subarray(1))
        if ((payload[0]! & 0x01) === 0) {
          messages.push(parts)
          parts = []
          for (const waiter of waiters.splice(0)) waiter()
        }
      } else if (opcode === 0x8) {
        socket.end()
      }
    }
  }
  socket.on("data", (chunk: Buffer) => {
    buffer = Buffer.concat([buffer, chunk])
    parse()
  })
  parse()
  const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()))
  return {
    socket,
    protocol,
    pings,
    closed,
    send(frames) {
      frames.forEach((f, i) => {
        const body = typeof f === "string" ? Buffer.from(f) : f
        socket.write(frame(0x2, Buffer.concat([Buffer.from([i < frames.length - 1 ? 0x01 : 0x00]), body]), masked))
      })
    },
    sendPayload(payload) {
      socket.write(frame(0x2, payload, masked))
    },
    receive() {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error("bare peer: no message within 5 s")), 5000)
        const look = (): void => {
          const message = messages.shift()
          if (message === undefined) {
            waiters.push(look)
            return
          }
          clearTimeout(timer)
          resolve(message)
        }
        look()
      })
    },
  }
}

/** Reads an HTTP head off `socket`; resolves with it and the bytes after it. */
function readHead(socket: Socket): Promise<{ head: string; rest: Buffer }> {
  return new Promise((resolve, reject) => {
    let data = Buffer.alloc(0)
    const onData = (chunk: Buffer): void => {
      data = Buffer.concat([data, chunk])
      const end = data.indexOf("\r\n\r\n")
      if (end < 0) return
      // The caller's listener is attached in the resolution's microtask, before the next read.
      socket.off("data", onData)
      resolve({ head: data.subarray(0, end).toString("latin1"), rest: data.subarray(end + 4) })
    }
    socket.on("data", onData)
    socket.once("close", () => reject(new Error(`closed before an HTTP head; got ${JSON.stringify(data.toString("latin1"))}`)))
  })
}

/**
 * Connects to a ws:// (or wss://, trusting `ca`) endpoint offering `protocols` (default bare "ZWS2.0");
 * rejects unless the server answers 101.
 */
export async function bareClient(endpoint: string, protocols = "ZWS2.0", ca?: string): Promise<BarePeer> {
  const url = new URL(endpoint.replace(/^ws(s?):/, "http$1:"))
  const socket = url.protocol === "https:" ? tlsConnect({ port: Number(url.port), host: url.hostname, ca: ca === undefined ? [] : [ca] }) : connect(Number(url.port), url.hostname)
  afterThisTest(() => socket.destroy())
  socket.on("error", () => undefined)
  const key = randomBytes(16).toString("base64")
  socket.write(
    `GET ${url.pathname} HTTP/1.1\r\nHost: ${url.hostname}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Protocol: ${protocols}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
  )
  const { head, rest } = await readHead(socket)
  if (!head.startsWith("HTTP/1.1 101")) throw new Error(`upgrade refused: ${head.split("\r\n")[0]}`)
  if (!head.includes(`Sec-WebSocket-Accept: ${accept(key)}`)) throw new Error("bad Sec-WebSocket-Accept")
  const protocol = /sec-websocket-protocol: *([^\r\n]*)/i.exec(head)?.[1] ?? ""
  return peer(socket, protocol, true, rest)
}

/**
 * A bare server on 127.0.0.1:<random port> (inside TLS with `tls`): answers every upgrade with "ZWS2.0" and
 * yields its peers in order.
 */
export async function bareServer(tls?: TlsOptions): Promise<{ port: number; server: Server; next(): Promise<BarePeer> }> {
  const accepted: BarePeer[] = []
  const waiters: Array<() => void> = []
  const onStream = (socket: Socket): void => {
    afterThisTest(() => socket.destroy())
    socket.on("error", () => undefined)
    void readHead(socket).then(({ head, rest }) => {
      const key = /sec-websocket-key: *([^\r\n]*)/i.exec(head)?.[1] ?? ""
      const offered = /sec-websocket-protocol: *([^\r\n]*)/i.exec(head)?.[1] ?? ""
      socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept(key)}\r\nSec-WebSocket-Protocol: ZWS2.0\r\n\r\n`)
      accepted.push(peer(socket, offered, false, rest))
      for (const waiter of waiters.splice(0)) waiter()
    }, () => undefined)
  }
  const server = tls === undefined ? createServer(onStream) : createTlsServer(tls, onStream)
  afterThisTest(() => server.close())
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const address = server.address()
  if (address === null || typeof address === "string") throw new Error("no address")
  return {
    port: address.port,
    server,
    next: () =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error("bare server: no connection within 5 s")), 5000)
        const look = (): void => {
          const first = accepted.shift()
          if (first === undefined) {
            waiters.push(look)
            return
          }
          clearTimeout(timer)
          resolve(first)
        }
        look()
      }),
  }
}
