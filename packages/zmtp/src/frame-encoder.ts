import { FLAG_COMMAND, FLAG_LONG, MAX_SHORT_SIZE } from "./frame.js"

/** Bodies at least this large are referenced, not copied: the caller must not modify them until written. */
export const COPY_THRESHOLD = 16 * 1024
const SLAB_SIZE = 64 * 1024

/**
 * Frames outgoing bytes into a slab: headers and small bodies are copied into one contiguous region so a
 * burst of small messages leaves as one write; large bodies are referenced in place (zero copy). Handing the
 * pending bytes out gives the caller a view it owns: the encoder keeps writing after it in the same slab and
 * never touches bytes it has handed out.
 */
export class FrameEncoder {
  #slab = new Uint8Array(SLAB_SIZE)
  #start = 0
  #end = 0
  #segments: Uint8Array[] = []
  #pending = 0

  /** Bytes waiting to be taken. */
  get pendingBytes(): number {
    return this.#pending
  }

  writeRaw(bytes: Uint8Array): void {
    this.#reserve(bytes.length)
    this.#slab.set(bytes, this.#end)
    this.#end += bytes.length
    this.#pending += bytes.length
  }

  /** A message frame (`flags` carries MORE) or, with FLAG_COMMAND, a command frame. */
  writeFrame(flags: number, body: Uint8Array): void {
    const size = body.length
    if (size >= COPY_THRESHOLD) {
      this.#writeHeader(flags, size)
      this.#seal()
      this.#segments.push(body)
      this.#pending += size
      return
    }
    this.#reserve(9 + size)
    this.#writeHeader(flags, size)
    this.#slab.set(body, this.#end)
    this.#end += size
    this.#pending += size
  }

  /** A command frame whose body is `prefix` (the encoded name) followed by `data`. */
  writeCommand(prefix: Uint8Array, data: Uint8Array): void {
    const size = prefix.length + data.length
    this.#reserve(9 + prefix.length)
    this.#writeHeader(FLAG_COMMAND, size)
    this.#slab.set(prefix, this.#end)
    this.#end += prefix.length
    this.#pending += prefix.length
    if (data.length >= COPY_THRESHOLD) {
      this.#seal()
      this.#segments.push(data)
    } else {
      this.#reserve(data.length)
      this.#slab.set(data, this.#end)
      this.#end += data.length
    }
    this.#pending += data.length
  }

  /** All pending bytes as one array (copying only when they span several segments). */
  take(): Uint8Array {
    if (this.#segments.length === 0) {
      const out = this.#slab.subarray(this.#start, this.#end)
      this.#start = this.#end
      this.#pending = 0
      return out
    }
    const segments = this.takeSegments()
    let total = 0
    for (const segment of segments) total += segment.length
    const out = new Uint8Array(total)
    let pos = 0
    for (const segment of segments) {
      out.set(segment, pos)
      pos += segment.length
    }
    return out
  }

  /** All pending bytes as segments in order, without copying large bodies (for vectored writes). */
  takeSegments(): Uint8Array[] {
    this.#seal()
    const segments = this.#segments
    this.#segments = []
    this.#pending = 0
    return segments
  }

  #writeHeader(flags: number, size: number): void {
    this.#reserve(9)
    const slab = this.#slab
    let at = this.#end
    if (size <= MAX_SHORT_SIZE) {
      slab[at++] = flags
      slab[at++] = size
    } else {
      slab[at++] = flags | FLAG_LONG
      const high = Math.floor(size / 4294967296)
      slab[at++] = (high >>> 24) & 0xff
      slab[at++] = (high >>> 16) & 0xff
      slab[at++] = (high >>> 8) & 0xff
      slab[at++] = high & 0xff
      slab[at++] = (size >>> 24) & 0xff
      slab[at++] = (size >>> 16) & 0xff
      slab[at++] = (size >>> 8) & 0xff
      slab[at++] = size & 0xff
    }
    this.#pending += at - this.#end
    this.#end = at
  }

  /** Closes the current slab region as a segment so a referenced body can follow it. */
  #seal(): void {
    if (this.#end > this.#start) {
      this.#segments.push(this.#slab.subarray(this.#start, this.#end))
      this.#start = this.#end
    }
  }

  #reserve(bytes: number): void {
    if (this.#end + bytes <= this.#slab.length) return
    this.#seal()
    this.#slab = new Uint8Array(Math.max(SLAB_SIZE, bytes))
    this.#start = 0
    this.#end = 0
  }
}
