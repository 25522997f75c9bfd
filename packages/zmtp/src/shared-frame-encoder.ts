import { FLAG_MORE, MAX_SHORT_SIZE } from "./frame.js"
import { COPY_THRESHOLD, writeHeader } from "./frame-encoder.js"

/** Small messages share slabs of this size; a connection holding one message pins at most this much. */
const SLAB_SIZE = 8 * 1024
/** Messages framed larger than this get an array of their own rather than a place in a slab. */
const SLAB_MESSAGE_LIMIT = SLAB_SIZE / 4

/**
 * Frames a message once for every connection it goes to (a PUB's fan-out to many subscribers, RFC 23
 * §"Framing": a message's frames are the same bytes on every connection that neither encrypts them nor wraps
 * them in WebSocket frames). The bytes are never written again, so any number of connections may queue them
 * by reference (`ZmtpConnection.sendEncoded`) until written. Consecutive small messages lie next to each other
 * in one slab, so a connection that takes a burst of them writes them as one segment.
 */
export class SharedFrameEncoder {
  #slab = new Uint8Array(SLAB_SIZE)
  #end = 0

  /**
   * The wire bytes of `frames`, or undefined when a frame is so large (COPY_THRESHOLD or more) that each
   * connection should reference its body instead (`ZmtpConnection.send` does not copy it).
   */
  encode(frames: readonly Uint8Array[]): Uint8Array | undefined {
    const count = frames.length
    let size = 0
    for (let i = 0; i < count; i++) {
      const length = frames[i]!.length
      if (length >= COPY_THRESHOLD) return undefined
      size += (length <= MAX_SHORT_SIZE ? 2 : 9) + length
    }
    let target: Uint8Array
    let at: number
    if (size > SLAB_MESSAGE_LIMIT) {
      target = new Uint8Array(size)
      at = 0
    } else {
      if (this.#end + size > SLAB_SIZE) {
        // The full slab lives on as long as a connection still references part of it.
        this.#slab = new Uint8Array(SLAB_SIZE)
        this.#end = 0
      }
      target = this.#slab
      at = this.#end
      this.#end = at + size
    }
    const start = at
    for (let i = 0; i < count; i++) {
      const body = frames[i]!
      at = writeHeader(target, at, i < count - 1 ? FLAG_MORE : 0, body.length)
      target.set(body, at)
      at += body.length
    }
    return target.subarray(start, at)
  }
}
