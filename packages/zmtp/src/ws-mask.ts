/**
 * RFC 6455 §5.3 masking: payload byte i is XORed with key byte (phase + i) mod 4. A client masks everything
 * it sends and a server unmasks everything it receives, so on ws this loop touches every payload byte twice.
 * Long payloads are masked in place four bytes at a time through an Int32Array view (a copy first when the
 * masked bytes go elsewhere: memcpy is cheap next to the XOR); short ones byte by byte, where setting up the
 * word loop costs more than it saves (docs/decisions/0017-ws-hot-path.md has the numbers); long ones from
 * KERNEL_MIN bytes on through a WebAssembly SIMD kernel where the platform has one (ws-mask-kernel.ts).
 */
import { KERNEL_MIN, maskByKernel } from "./ws-mask-kernel.js"

/** From this many bytes on, the word loop wins. */
const WORD_MIN = 64

// The key as one word in the platform's byte order, so the word XOR equals the byte XOR. Composed with
// shifts: storing the bytes through a byte view and loading the word back stalled on store forwarding (4 %
// of a ws receiver). Int32Array: XOR yields a signed 32-bit value, which it stores as is (Uint32Array
// measured the same here, so this is no more than the natural fit).
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1

// The word view of the last array masked in place, found by the array's identity first (`.buffer` is not
// free), then by its buffer: a slab or a read chunk holds many frames, so the view is made once per buffer
// rather than once per frame. (It keeps that buffer alive until another one is masked.)
let lastBytes: Uint8Array | undefined
/** `lastBytes.byteOffset`, read once per array for the same reason. */
let lastOffset = 0
let lastBuffer: ArrayBufferLike | undefined
let lastWords: Int32Array<ArrayBufferLike> = new Int32Array(0)

function wordsOf(bytes: Uint8Array): Int32Array<ArrayBufferLike> {
  if (bytes !== lastBytes) {
    lastBytes = bytes
    lastOffset = bytes.byteOffset
    const buffer = bytes.buffer
    if (buffer !== lastBuffer) {
      lastBuffer = buffer
      lastWords = new Int32Array(buffer, 0, buffer.byteLength >>> 2)
    }
  }
  return lastWords
}

/**
 * XORs `source` with the masking key into `target` at `offset`; `keyPhase` is the payload offset of
 * `source[0]`, so a payload can be masked in pieces. `target` may be `source` itself (unmasking in place);
 * otherwise the two must not overlap.
 */
export function maskWsPayload(source: Uint8Array, target: Uint8Array, offset: number, maskKey: Uint8Array, keyPhase: number): void {
  const length = source.length
  if (length < WORD_MIN) {
    maskBytes(source, 0, target, offset, length, maskKey, keyPhase)
    return
  }
  // Straight from the source through the kernel into the target: no copy into the target first.
  if (length >= KERNEL_MIN && maskThroughKernel(source, 0, length, target, offset, maskKey, keyPhase)) return
  if (source !== target) target.set(source, offset)
  maskWsInPlace(target, offset, length, maskKey, keyPhase)
}

/**
 * Masks `bytes[start, start + length)` in place, `keyPhase` being the payload offset of `bytes[start]`. For a
 * caller with many frames in one array (a decoder and its read chunk): the same array each time keeps the
 * word view cached.
 */
export function maskWsInPlace(bytes: Uint8Array, start: number, length: number, maskKey: Uint8Array, keyPhase: number): void {
  if (length < WORD_MIN) {
    maskBytes(bytes, start, bytes, start, length, maskKey, keyPhase)
    return
  }
  if (length >= KERNEL_MIN && maskThroughKernel(bytes, start, length, bytes, start, maskKey, keyPhase)) return
  const words = wordsOf(bytes)
  const at = lastOffset + start
  const head = (4 - (at & 3)) & 3
  const count = (length - head) >>> 2
  let w = (at + head) >>> 2
  const end = w + count
  // A resizable buffer that shrank under a view made earlier: its bytes are still reachable one by one.
  if (end > words.length) {
    maskBytes(bytes, start, bytes, start, length, maskKey, keyPhase)
    return
  }
  for (let i = start; i < start + head; i++) bytes[i] = bytes[i]! ^ maskKey[(keyPhase + i - start) & 3]!
  const phase = keyPhase + head
  const k0 = maskKey[phase & 3]!
  const k1 = maskKey[(phase + 1) & 3]!
  const k2 = maskKey[(phase + 2) & 3]!
  const k3 = maskKey[(phase + 3) & 3]!
  const key = LITTLE_ENDIAN ? k0 | (k1 << 8) | (k2 << 16) | (k3 << 24) : (k0 << 24) | (k1 << 16) | (k2 << 8) | k3
  for (; w < end; w++) words[w] = words[w]! ^ key
  for (let i = head + count * 4; i < length; i++) bytes[start + i] = bytes[start + i]! ^ maskKey[(keyPhase + i) & 3]!
}

/**
 * `length` bytes of `source` from `from` into `target` at `to` (the same array in place) through the kernel,
 * the last `length % 16` by the byte loop; false, having done nothing, where the platform has no kernel.
 */
function maskThroughKernel(source: Uint8Array, from: number, length: number, target: Uint8Array, to: number, maskKey: Uint8Array, keyPhase: number): boolean {
  // The key as the kernel takes it: a little-endian word whatever the platform (WebAssembly memory is).
  const key = maskKey[keyPhase & 3]! | (maskKey[(keyPhase + 1) & 3]! << 8) | (maskKey[(keyPhase + 2) & 3]! << 16) | (maskKey[(keyPhase + 3) & 3]! << 24)
  const done = maskByKernel(source, from, length, target, to, key)
  if (done === 0) return false
  // A multiple of 16, so the phase of what is left is the phase of the start.
  maskBytes(source, from + done, target, to + done, length - done, maskKey, keyPhase)
  return true
}

/** The reference loop, one byte at a time (what the word path is tested against). */
export function maskWsPayloadBytes(source: Uint8Array, target: Uint8Array, offset: number, maskKey: Uint8Array, keyPhase: number): void {
  for (let i = 0; i < source.length; i++) target[offset + i] = source[i]! ^ maskKey[(keyPhase + i) & 3]!
}

/** `length` bytes from `source[from]` into `target[offset]`, four at a time with the key in registers. */
function maskBytes(source: Uint8Array, from: number, target: Uint8Array, offset: number, length: number, maskKey: Uint8Array, keyPhase: number): void {
  const k0 = maskKey[keyPhase & 3]!
  const k1 = maskKey[(keyPhase + 1) & 3]!
  const k2 = maskKey[(keyPhase + 2) & 3]!
  const k3 = maskKey[(keyPhase + 3) & 3]!
  let i = 0
  for (; i + 4 <= length; i += 4) {
    target[offset + i] = source[from + i]! ^ k0
    target[offset + i + 1] = source[from + i + 1]! ^ k1
    target[offset + i + 2] = source[from + i + 2]! ^ k2
    target[offset + i + 3] = source[from + i + 3]! ^ k3
  }
  for (; i < length; i++) target[offset + i] = source[from + i]! ^ maskKey[(keyPhase + i) & 3]!
}
