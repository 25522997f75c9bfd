/**
 * The raw Node floor of a ws round trip: net-frames.ts's ping-pong, but each message is a ZWS 2.0 payload
 * (flags byte 0x00 + body; RFC 45) in an RFC 6455 binary frame, after a real HTTP/1.1 upgrade. The client
 * (timing side) sends masked frames, the server (echoing side) unmasks each and echoes it as an unmasked
 * server frame, as a ws library must. Like net-frames.ts, nothing is allocated per message.
 */
import { createHash } from "node:crypto"
import type { Server, Socket } from "node:net"
import { connectTo, listen } from "./net-frames.js"

/** RFC 6455 §1.3. */
const WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
const OPCODE_BINARY_FIN = 0x82
const MASK_BIT = 0x80
/** The fixed key of the sample handshake in RFC 6455 §1.3: the floor measures bytes moved, not nonces. */
const CLIENT_KEY = "dGhlIHNhbXBsZSBub25jZQ=="
const SUBPROTOCOL = "ZWS2.0"
const MAX_HEAD = 8192

/** `ws://host:port` as the tcp endpoint net-frames.ts takes. */
function tcpOf(endpoint: string): string {
  const match = /^ws:\/\/(.+):(\*|\d+)(\/.*)?$/.exec(endpoint)
  if (match === null) throw new Error(`not a ws endpoint: ${endpoint}`)
  return `tcp://${match[1]}:${match[2]}`
}

function acceptOf(key: string): string {
  return createHash("sha1").update(key + WS_GUID).digest("base64")
}

/** Header length and payload length of a frame whose first bytes are `header[0..available)`; undefined if more are needed. */
function parseHeader(header: Buffer, available: number): { headerSize: number; payload: number; masked: boolean } | undefined {
  if (available < 2) return undefined
  const masked = (header[1]! & MASK_BIT) !== 0
  const short = header[1]! & 0x7f
  const extended = short === 126 ? 2 : short === 127 ? 8 : 0
  const headerSize = 2 + extended + (masked ? 4 : 0)
  if (available < headerSize) return undefined
  // Lengths here stay far below 2^32: the high half of the 8-byte length is ignored.
  const payload = short === 126 ? header.readUInt16BE(2) : short === 127 ? header.readUInt32BE(6) : short
  return { headerSize, payload, masked }
}

function headerSizeOf(payload: number, masked: boolean): number {
  return 2 + (payload < 126 ? 0 : payload < 65536 ? 2 : 8) + (masked ? 4 : 0)
}

/** Writes the header of a binary frame carrying `payload` bytes at the start of `out` (the mask key left to the caller). */
function writeFrameHeader(out: Buffer, payload: number, masked: boolean): void {
  out[0] = OPCODE_BINARY_FIN
  out[1] = (masked ? MASK_BIT : 0) | (payload < 126 ? payload : payload < 65536 ? 126 : 127)
  if (payload >= 65536) {
    out.writeUInt32BE(0, 2)
    out.writeUInt32BE(payload, 6)
  } else if (payload >= 126) out.writeUInt16BE(payload, 2)
}

/** A masked client frame carrying one ZWS message of `size` bytes (flags 0x00 + body), made once and sent as is. */
export function maskedMessageFrame(size: number): Buffer {
  const headerSize = headerSizeOf(size + 1, true)
  const out = Buffer.alloc(headerSize + size + 1, "x")
  writeFrameHeader(out, size + 1, true)
  const mask = [0x37, 0xfa, 0x21, 0x3d]
  out.set(mask, headerSize - 4)
  out[headerSize] = 0x00 // ZWS flags: a final frame, no command
  for (let i = 0; i <= size; i++) out[headerSize + i] = out[headerSize + i]! ^ mask[i & 3]!
  return out
}

/** The ZWS message with an empty body (flags only) ends a run. */
export const MASKED_END_FRAME = maskedMessageFrame(0)

/**
 * Counts frames of a byte stream, chunk by chunk, as net-frames.ts's FrameCounter does ZMTP frames: payloads
 * are skipped, not copied; a header split across chunks is kept (a few bytes).
 */
export class WsFrameCounter {
  #skip = 0
  readonly #header = Buffer.alloc(14)
  #headerLength = 0
  frames = 0
  /** ZWS messages with no body (the flags byte alone): a bare-ZWS routing id, an end message. */
  emptyMessages = 0
  /** Body size of the last ZWS message with a body (to check the sender's). */
  lastSize = -1

  feed(chunk: Buffer): void {
    let pos = 0
    const length = chunk.length
    while (pos < length) {
      if (this.#skip > 0) {
        const n = Math.min(this.#skip, length - pos)
        this.#skip -= n
        pos += n
        if (this.#skip === 0) this.frames++
        continue
      }
      const take = Math.min(this.#header.length - this.#headerLength, length - pos)
      chunk.copy(this.#header, this.#headerLength, pos, pos + take)
      const parsed = parseHeader(this.#header, this.#headerLength + take)
      if (parsed === undefined) {
        this.#headerLength += take
        return
      }
      pos += parsed.headerSize - this.#headerLength
      this.#headerLength = 0
      if (parsed.payload <= 1) this.emptyMessages++
      else this.lastSize = parsed.payload - 1
      if (parsed.payload === 0) this.frames++
      else this.#skip = parsed.payload
    }
  }
}

/**
 * The server's side of each frame: unmasks a client frame into a buffer that already holds the server
 * frame's header, and hands the finished server frame to `send`. The buffer grows only when a larger frame
 * comes; for frames of one size the same Buffer (and view of it) is sent every time.
 */
export class WsEchoer {
  readonly #send: (frame: Buffer) => void
  readonly #header = Buffer.alloc(14)
  #headerLength = 0
  readonly #mask = Buffer.alloc(4)
  #out = Buffer.alloc(0)
  #view = Buffer.alloc(0)
  #outHeader = 0
  #payload = 0
  /** Payload bytes of the current frame received so far; -1 between frames. */
  #at = -1
  /** Frames echoed. */
  frames = 0
  /** The empty ZWS message (flags only) arrived. */
  ended = false

  constructor(send: (frame: Buffer) => void) {
    this.#send = send
  }

  feed(chunk: Buffer): void {
    let pos = 0
    const length = chunk.length
    while (pos < length) {
      if (this.#at < 0) {
        const take = Math.min(this.#header.length - this.#headerLength, length - pos)
        chunk.copy(this.#header, this.#headerLength, pos, pos + take)
        const parsed = parseHeader(this.#header, this.#headerLength + take)
        if (parsed === undefined) {
          this.#headerLength += take
          return
        }
        if (!parsed.masked) throw new Error("a client frame must be masked (RFC 6455 §5.1)")
        pos += parsed.headerSize - this.#headerLength
        this.#headerLength = 0
        this.#header.copy(this.#mask, 0, parsed.headerSize - 4, parsed.headerSize)
        this.#start(parsed.payload)
      }
      const out = this.#out
      const mask = this.#mask
      const base = this.#outHeader
      const n = Math.min(this.#payload - this.#at, length - pos)
      for (let i = 0, at = this.#at; i < n; i++, at++) out[base + at] = chunk[pos + i]! ^ mask[at & 3]!
      this.#at += n
      pos += n
      if (this.#at === this.#payload) this.#complete()
    }
  }

  #start(payload: number): void {
    const headerSize = headerSizeOf(payload, false)
    if (this.#view.length !== headerSize + payload) {
      // A new size: the only allocations, never per message of one size.
      if (this.#out.length < headerSize + payload) this.#out = Buffer.alloc(headerSize + payload)
      this.#view = this.#out.subarray(0, headerSize + payload)
    }
    writeFrameHeader(this.#out, payload, false)
    this.#outHeader = headerSize
    this.#payload = payload
    this.#at = 0
  }

  #complete(): void {
    this.#at = -1
    // One message is in flight at a time, so the buffer is on the wire before the next request arrives.
    this.#send(this.#view)
    if (this.#payload <= 1) this.ended = true
    else this.frames++
  }
}

/**
 * Listens at `address` (ws://host:*); answers each connection's upgrade request with 101, the
 * Sec-WebSocket-Accept and the ZWS2.0 subprotocol, then hands it the bytes after the request head.
 */
export async function listenWs(address: string, onUpgraded: (socket: Socket, rest: Buffer) => void): Promise<{ server: Server; endpoint: string }> {
  const { server, endpoint } = await listen(tcpOf(address), (socket) => {
    // The runner's upgrade probe (lib/ws-probe.ts) hangs up right after the 101.
    socket.on("error", () => {})
    let head = Buffer.alloc(0)
    const onHead = (chunk: Buffer): void => {
      head = Buffer.concat([head, chunk])
      const end = head.indexOf("\r\n\r\n")
      if (end < 0) {
        if (head.length > MAX_HEAD) socket.destroy()
        return
      }
      socket.off("data", onHead)
      const key = /^sec-websocket-key:\s*(\S+)\s*$/im.exec(head.subarray(0, end).toString("latin1"))?.[1]
      if (key === undefined) {
        socket.end("HTTP/1.1 400 Bad Request\r\n\r\n")
        return
      }
      socket.write(
        `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Accept: ${acceptOf(key)}\r\nSec-WebSocket-Protocol: ${SUBPROTOCOL}\r\n\r\n`,
      )
      onUpgraded(socket, head.subarray(end + 4))
    }
    socket.on("data", onHead)
  })
  return { server, endpoint: endpoint.replace(/^tcp:/, "ws:") }
}

/** Connects to `endpoint` (ws://host:port) and completes the upgrade; resolves once the 101 has arrived. */
export async function connectWs(endpoint: string): Promise<Socket> {
  const socket = await connectTo(tcpOf(endpoint))
  const path = /^ws:\/\/[^/]+(\/.*)?$/.exec(endpoint)?.[1] ?? "/"
  const host = new URL(endpoint).host
  socket.write(
    `GET ${path} HTTP/1.1\r\nHost: ${host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Key: ${CLIENT_KEY}\r\nSec-WebSocket-Protocol: ${SUBPROTOCOL}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
  )
  return new Promise((resolve, reject) => {
    let head = ""
    const onData = (text: Buffer): void => {
      head += text.toString("latin1")
      const end = head.indexOf("\r\n\r\n")
      if (end < 0) {
        if (head.length > MAX_HEAD) fail(new Error(`${endpoint}: no HTTP head in ${MAX_HEAD} bytes`))
        return
      }
      // The server sends nothing after its 101 until it has a frame to echo, so the head is all there is.
      if (end + 4 !== head.length) return fail(new Error(`${endpoint}: data after the 101`))
      if (!/^HTTP\/1\.1 101\b/.test(head)) return fail(new Error(`${endpoint}: upgrade answered "${head.slice(0, head.indexOf("\r\n"))}"`))
      if (!head.includes(`Sec-WebSocket-Accept: ${acceptOf(CLIENT_KEY)}\r\n`)) return fail(new Error(`${endpoint}: wrong Sec-WebSocket-Accept`))
      socket.off("data", onData)
      socket.off("error", fail)
      resolve(socket)
    }
    const fail = (error: Error): void => {
      socket.destroy()
      reject(error)
    }
    socket.on("data", onData)
    socket.once("error", fail)
  })
}
