import { Buffer } from "#platform/buffer"
import { zmqError } from "../common/errors.js"
import type { Frames } from "../pipes/message.js"

/** One frame of a received message, as zeromq.js types it: `receive()` resolves with `Message[]`. */
export type Message = Buffer

/** What `send()` accepts for one frame, as zeromq.js types it (it also sends any other value as its text). */
export type MessageLike = ArrayBufferView | ArrayBuffer | SharedArrayBuffer | string | number | null

const EMPTY = Buffer.alloc(0)

/**
 * The frames of a message to send, as zeromq.js makes them: one value or an array of values, each bytes
 * (Buffers and views are not copied), text (UTF-8), `null` (an empty frame), or anything else as its
 * `String()`. An empty array is a message of no frames, which is not sent.
 */
export function toSendMessage(message: unknown): Frames {
  if (!Array.isArray(message)) return [toSendFrame(message)]
  const parts: Buffer[] = new Array(message.length)
  for (let i = 0; i < message.length; i++) parts[i] = toSendFrame(message[i])
  return parts
}

/** One frame of a message to send (see `toSendMessage`). */
export function toSendFrame(frame: unknown): Buffer {
  if (Buffer.isBuffer(frame)) return frame
  if (typeof frame === "string") return Buffer.from(frame, "utf8")
  if (ArrayBuffer.isView(frame)) return Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength)
  if (frame instanceof ArrayBuffer || (typeof SharedArrayBuffer !== "undefined" && frame instanceof SharedArrayBuffer)) {
    return Buffer.from(frame)
  }
  if (frame === null) return EMPTY
  // zeromq.js converts what is left to a string; a Symbol has none (its TypeError, as ToString throws it).
  if (typeof frame === "symbol") throw new TypeError("Cannot convert a Symbol value to a string")
  return Buffer.from(String(frame), "utf8")
}

/**
 * A value that must be bytes or text (a routing id, a topic): a Buffer, a view, an ArrayBuffer, a string,
 * a number (its decimal text) or `null` (empty). EINVAL for anything else.
 */
export function toFrame(frame: MessageLike, index: number): Buffer {
  if (typeof frame === "number") return Buffer.from(String(frame), "utf8")
  if (frame === null || typeof frame === "string" || ArrayBuffer.isView(frame) || frame instanceof ArrayBuffer || (typeof SharedArrayBuffer !== "undefined" && frame instanceof SharedArrayBuffer)) {
    return toSendFrame(frame)
  }
  throw zmqError("EINVAL", `frame ${index} must be a Buffer, TypedArray, ArrayBuffer, string, number or null`)
}
