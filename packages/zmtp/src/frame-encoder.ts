import { FLAG_COMMAND, FLAG_LONG, MAX_SHORT_SIZE } from "./frame.js"

/** Bodies at least this large are referenced, not copied: the caller must not modify them until written. */
export const COPY_THRESHOLD = 16 * 1024
const SLAB_SIZE = 64 * 1024
/**
 * A new connection's first slab: an idle connection, or one whose messages are framed elsewhere (a PUB's
 * subscribers, SharedFrameEncoder), never needs more, and 64 KiB each made 10,000 idle connections cost 2.8×
 * libzmq's memory (issue 19). The first batch that needs more moves to SLAB_SIZE (see #reserve).
 */
const INITIAL_SLAB_SIZE = 4 * 1024
/** The slab for a caller that takes its bytes in big batches (see `#reserve`). */
const LARGE_SLAB_SIZE = 256 * 1024
/** Bodies up to this size are copied byte by byte: `TypedArray.prototype.set` costs ~20 ns whatever the size. */
const SMALL_BODY_SIZE = 8
/** Full slabs remembered until the host releases them; more are left to the garbage collector. */
const MAX_RETIRED = 4
/** Released slabs kept for the next time one fills. */
const MAX_SPARES = 2

/** A full slab and the newest batch that may still refer to it. */
interface Retired {
  readonly slab: Uint8Array<ArrayBuffer>
  readonly batch: number
}

/**
 * Frames outgoing bytes into a slab: headers and small bodies are copied into one contiguous region so a
 * burst of small messages leaves as one write; large bodies are referenced in place (zero copy). Handing the
 * pending bytes out gives the caller a view it owns: the encoder keeps writing after it in the same slab and
 * never touches bytes it has handed out.
 */
export class FrameEncoder {
  #slab = new Uint8Array(INITIAL_SLAB_SIZE)
  // The pending bytes are the sealed segments followed by slab[start, end).
  #start = 0
  #end = 0
  #segments: Uint8Array[] = []
  #segmentBytes = 0
  // Slab bytes among the segments, and among the last batch handed out (which picks the next slab's size).
  #sealedSlabBytes = 0
  #lastTakenSlabBytes = 0
  // Batches (takes that handed out bytes) numbered from 1, and the newest one the host has released.
  #taken = 0
  #released = 0
  // Full slabs that batches not yet released refer to, oldest first; released ones, ready to be written again.
  #retired: Retired[] = []
  #spares: Uint8Array<ArrayBuffer>[] = []
  // Bytes framed once for many connections (`writeEncoded`), pending after every other byte: [runStart,
  // runEnd) of runArray, grown while the next ones lie right after them.
  #runArray: ArrayBufferLike | undefined = undefined
  #runStart = 0
  #runEnd = 0

  /** Bytes waiting to be taken. */
  get pendingBytes(): number {
    return this.#segmentBytes + this.#end - this.#start + this.#runEnd - this.#runStart
  }

  /**
   * Bytes that are already whole ZMTP frames (SharedFrameEncoder's, made once for every connection a message
   * goes to): referenced, never copied, and joined with the previous ones into one segment when they follow
   * them in the same array, so a burst of shared messages still leaves in one write. They must not change
   * until written.
   */
  writeEncoded(frames: Uint8Array): void {
    if (frames.buffer === this.#runArray && frames.byteOffset === this.#runEnd) {
      this.#runEnd += frames.length
      return
    }
    this.#closeRun()
    this.#seal()
    this.#runArray = frames.buffer
    this.#runStart = frames.byteOffset
    this.#runEnd = frames.byteOffset + frames.length
  }

  /** Queues the run of shared bytes as a segment, so that what is written next follows it. */
  #closeRun(): void {
    const array = this.#runArray
    if (array === undefined) return
    const length = this.#runEnd - this.#runStart
    this.#segments.push(new Uint8Array(array, this.#runStart, length))
    this.#segmentBytes += length
    this.#runArray = undefined
    this.#runStart = 0
    this.#runEnd = 0
  }

  writeRaw(bytes: Uint8Array): void {
    if (this.#runArray !== undefined) this.#closeRun()
    this.#reserve(bytes.length)
    this.#slab.set(bytes, this.#end)
    this.#end += bytes.length
  }

  /**
   * Bytes with no ZMTP header: copied into the slab when small, referenced when COPY_THRESHOLD or more (as
   * a frame body). For framings that write their own headers (ZWS 2.0 over RFC 6455).
   */
  writeBody(bytes: Uint8Array): void {
    if (bytes.length >= COPY_THRESHOLD) this.#pushSegment(bytes)
    else this.writeRaw(bytes)
  }

  /**
   * Reserves `length` bytes after the pending ones for the caller to fill in place, and returns where they
   * start in `slab`: for framings that transform what they write (a ZWS client masks its payload), so the
   * bytes are produced where they will be sent rather than copied there.
   */
  claim(length: number): number {
    if (this.#runArray !== undefined) this.#closeRun()
    this.#reserve(length)
    const at = this.#end
    this.#end = at + length
    return at
  }

  /** The array `claim`'s offsets refer to; valid until the next write. */
  get slab(): Uint8Array {
    return this.#slab
  }

  /** A message frame (`flags` carries MORE) or, with FLAG_COMMAND, a command frame. */
  writeFrame(flags: number, body: Uint8Array): void {
    if (this.#runArray !== undefined) this.#closeRun()
    const size = body.length
    if (size >= COPY_THRESHOLD) {
      this.#reserve(9)
      this.#end = writeHeader(this.#slab, this.#end, flags, size)
      this.#pushSegment(body)
      return
    }
    this.#reserve(9 + size)
    const slab = this.#slab
    const at = writeHeader(slab, this.#end, flags, size)
    if (size <= SMALL_BODY_SIZE) {
      for (let i = 0; i < size; i++) slab[at + i] = body[i]!
    } else {
      slab.set(body, at)
    }
    this.#end = at + size
  }

  /** A command frame whose body is `prefix` (the encoded name) followed by `data`. */
  writeCommand(prefix: Uint8Array, data: Uint8Array): void {
    if (this.#runArray !== undefined) this.#closeRun()
    this.#reserve(9 + prefix.length)
    this.#end = writeHeader(this.#slab, this.#end, FLAG_COMMAND, prefix.length + data.length)
    this.#slab.set(prefix, this.#end)
    this.#end += prefix.length
    if (data.length >= COPY_THRESHOLD) {
      this.#pushSegment(data)
    } else {
      this.#reserve(data.length)
      this.#slab.set(data, this.#end)
      this.#end += data.length
    }
  }

  /** All pending bytes as one array (copying only when they span several segments). */
  take(): Uint8Array {
    if (this.#runArray !== undefined) this.#closeRun()
    if (this.#segments.length === 0) {
      const out = this.#slab.subarray(this.#start, this.#end)
      this.#start = this.#end
      this.#lastTakenSlabBytes = out.length
      if (out.length > 0) this.#taken++
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

  /**
   * The host says the bytes of batches 1 to `batch` have left its hands (written to the kernel, nothing of
   * them queued in its stream); without `batch`, every batch taken so far. A batch is what one `take()` or
   * `takeSegments()` that returned bytes handed out, numbered from 1 in order. Released slabs are written
   * again instead of new ones being allocated: at 1 KiB messages new slabs and their garbage took a third of
   * a sender's time (decision 0018), at 64 KiB on ws a quarter (decision 0019). With every batch released and
   * nothing pending, the current slab starts again from its beginning. Views of released batches may then
   * change; a host that still holds one must not release it.
   */
  release(batch: number = this.#taken): void {
    if (batch > this.#released) this.#released = Math.min(batch, this.#taken)
    const retired = this.#retired
    while (retired.length > 0 && retired[0]!.batch <= this.#released) {
      const { slab } = retired.shift()!
      if (this.#spares.length < MAX_SPARES) this.#spares.push(slab)
    }
    if (this.#released === this.#taken && this.#end === this.#start && this.#segments.length === 0) {
      this.#start = 0
      this.#end = 0
    }
  }

  /** All pending bytes as segments in order, without copying large bodies (for vectored writes). */
  takeSegments(): Uint8Array[] {
    if (this.#runArray !== undefined) this.#closeRun()
    this.#seal()
    const segments = this.#segments
    if (segments.length > 0) this.#taken++
    this.#lastTakenSlabBytes = this.#sealedSlabBytes
    this.#segments = []
    this.#segmentBytes = 0
    this.#sealedSlabBytes = 0
    return segments
  }

  /** Queues a referenced body after what the slab holds so far. */
  #pushSegment(body: Uint8Array): void {
    if (this.#runArray !== undefined) this.#closeRun()
    this.#seal()
    this.#segments.push(body)
    this.#segmentBytes += body.length
  }

  /** Closes the current slab region as a segment so a referenced body can follow it. */
  #seal(): void {
    if (this.#end > this.#start) {
      this.#segments.push(this.#slab.subarray(this.#start, this.#end))
      this.#segmentBytes += this.#end - this.#start
      this.#sealedSlabBytes += this.#end - this.#start
      this.#start = this.#end
    }
  }

  #reserve(bytes: number): void {
    if (this.#end + bytes <= this.#slab.length) return
    this.#seal()
    // The full slab is the caller's until it releases the batches that refer to it: up to the next one, which
    // will hand out what #seal() just queued.
    if (this.#retired.length === MAX_RETIRED) this.#retired.shift()
    this.#retired.push({ slab: this.#slab, batch: this.#taken + 1 })
    // A fresh slab costs a zeroed allocation, about 5 µs for 64 KiB here. A caller whose batches put 16 KiB or
    // more through the slab is moving bulk data: give it a slab that holds several batches (+50% for 1 KiB
    // messages). An interactive connection, or one sending large referenced bodies, keeps small slabs.
    const size = Math.max(this.#lastTakenSlabBytes >= SLAB_SIZE / 4 ? LARGE_SLAB_SIZE : SLAB_SIZE, bytes)
    const spare = this.#spares.pop()
    this.#slab = spare !== undefined && spare.length >= size ? spare : new Uint8Array(size)
    this.#start = 0
    this.#end = 0
  }
}

/** Writes a frame header at `at`, where the caller has reserved 9 octets; returns where the body goes. */
export function writeHeader(slab: Uint8Array, at: number, flags: number, size: number): number {
  if (size <= MAX_SHORT_SIZE) {
    slab[at] = flags
    slab[at + 1] = size
    return at + 2
  }
  // Typed-array stores keep the low 8 bits, so no masking is needed.
  const high = Math.floor(size / 4294967296)
  slab[at] = flags | FLAG_LONG
  slab[at + 1] = high >>> 24
  slab[at + 2] = high >>> 16
  slab[at + 3] = high >>> 8
  slab[at + 4] = high
  slab[at + 5] = size >>> 24
  slab[at + 6] = size >>> 16
  slab[at + 7] = size >>> 8
  slab[at + 8] = size
  return at + 9
}
