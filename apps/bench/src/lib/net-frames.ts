/**
 * The raw Node `net` ceiling: messages pre-framed as ZMTP data frames (flags byte, 1- or 8-byte length,
 * body; no handshake), written in ~64 KiB batches, and counted on the receiving side by a tight parser that
 * keeps no per-message state. Nothing a real library could do is cheaper over a Node socket.
 */
import { once } from "node:events"
import { connect, createServer, type Server, type Socket } from "node:net"

/** One frame: short (flags 0x00, 1-byte length) up to 255 bytes, long (flags 0x02, 8-byte length) above. */
export function frame(size: number): Buffer {
  const long = size > 255
  const header = long ? 9 : 2
  const out = Buffer.alloc(header + size, "x")
  if (long) {
    out[0] = 0x02
    out.writeBigUInt64BE(BigInt(size), 1)
  } else {
    out[0] = 0x00
    out[1] = size
  }
  return out
}

/** `frame(size)` repeated to about 64 KiB (at least once), and how many messages that is. */
export function batch(size: number): { bytes: Buffer; messages: number } {
  return batchOf(frame(size))
}

/** `message` (one message as the wire carries it) repeated to about 64 KiB (at least once). */
export function batchOf(message: Buffer): { bytes: Buffer; messages: number } {
  const messages = Math.max(1, Math.floor((64 * 1024) / message.length))
  const bytes = Buffer.allocUnsafe(message.length * messages)
  for (let i = 0; i < messages; i++) message.copy(bytes, i * message.length)
  return { bytes, messages }
}

/** The empty frame that ends a run. */
export const END_FRAME = frame(0)

/**
 * Counts the frames of a byte stream, chunk by chunk. A frame's body may span chunks (it is skipped, not
 * copied); so may its header (the few header bytes are kept).
 */
export class FrameCounter {
  /** Body bytes of the current frame still to skip. */
  #skip = 0
  readonly #header = Buffer.alloc(9)
  #headerLength = 0
  /** Data frames completed so far. */
  frames = 0
  /** The empty frame arrived. */
  ended = false
  /** Size of the last data frame seen (to check the sender's). */
  lastSize = -1
  /**
   * With `gather`, a frame split across chunks is copied into a fresh buffer of its own, as a library that
   * hands out whole messages must (sides' store-and-forward floor); without it, frames are only counted.
   */
  readonly #gather: boolean
  #body: Buffer | undefined
  #bodyFill = 0

  constructor(gather = false) {
    this.#gather = gather
  }

  feed(chunk: Buffer): void {
    const length = chunk.length
    let pos = 0
    if (this.#skip > 0) {
      const n = Math.min(this.#skip, length)
      this.#skip -= n
      pos = n
      if (this.#body !== undefined) {
        chunk.copy(this.#body, this.#bodyFill, 0, n)
        this.#bodyFill += n
        if (this.#skip === 0) this.#body = undefined
      }
      if (this.#skip === 0) this.frames++
    }
    if (this.#headerLength > 0) pos = this.#completeHeader(chunk, pos)
    let frames = this.frames
    while (pos < length) {
      const long = (chunk[pos]! & 0x02) !== 0
      const headerSize = long ? 9 : 2
      if (pos + headerSize > length) {
        chunk.copy(this.#header, 0, pos, length)
        this.#headerLength = length - pos
        break
      }
      // Lengths here stay far below 2^32: the high half of the 8-byte length is ignored.
      const size = long ? chunk.readUInt32BE(pos + 5) : chunk[pos + 1]!
      pos += headerSize
      if (size === 0) {
        this.ended = true
        continue
      }
      this.lastSize = size
      if (pos + size <= length) {
        pos += size
        frames++
      } else {
        this.#skip = size - (length - pos)
        this.#startBody(chunk, pos, size)
        break
      }
    }
    this.frames = frames
  }

  #completeHeader(chunk: Buffer, pos: number): number {
    const header = this.#header
    const long = (header[0]! & 0x02) !== 0
    const headerSize = long ? 9 : 2
    const take = Math.min(headerSize - this.#headerLength, chunk.length - pos)
    chunk.copy(header, this.#headerLength, pos, pos + take)
    this.#headerLength += take
    pos += take
    if (this.#headerLength < headerSize) return pos
    this.#headerLength = 0
    const size = long ? header.readUInt32BE(5) : header[1]!
    if (size === 0) {
      this.ended = true
      return pos
    }
    this.lastSize = size
    const available = chunk.length - pos
    if (size <= available) {
      this.frames++
      return pos + size
    }
    this.#skip = size - available
    this.#startBody(chunk, pos, size)
    return chunk.length
  }

  #startBody(chunk: Buffer, pos: number, size: number): void {
    if (!this.#gather) return
    this.#body = Buffer.allocUnsafe(size)
    this.#bodyFill = chunk.copy(this.#body, 0, pos)
  }
}

/** `tcp://host:port` or `ipc://path` as `net` options. */
export function netAddress(endpoint: string): { host: string; port: number } | { path: string } {
  if (endpoint.startsWith("ipc://")) return { path: endpoint.slice("ipc://".length) }
  const match = /^tcp:\/\/(.+):(\d+)$/.exec(endpoint)
  if (match === null) throw new Error(`not a tcp or ipc endpoint: ${endpoint}`)
  return { host: match[1]!, port: Number(match[2]) }
}

/** A bind address the tools take (`tcp://127.0.0.1:*` or `ipc://path`) as `listen` options. */
export function listenAddress(address: string): { host: string; port: number } | { path: string } {
  if (address.startsWith("ipc://")) return { path: address.slice("ipc://".length) }
  const match = /^tcp:\/\/(.+):(\*|\d+)$/.exec(address)
  if (match === null) throw new Error(`not a tcp or ipc address: ${address}`)
  return { host: match[1]!, port: match[2] === "*" ? 0 : Number(match[2]) }
}

export function connectTo(endpoint: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(netAddress(endpoint), () => {
      socket.off("error", reject)
      resolve(socket)
    })
    socket.setNoDelay(true)
    socket.once("error", reject)
  })
}

/** Listens at `address`; resolves with the server and its endpoint (the port resolved). */
export function listen(address: string, onConnection: (socket: Socket) => void): Promise<{ server: Server; endpoint: string }> {
  return new Promise((resolve, reject) => {
    const server = createServer((socket) => {
      socket.setNoDelay(true)
      onConnection(socket)
    })
    server.once("error", reject)
    server.listen(listenAddress(address), () => {
      const bound = server.address()
      const endpoint = typeof bound === "string" ? `ipc://${bound}` : `tcp://${bound!.address}:${bound!.port}`
      resolve({ server, endpoint })
    })
  })
}

/**
 * Writes `bytes` (a batch of `messages` pre-framed messages) to every socket in turn, waiting for the slow
 * ones to drain (lossless, unlike a PUB), until `count` messages went to each or `seconds` passed; then the
 * empty end frame to each. Returns how many each got and for how long.
 */
export async function floodAll(sockets: readonly Socket[], bytes: Buffer, messages: number, count: number, deadline: { readonly at: number }): Promise<{ sent: number; seconds: number }> {
  const start = performance.now() / 1000
  let sent = 0
  while (sent < count && performance.now() / 1000 < deadline.at) {
    const full = sockets.filter((socket) => !socket.write(bytes))
    if (full.length > 0) await Promise.all(full.map((socket) => once(socket, "drain")))
    sent += messages
  }
  for (const socket of sockets) socket.write(END_FRAME)
  return { sent, seconds: performance.now() / 1000 - start }
}
