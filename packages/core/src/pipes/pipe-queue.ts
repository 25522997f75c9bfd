import { Buffer } from "#platform/buffer"
import type { Frames } from "./message.js"
import { SharedMessage } from "./shared-message.js"

/**
 * The FIFO behind one direction of a pipe. A message is an array of Buffers; a one-frame message that came
 * off the wire, or was sent alone, arrives as its frame and gets its array only when the application reads
 * it (`shiftForWire` hands it to an engine without one). Beyond COMPACT_AFTER waiting
 * messages, such a frame is stored as where its bytes lie (chunk, offset, length) and its Buffer is made
 * again when read: a queued 64 B message then costs 16 bytes of bookkeeping next to its bytes instead of
 * ~100 for a Buffer, which is what a PULL socket with a million messages waiting holds. Below it, keeping
 * the Buffer is faster (making a view costs about as much as the rest of the queueing).
 *
 * A growable ring: O(1) push and shift, no allocation per item.
 */
/**
 * The most frames one read can bring: Node reads a stream in chunks of up to 64 KiB, and a frame takes at
 * least 2 bytes. A reader that keeps up takes each chunk's messages before the next chunk arrives, so its
 * queue stays below this and no message pays for a second view; only a queue that grows across reads (an
 * application not reading, with a high RCVHWM) is compacted. At 4096, the frames past the 4096th of every
 * 64 KiB chunk of 8 B messages were viewed twice: 5.5 M instead of 6.5 M msg/s.
 */
const COMPACT_AFTER = 32768
/** Length marks: a message stored as it is, a one-frame message stored as its Buffer, a shared message. */
const MESSAGE = -1
const FRAME = -2
const SHARED = -3

export class PipeQueue {
  #items: Array<Frames | ArrayBufferLike | SharedMessage | undefined>
  #offsets: Uint32Array
  /** Frame length of a compactly stored frame; MESSAGE or FRAME for an item stored as it is. */
  #lengths: Int32Array
  #head = 0
  #length = 0

  readonly #compactAfter: number

  /** `compactAfter`: waiting messages from which received frames are stored compactly (tests lower it). */
  constructor(capacity = 16, compactAfter = COMPACT_AFTER) {
    this.#compactAfter = compactAfter
    this.#items = new Array<Frames | ArrayBufferLike | SharedMessage | undefined>(capacity)
    this.#offsets = new Uint32Array(capacity)
    this.#lengths = new Int32Array(capacity)
  }

  get length(): number {
    return this.#length
  }

  push(message: Frames): void {
    const slot = this.#slot()
    this.#items[slot] = message
    this.#lengths[slot] = MESSAGE
  }

  /** Queues a message that other pipes hold too (see SharedMessage). */
  pushShared(message: SharedMessage): void {
    const slot = this.#slot()
    this.#items[slot] = message
    this.#lengths[slot] = SHARED
  }

  /** Queues a one-frame message given as its frame (a view of received bytes, or a frame sent alone). */
  pushFrame(frame: Buffer): void {
    const slot = this.#slot()
    if (this.#length <= this.#compactAfter) {
      this.#items[slot] = frame as unknown as Frames
      this.#lengths[slot] = FRAME
      return
    }
    this.#items[slot] = frame.buffer
    this.#offsets[slot] = frame.byteOffset
    this.#lengths[slot] = frame.byteLength
  }

  shift(): Frames | undefined {
    const item = this.shiftForWire()
    if (item === undefined || Array.isArray(item)) return item
    // A one-frame message gets its array here, where the application sees it.
    return item instanceof SharedMessage ? item.frames : [item]
  }

  /**
   * `shift`, but a one-frame message stored as its frame comes as that Buffer, without an array, and a
   * shared message as itself.
   */
  shiftForWire(): Frames | Buffer | SharedMessage | undefined {
    if (this.#length === 0) return undefined
    const head = this.#head
    const item = this.#items[head]!
    const length = this.#lengths[head]!
    this.#removeHead(head)
    if (length === MESSAGE) return item as Frames
    if (length === FRAME) return item as unknown as Buffer
    if (length === SHARED) return item as SharedMessage
    return Buffer.from(item as ArrayBuffer, this.#offsets[head]!, length)
  }

  /** Drops the oldest message without making it (conflate). */
  dropFirst(): void {
    if (this.#length > 0) this.#removeHead(this.#head)
  }

  /** Frees the head slot (its offset and length stay readable until the slot is reused). */
  #removeHead(head: number): void {
    this.#items[head] = undefined
    this.#head = head + 1 === this.#items.length ? 0 : head + 1
    this.#length--
  }

  clear(): void {
    this.#items = new Array<Frames | ArrayBufferLike | SharedMessage | undefined>(16)
    this.#offsets = new Uint32Array(16)
    this.#lengths = new Int32Array(16)
    this.#head = 0
    this.#length = 0
  }

  #slot(): number {
    const capacity = this.#items.length
    if (this.#length === capacity) this.#grow()
    let slot = this.#head + this.#length
    if (slot >= this.#items.length) slot -= this.#items.length
    this.#length++
    return slot
  }

  #grow(): void {
    const capacity = this.#items.length
    const items = new Array<Frames | ArrayBufferLike | SharedMessage | undefined>(capacity * 2)
    const offsets = new Uint32Array(capacity * 2)
    const lengths = new Int32Array(capacity * 2)
    for (let i = 0; i < this.#length; i++) {
      const from = (this.#head + i) % capacity
      items[i] = this.#items[from]
      offsets[i] = this.#offsets[from]!
      lengths[i] = this.#lengths[from]!
    }
    this.#items = items
    this.#offsets = offsets
    this.#lengths = lengths
    this.#head = 0
  }
}
