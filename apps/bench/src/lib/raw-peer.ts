/**
 * A raw peer for one side of a zmq-ts pair: just enough of ZMTP 3.0 (greeting and NULL READY, RFC 23 §§3–4)
 * or of bare ZWS 2.0 (RFC 6455 upgrade, routing-id message, RFC 45) for a zmq-ts socket to accept it, then
 * pre-framed messages written in ~64 KiB batches, or frames counted without being decoded. It costs next to
 * nothing per message, so the zmq-ts side of the pair is the whole of what is measured (src/sides.ts).
 */
import { createHash, randomBytes } from "node:crypto"
import type { Socket } from "node:net"
import { frame } from "./net-frames.js"

export type RawTransport = "tcp" | "ws"

/** RFC 6455 §1.3. */
const WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
/** The client's masking key: fixed, since nothing here is a security boundary. */
const MASK = Buffer.from([0x5a, 0xc3, 0x17, 0x8e])

/** A ZMTP 3.0 greeting for NULL (RFC 23 §3) and the READY command naming `socketType` (RFC 23 §4). */
export function zmtpNullHandshake(socketType: string): Buffer {
  const greeting = Buffer.alloc(64)
  greeting[0] = 0xff
  greeting[9] = 0x7f
  greeting[10] = 3
  greeting.write("NULL", 12, "latin1")
  const name = Buffer.from("Socket-Type", "latin1")
  const value = Buffer.from(socketType, "latin1")
  const body = Buffer.concat([Buffer.from([5]), Buffer.from("READY", "latin1"), Buffer.from([name.length]), name, Buffer.alloc(4), value])
  body.writeUInt32BE(value.length, 7 + name.length)
  return Buffer.concat([greeting, Buffer.from([0x04, body.length]), body])
}

/** One binary WebSocket frame (FIN) whose payload is a ZWS frame: flags byte 0x00, then `size` bytes. */
export function wsMessage(size: number, masked: boolean): Buffer {
  const length = size + 1
  const header = length < 126 ? 2 : length < 65536 ? 4 : 10
  const keyLength = masked ? 4 : 0
  const out = Buffer.alloc(header + keyLength + length, "x")
  out[0] = 0x82
  const maskBit = masked ? 0x80 : 0
  if (header === 2) out[1] = maskBit | length
  else if (header === 4) {
    out[1] = maskBit | 126
    out.writeUInt16BE(length, 2)
  } else {
    out[1] = maskBit | 127
    out.writeBigUInt64BE(BigInt(length), 2)
  }
  const payload = header + keyLength
  out[payload] = 0x00
  if (masked) {
    MASK.copy(out, header)
    for (let i = 0; i < length; i++) out[payload + i]! ^= MASK[i & 3]!
  }
  return out
}

/** One message of `size` bytes as `transport` carries it from a client (ws frames are masked). */
export function clientMessage(transport: RawTransport, size: number): Buffer {
  return transport === "ws" ? wsMessage(size, true) : frame(size)
}

/** `message` repeated to about 64 KiB (at least once). */
export function batchOf(message: Buffer): { bytes: Buffer; messages: number } {
  const messages = Math.max(1, Math.floor((64 * 1024) / message.length))
  const bytes = Buffer.allocUnsafe(message.length * messages)
  for (let i = 0; i < messages; i++) message.copy(bytes, i * message.length)
  return { bytes, messages }
}

/** Client side of the handshake: resolves once the zmq-ts socket can take messages. */
export async function clientHandshake(socket: Socket, transport: RawTransport, socketType: string, host: string, path: string): Promise<void> {
  if (transport === "tcp") {
    socket.write(zmtpNullHandshake(socketType))
    return
  }
  const key = randomBytes(16).toString("base64")
  socket.write(
    `GET ${path} HTTP/1.1\r\nHost: ${host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\n` +
      `Sec-WebSocket-Protocol: ZWS2.0\r\nSec-WebSocket-Version: 13\r\n\r\n`,
  )
  await new Promise<void>((resolve, reject) => {
    let head = ""
    const onData = (chunk: Buffer): void => {
      head += chunk.toString("latin1")
      if (!head.includes("\r\n\r\n")) return
      socket.off("data", onData)
      if (!/^HTTP\/1\.1 101\b/.test(head)) reject(new Error(`upgrade answered ${head.split("\r\n")[0]}`))
      else resolve()
    }
    socket.on("data", onData)
  })
  // Bare ZWS2.0: our routing id (empty) is the first message.
  socket.write(wsMessage(0, true))
}

/**
 * Server side of the handshake for a connection just accepted; `onData` gets every later byte. tcp: our
 * greeting and READY go out at once and the peer's 64-byte greeting is skipped (its READY reaches `onData`
 * as one more frame, which a warm-up discards).
 */
export function serverHandshake(socket: Socket, transport: RawTransport, socketType: string, onData: (chunk: Buffer) => void): void {
  if (transport === "tcp") {
    socket.write(zmtpNullHandshake(socketType))
    let greeting = 64
    socket.on("data", (chunk: Buffer) => {
      if (greeting > 0) {
        const take = Math.min(greeting, chunk.length)
        greeting -= take
        if (take === chunk.length) return
        chunk = chunk.subarray(take)
      }
      onData(chunk)
    })
    return
  }
  let head = ""
  let upgraded = false
  socket.on("data", (chunk: Buffer) => {
    if (upgraded) {
      onData(chunk)
      return
    }
    head += chunk.toString("latin1")
    const end = head.indexOf("\r\n\r\n")
    if (end < 0) return
    const key = /sec-websocket-key:\s*(\S+)/i.exec(head.slice(0, end))?.[1] ?? ""
    const accept = createHash("sha1").update(key + WS_GUID).digest("base64")
    socket.write(
      `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n` +
        `Sec-WebSocket-Protocol: ZWS2.0\r\n\r\n`,
    )
    socket.write(wsMessage(0, false)) // bare ZWS2.0: our routing id (empty) first
    upgraded = true
    const rest = Buffer.from(head.slice(end + 4), "latin1")
    if (rest.length > 0) onData(rest)
  })
}

/**
 * Counts WebSocket frames of a byte stream, skipping their payloads (never unmasking them). The first
 * frame is the bare-ZWS routing id; a later empty ZWS message (the flags byte alone) ends the run. A header
 * split across reads is joined with the next read (rare: at most once per read).
 */
export class WsFrameCounter {
  /** Payload bytes still to skip. */
  #skip = 0
  #partial: Buffer | undefined
  frames = 0
  ended = false
  lastSize = -1

  feed(input: Buffer): void {
    let chunk = input
    if (this.#partial !== undefined) {
      chunk = Buffer.concat([this.#partial, input])
      this.#partial = undefined
    }
    const length = chunk.length
    let pos = 0
    let frames = this.frames
    while (pos < length) {
      if (this.#skip > 0) {
        const n = Math.min(this.#skip, length - pos)
        this.#skip -= n
        pos += n
        continue
      }
      if (length - pos < 2) break
      const b1 = chunk[pos + 1]!
      const short = b1 & 0x7f
      const headerSize = (short < 126 ? 2 : short === 126 ? 4 : 10) + ((b1 & 0x80) !== 0 ? 4 : 0)
      if (length - pos < headerSize) break
      const payload = short < 126 ? short : short === 126 ? chunk.readUInt16BE(pos + 2) : chunk.readUInt32BE(pos + 6)
      pos += headerSize
      if (payload <= 1 && frames > 0) this.ended = true
      else if (payload > 1) this.lastSize = payload - 1
      frames++
      this.#skip = payload
    }
    this.frames = frames
    if (pos < length) this.#partial = Buffer.from(chunk.subarray(pos))
  }
}
