/**
 * RFC 6455 §5.3 masking of long payloads, sixteen bytes at a time, in a WebAssembly SIMD kernel. A 64 KiB
 * payload takes about 17 µs through the JavaScript word loop and about 4.6 µs through the kernel, copying
 * in and out of its memory included (docs/decisions/0019-ws-mask-kernel.md); below about 1 KiB the two
 * copies and the call cost more than they save, so short payloads stay in JavaScript.
 *
 * The kernel is 108 bytes, compiled here, synchronously, the first time a long payload is masked. Where
 * WebAssembly or its SIMD is missing (an old runtime, a page whose Content-Security-Policy forbids
 * compiling), there is no kernel and the JavaScript loop does the work: same bytes, only slower.
 */

/** The WebAssembly API as far as this file uses it (the codec's lib has no DOM types). */
interface WasmApi {
  validate(bytes: Uint8Array): boolean
  Module: new (bytes: Uint8Array) => object
  Instance: new (module: object) => { exports: { memory: { buffer: ArrayBuffer }; xor: (at: number, length: number, key: number) => void } }
}

/**
 * The module. Its one function, `xor(at, length, key)`, XORs `length & ~15` bytes of its memory from `at`
 * with the 32-bit `key` repeated (little-endian, as WebAssembly memory is). In the text format:
 *
 *   (module
 *     (memory (export "memory") 1)
 *     (func (export "xor") (param $at i32) (param $length i32) (param $key i32) (local $k v128) (local $end i32)
 *       (local.set $k (i32x4.splat (local.get $key)))
 *       (local.set $end (i32.add (local.get $at) (i32.and (local.get $length) (i32.const -16))))
 *       (block (loop
 *         (br_if 1 (i32.ge_u (local.get $at) (local.get $end)))
 *         (v128.store (local.get $at) (v128.xor (v128.load (local.get $at)) (local.get $k)))
 *         (local.set $at (i32.add (local.get $at) (i32.const 16)))
 *         (br 0)))))
 */
const MODULE = Uint8Array.of(
  // magic, version 1
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
  // type section: one type, (i32 i32 i32) -> ()
  0x01, 0x07, 0x01, 0x60, 0x03, 0x7f, 0x7f, 0x7f, 0x00,
  // function section: one function of type 0
  0x03, 0x02, 0x01, 0x00,
  // memory section: one memory, at least one 64 KiB page
  0x05, 0x03, 0x01, 0x00, 0x01,
  // export section: "memory" (memory 0), "xor" (function 0)
  0x07, 0x10, 0x02,
  0x06, 0x6d, 0x65, 0x6d, 0x6f, 0x72, 0x79, 0x02, 0x00,
  0x03, 0x78, 0x6f, 0x72, 0x00, 0x00,
  // code section: one body of 0x3c bytes, locals: one v128, one i32
  0x0a, 0x3e, 0x01, 0x3c, 0x02, 0x01, 0x7b, 0x01, 0x7f,
  0x20, 0x02, 0xfd, 0x11, 0x21, 0x03, // $k = i32x4.splat($key)
  0x20, 0x00, 0x20, 0x01, 0x41, 0x70, 0x71, 0x6a, 0x21, 0x04, // $end = $at + ($length & -16)
  0x02, 0x40, 0x03, 0x40, // block, loop
  0x20, 0x00, 0x20, 0x04, 0x4f, 0x0d, 0x01, // br_if 1 ($at >= $end)
  0x20, 0x00, 0x20, 0x00, 0xfd, 0x00, 0x04, 0x00, 0x20, 0x03, 0xfd, 0x51, 0xfd, 0x0b, 0x04, 0x00, // store(load ^ $k)
  0x20, 0x00, 0x41, 0x10, 0x6a, 0x21, 0x00, // $at += 16
  0x0c, 0x00, 0x0b, 0x0b, 0x0b, // br 0, end loop, end block, end function
)

/** The kernel's memory is one page; a longer payload goes through it a page at a time. */
const BLOCK = 65536

/** From this many bytes on, the kernel wins (64 B: 15 against 93 ns; 512 B: even; 1 KiB: 178 against 122). */
export const KERNEL_MIN = 1024

interface Kernel {
  readonly memory: Uint8Array
  readonly xor: (at: number, length: number, key: number) => void
}

/** undefined: not tried yet; null: this platform has no kernel. */
let kernel: Kernel | null | undefined

function load(): Kernel | null {
  const api = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly
  try {
    if (api === undefined || !api.validate(MODULE)) return null
    const { exports } = new api.Instance(new api.Module(MODULE))
    return { memory: new Uint8Array(exports.memory.buffer, 0, BLOCK), xor: exports.xor }
  } catch {
    // A Content-Security-Policy without 'wasm-unsafe-eval' makes compiling throw.
    return null
  }
}

/**
 * Masks `length & ~15` bytes of `source` from `from` into `target` at `to` (the same array to mask in
 * place) with `key`, the masking key as a little-endian word in the phase of `source[from]`; returns how
 * many bytes it masked (0 without a kernel), the caller doing the rest. Each block goes into the kernel's
 * memory and out again: two memcpy's, cheap next to the XOR.
 */
export function maskByKernel(source: Uint8Array, from: number, length: number, target: Uint8Array, to: number, key: number): number {
  if (kernel === undefined) kernel = load()
  if (kernel === null) return 0
  const { memory, xor } = kernel
  const whole = length & ~15
  for (let done = 0; done < whole; done += BLOCK) {
    const size = Math.min(BLOCK, whole - done)
    memory.set(source.subarray(from + done, from + done + size), 0)
    xor(0, size, key)
    target.set(memory.subarray(0, size), to + done)
  }
  return whole
}
