import { Buffer } from "#platform/buffer"
import type { Frames } from "../../pipes/message.js"

/**
 * Messages crossing between worker threads travel in batches: many messages packed into one ArrayBuffer that
 * is transferred (moved, not copied) with a single `postMessage`. Packing is the one copy a message makes, as
 * writing it to a TCP socket would; the receiving thread reads every frame as a view into the batch.
 *
 * Layout (little-endian u32s, no padding): message count, then per message its frame count and per frame its
 * length followed by its bytes.
 */

/** A batch closes at this many bytes (one larger message still travels alone). */
export const BATCH_BYTES = 256 * 1024
/** A batch closes at this many messages. */
export const BATCH_MESSAGES = 4096

/** Bytes a message takes in a batch. */
export function packedSize(message: Frames): number {
  let size = 4
  for (let i = 0; i < message.length; i++) size += 4 + message[i]!.length
  return size
}

/** Packs messages into a fresh, transferable ArrayBuffer of `size` bytes (4 + the sum of `packedSize`). */
export function packBatch(messages: readonly Frames[], count: number, size: number): ArrayBuffer {
  // allocUnsafeSlow: not from Node's shared pool, so the whole ArrayBuffer is ours to transfer.
  const bytes = Buffer.allocUnsafeSlow(size)
  let offset = bytes.writeUInt32LE(count, 0)
  for (let m = 0; m < count; m++) {
    const message = messages[m]!
    offset = bytes.writeUInt32LE(message.length, offset)
    for (let f = 0; f < message.length; f++) {
      const frame = message[f]!
      offset = bytes.writeUInt32LE(frame.length, offset)
      if (frame.length === 1) bytes[offset] = frame[0]!
      else if (frame.length > 0) bytes.set(frame, offset)
      offset += frame.length
    }
  }
  return bytes.buffer as ArrayBuffer
}

/**
 * Calls `onMessage` for each message of a batch, frames as views into it. A batch comes from another thread
 * of this process, built by `packBatch`; a length that runs past the end is a bug, reported as a RangeError.
 */
export function unpackBatch(batch: ArrayBuffer, onMessage: (message: Frames) => void): number {
  const bytes = Buffer.from(batch)
  const end = bytes.length
  let offset = 4
  const count = bytes.readUInt32LE(0)
  for (let m = 0; m < count; m++) {
    const frames = bytes.readUInt32LE(offset)
    offset += 4
    const message: Frames = new Array<Buffer>(frames)
    for (let f = 0; f < frames; f++) {
      const length = bytes.readUInt32LE(offset)
      offset += 4
      if (offset + length > end) throw new RangeError("inproc batch is truncated")
      message[f] = Buffer.from(batch, offset, length)
      offset += length
    }
    onMessage(message)
  }
  return count
}
