import type { Socket } from "@zmq-ts/core"
import { pendingReceives, pendingSends } from "./message-parts.js"

/** A frame as the helpers take it: text (UTF-8) or bytes. */
export type Frame = string | Buffer

function toBuffer(frame: Frame): Buffer {
  return typeof frame === "string" ? Buffer.from(frame, "utf8") : frame
}

/** s_send: sends a string (UTF-8, no trailing NUL) as the last frame of a message. */
export async function s_send(socket: Socket, frame: Frame): Promise<void> {
  const pending = pendingSends.get(socket)
  if (pending === undefined) {
    await socket.send(toBuffer(frame))
    return
  }
  pendingSends.delete(socket)
  pending.push(toBuffer(frame))
  await socket.send(pending)
}

/** s_sendmore: queues a string as a frame of a message that the next s_send completes. */
export function s_sendmore(socket: Socket, frame: Frame): Promise<void> {
  let pending = pendingSends.get(socket)
  if (pending === undefined) {
    pending = []
    pendingSends.set(socket, pending)
  }
  pending.push(toBuffer(frame))
  return Promise.resolve()
}

/** s_recv_frame: the next frame as a Buffer (the rest of a multipart message stays for s_rcvmore/s_recv). */
export async function s_recv_frame(socket: Socket): Promise<Buffer> {
  let frames = pendingReceives.get(socket)
  if (frames === undefined || frames.length === 0) {
    frames = [...(await socket.receive())]
    pendingReceives.set(socket, frames)
  }
  const frame = frames.shift()!
  if (frames.length === 0) pendingReceives.delete(socket)
  return frame
}

/** s_recv: the next frame as a UTF-8 string. */
export async function s_recv(socket: Socket): Promise<string> {
  return (await s_recv_frame(socket)).toString("utf8")
}

/** ZMQ_RCVMORE: true while frames of the message last read with s_recv remain. */
export function s_rcvmore(socket: Socket): boolean {
  return (pendingReceives.get(socket)?.length ?? 0) > 0
}
