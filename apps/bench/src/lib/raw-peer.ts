/**
 * A raw peer for one side of a zmq-ts pair: just enough of ZMTP 3.0 (greeting and NULL READY, RFC 23 §§3–4)
 * or of bare ZWS 2.0 (RFC 6455 upgrade, routing-id message, RFC 45) for a zmq-ts socket to accept it, then
 * pre-framed messages written in ~64 KiB batches, or frames counted without being decoded. It costs next to
 * nothing per message, so the zmq-ts side of the pair is the whole of what is measured (src/sides.ts).
 */
import { createHash, randomBytes } from "node:crypto"
import type { Socket } from "node:net"
import { frame } from "./net-frames.js"
import { MASKED_END_FRAME, maskedMessageFrame } from "./net-ws.js"

export type RawTransport = "tcp" | "ws"

/** RFC 6455 §1.3. */
const WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
/** A server frame (FIN, binary, unmasked) carrying a ZWS message with no body: the flags byte alone. */
const EMPTY_SERVER_MESSAGE = Buffer.from([0x82, 0x01, 0x00])

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

/**
 * Wraps `onData` so that it gets only what a ZMTP NULL peer sends after its handshake: the peer's 64-byte
 * greeting and READY command (one short command frame, RFC 23 §4) are skipped wherever reads split them.
 */
export function afterZmtpHandshake(onData: (chunk: Buffer) => void): (chunk: Buffer) => void {
  let greeting = 64
  // READY's header bytes seen (flags, size), then the body bytes still to skip.
  let header = 0
  let body = 0
  return (chunk) => {
    let pos = Math.min(greeting, chunk.length)
    greeting -= pos
    while (greeting === 0 && (header < 2 || body > 0) && pos < chunk.length) {
      if (header < 2) {
        if (header++ === 1) body = chunk[pos]!
        pos++
        continue
      }
      const take = Math.min(body, chunk.length - pos)
      body -= take
      pos += take
    }
    if (pos < chunk.length) onData(pos === 0 ? chunk : chunk.subarray(pos))
  }
}

/** One message of `size` bytes as `transport` carries it from a client (ws frames are masked). */
export function clientMessage(transport: RawTransport, size: number): Buffer {
  return transport === "ws" ? maskedMessageFrame(size) : frame(size)
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
  socket.write(MASKED_END_FRAME)
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
    socket.write(EMPTY_SERVER_MESSAGE) // bare ZWS2.0: our routing id (empty) first
    upgraded = true
    const rest = Buffer.from(head.slice(end + 4), "latin1")
    if (rest.length > 0) onData(rest)
  })
}
