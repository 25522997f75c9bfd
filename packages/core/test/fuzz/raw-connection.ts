/**
 * A raw node:net connection for the socket-level fuzz targets: writes an input chunk by chunk, collects
 * what comes back, and tells when the other side has closed.
 */
import { connect, type Socket as NetSocket } from "node:net"

export interface RawConnection {
  readonly socket: NetSocket
  readonly closed: Promise<void>
  received(): Buffer
  /** Writes each chunk as its own write() (TCP may still join them; the peer's parser sees any cut). */
  write(chunks: readonly Uint8Array[]): Promise<void>
}

export async function rawConnection(address: string): Promise<RawConnection> {
  const rest = address.slice("tcp://".length)
  const colon = rest.lastIndexOf(":")
  const socket = connect({ host: rest.slice(0, colon), port: Number(rest.slice(colon + 1)) })
  const chunks: Buffer[] = []
  socket.on("data", (chunk: Buffer) => chunks.push(chunk))
  socket.on("error", () => undefined) // a reset from the side under test is one of its answers
  const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()))
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", resolve)
    socket.once("error", reject)
  })
  return {
    socket,
    closed,
    received: () => Buffer.concat(chunks),
    async write(pieces) {
      for (const piece of pieces) {
        if (socket.destroyed) return
        await new Promise<void>((resolve) => socket.write(piece, () => resolve()))
      }
    },
  }
}

/** Resolves true when `promise` settles within `ms`, false otherwise. */
export async function within(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms)
  })
  try {
    return await Promise.race([promise.then(() => true), timeout])
  } finally {
    clearTimeout(timer)
  }
}
