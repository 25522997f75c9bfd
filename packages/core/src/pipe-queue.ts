import type { Message } from "./pipe.js"

/**
 * The FIFO behind one direction of a pipe. A message is an array of Buffers, but a single-frame message
 * that came off the wire is stored as where its bytes lie (the read chunk, offset, length), and its Buffer
 * is made only when the socket reads it. A queued 64 B message then costs 16 bytes of bookkeeping next to
 * its bytes instead of ~160 (a Buffer view and an array), which is what a PULL socket with a million
 * messages waiting holds. Messages written by sockets (inproc, or toward the wire) are stored as they are.
 *
 * A growable ring: O(1) push and shift, no allocation per item.
 */
export class PipeQueue {
  #items: Array<Message | ArrayBufferLike | undefined>
  #offsets: Uint32Array
  /** Frame length of a stored view; -1 for a message stored as it is. */
  #lengths: Int32Array
  #head = 0
  #length = 0

  constructor(capacity = 16) {
    this.#items = new Array<Message | ArrayBufferLike | undefined>(capacity)
    this.#offsets = new Uint32Array(capacity)
    this.#lengths = new Int32Array(capacity)
  }

  get length(): number {
    return this.#length
  }

  push(message: Message): void {
    const slot = this.#slot()
    this.#items[slot] = message
    this.#lengths[slot] = -1
  }

  /** Queues a one-frame message given as a view of received bytes. */
  pushFrame(frame: Uint8Array): void {
    const slot = this.#slot()
    this.#items[slot] = frame.buffer
    this.#offsets[slot] = frame.byteOffset
    this.#lengths[slot] = frame.byteLength
  }

  shift(): Message | undefined {
    if (this.#length === 0) return undefined
    const head = this.#head
    const item = this.#items[head]!
    const length = this.#lengths[head]!
    this.#items[head] = undefined
    this.#head = head + 1 === this.#items.length ? 0 : head + 1
    this.#length--
    return length < 0 ? (item as Message) : [Buffer.from(item as ArrayBuffer, this.#offsets[head]!, length)]
  }

  /** Drops the oldest message without making it (conflate). */
  dropFirst(): void {
    if (this.#length === 0) return
    this.#items[this.#head] = undefined
    this.#head = this.#head + 1 === this.#items.length ? 0 : this.#head + 1
    this.#length--
  }

  clear(): void {
    this.#items = new Array<Message | ArrayBufferLike | undefined>(16)
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
    const items = new Array<Message | ArrayBufferLike | undefined>(capacity * 2)
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
