import { Buffer } from "node:buffer"
import { zmqError } from "../common/errors.js"
import type { Message } from "../pipes/message.js"

/** What `send()` accepts for one frame, as zeromq.js does. */
export type MessageLike = ArrayBufferView | ArrayBuffer | SharedArrayBuffer | string | number | null

/** Normalises a frame or an array of frames to Buffers without copying binary data. */
export function toMessage(message: MessageLike | readonly MessageLike[]): Message {
  if (Array.isArray(message)) {
    if (message.length === 0) throw zmqError("EINVAL", "a message needs at least one frame")
    const parts: Buffer[] = new Array(message.length)
    for (let i = 0; i < message.length; i++) parts[i] = toFrame(message[i] as MessageLike, i)
    return parts
  }
  return [toFrame(message as MessageLike, 0)]
}

const EMPTY = Buffer.alloc(0)

export function toFrame(frame: MessageLike, index: number): Buffer {
  if (Buffer.isBuffer(frame)) return frame
  if (typeof frame === "string") return Buffer.from(frame, "utf8")
  if (ArrayBuffer.isView(frame)) return Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength)
  if (frame instanceof ArrayBuffer || (typeof SharedArrayBuffer !== "undefined" && frame instanceof SharedArrayBuffer)) {
    return Buffer.from(frame)
  }
  if (typeof frame === "number") return Buffer.from(String(frame), "utf8")
  if (frame === null) return EMPTY
  throw zmqError("EINVAL", `message frame ${index} must be a Buffer, TypedArray, ArrayBuffer, string, number or null`)
}
