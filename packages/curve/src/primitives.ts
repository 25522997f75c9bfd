/**
 * The cryptographic primitives CURVE needs (RFC 26 §"Cryptographic Algorithms": NaCl's crypto_box, i.e.
 * X25519 + XSalsa20-Poly1305, and crypto_secretbox), all from audited libraries, none written here
 * (docs/decisions/0010-curve-crypto.md):
 *
 * - XSalsa20-Poly1305 and HSalsa20: libsodium compiled to WebAssembly (`libsodium-wrappers-sumo`: the
 *   standard build lacks crypto_core_hsalsa20, which turns an X25519 secret into crypto_box's key). It must
 *   be instantiated first: `loadCurve()` does it once, and every function here requires it.
 * - X25519: node:crypto where the platform has it (reached through `process.getBuiltinModule`, never a
 *   static import, so the package still loads in browsers), else libsodium's crypto_scalarmult. Both are
 *   checked against each other when loading; node:crypto is used only if they agree.
 * - MESSAGE boxes (the per-frame hot path) call libsodium's C functions through the Emscripten module the
 *   wrappers expose, with one shared scratch region of the WebAssembly heap: no allocation or argument
 *   copying per call beyond the frame itself. Also self-tested at load; the wrappers are the fallback.
 *
 * A key agreement that yields the all-zero secret (a null or low-order public key) fails, as libsodium's
 * crypto_box_beforenm does: the caller gets `undefined` and reports ZMTP_CRYPTOGRAPHIC.
 */
import { ZmtpError, ZmtpErrorCode } from "@zmq-ts/zmtp"
import { base64url, fromBase64url } from "./base64url.js"
import sodium from "libsodium-wrappers-sumo"

export const KEY_BYTES = 32
export const NONCE_BYTES = 24
export const MAC_BYTES = 16

// ── loading ──────────────────────────────────────────────────────────────────────────────────────────

let loaded = false
let loading: Promise<void> | undefined

/** Instantiates libsodium (once; every call shares the same promise) and picks the X25519 and MESSAGE paths. */
export function loadCurve(): Promise<void> {
  loading ??= sodium.ready.then(
    () => {
      rawBox = probeRawBox()
      nodeX25519 = probeNodeX25519()
      loaded = true
    },
    (error: unknown) => {
      loading = undefined // a later call may try again
      throw error
    },
  )
  return loading
}

/** True once `loadCurve()` has resolved: the mechanisms and key helpers may be used synchronously. */
export function curveLoaded(): boolean {
  return loaded
}

/** Throws a local EFSM error unless `loadCurve()` has resolved. */
export function assertLoaded(what: string): void {
  if (!loaded) {
    throw new ZmtpError(ZmtpErrorCode.INVALID_STATE, "local", `${what} needs the CURVE crypto: await loadCurve() first`)
  }
}

/** Which implementations are in use, for the benchmark and the decision record. */
export function curveBackends(): { readonly x25519: "node:crypto" | "libsodium"; readonly message: "libsodium-raw" | "libsodium-wrappers" } {
  return { x25519: nodeX25519 === undefined ? "libsodium" : "node:crypto", message: rawBox === undefined ? "libsodium-wrappers" : "libsodium-raw" }
}

/**
 * Turns the fast paths off (for the benchmark and tests that compare paths): libsodium's X25519 instead
 * of node:crypto's, the wrappers instead of the raw MESSAGE functions. Not exported from the package.
 */
export function disableFastPaths(which: { readonly x25519?: boolean; readonly message?: boolean }): void {
  if (which.x25519 === true) nodeX25519 = undefined
  if (which.message === true) rawBox = undefined
}

// ── X25519 ───────────────────────────────────────────────────────────────────────────────────────────

/** A JSON Web Key of an X25519 key (RFC 8037 §2): `x` the public key, `d` the secret, base64url. */
interface OkpJwk {
  kty: "OKP"
  crv: "X25519"
  x: string
  d?: string
}

/** The parts of node:crypto used here, typed locally so that the package's types need no Node types. */
interface NodeKeyObject {
  export(options: { format: "jwk" }): Partial<OkpJwk>
}
interface NodeCrypto {
  createPrivateKey(options: { key: OkpJwk; format: "jwk" }): NodeKeyObject
  createPublicKey(options: { key: OkpJwk; format: "jwk" }): NodeKeyObject
  diffieHellman(options: { privateKey: NodeKeyObject; publicKey: NodeKeyObject }): Uint8Array
}

let nodeX25519: NodeCrypto | undefined

/** node:crypto, if this runtime offers it without a static import (Node ≥ 20.16, Deno, Bun). */
function platformCrypto(): NodeCrypto | undefined {
  try {
    const host = globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }
    const module = host.process?.getBuiltinModule?.("node:crypto") as Partial<NodeCrypto> | undefined
    const needed = ["diffieHellman", "createPrivateKey", "createPublicKey"] as const
    if (module === undefined || needed.some((name) => typeof module[name] !== "function")) return undefined
    return module as NodeCrypto
  } catch {
    return undefined
  }
}

/** node:crypto's X25519, if it exists and agrees with libsodium on a random exchange and public keys. */
function probeNodeX25519(): NodeCrypto | undefined {
  const crypto = platformCrypto()
  if (crypto === undefined) return undefined
  const a = randomBytes(KEY_BYTES)
  const b = randomBytes(KEY_BYTES)
  try {
    const expected = sodium.crypto_box_beforenm(sodium.crypto_scalarmult_base(b), a)
    const privateA = nodePrivateKey(crypto, a)
    const publicB = nodePublicRaw(nodePrivateKey(crypto, b))
    const shared = nodeDiffieHellman(crypto, privateA, publicB)
    const ours = shared === undefined ? undefined : sodium.crypto_core_hsalsa20(HSALSA_INPUT, shared, null)
    const agree = ours !== undefined && equalBytes(ours, expected) && equalBytes(nodePublicRaw(privateA), sodium.crypto_scalarmult_base(a))
    // And it must refuse, or give zero for, a low-order point, which is then caught as all-zero.
    const lowOrder = nodeDiffieHellman(crypto, privateA, LOW_ORDER_POINT)
    return agree && lowOrder === undefined ? crypto : undefined
  } catch {
    return undefined
  } finally {
    a.fill(0)
    b.fill(0)
  }
}

/** u = 1, a point of order 4: every clamped scalar maps it to the all-zero output. */
const LOW_ORDER_POINT = Uint8Array.of(1, ...new Uint8Array(31))

/**
 * node:crypto's KeyObject for a secret key. JWK import (≈ 10× faster than DER through OpenSSL 3) needs
 * an `x`; Node derives the public half from `d` and ignores it, so a placeholder is given. Should a Node
 * version check `x` against `d`, the import throws and the caller falls back to libsodium.
 */
function nodePrivateKey(crypto: NodeCrypto, secret: Uint8Array): NodeKeyObject {
  return crypto.createPrivateKey({ key: { kty: "OKP", crv: "X25519", d: base64url(secret), x: PLACEHOLDER_X }, format: "jwk" })
}

const PLACEHOLDER_X = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"

function nodePublicRaw(privateKey: NodeKeyObject): Uint8Array {
  const x = privateKey.export({ format: "jwk" }).x
  const raw = x === undefined ? undefined : fromBase64url(x)
  if (raw?.length !== KEY_BYTES) throw new Error("node:crypto exported no X25519 public key")
  return raw
}

/**
 * node:crypto's KeyObjects of keys that come back again and again, keyed on the caller's array (a socket
 * passes the same arrays to every connection's mechanism; a mechanism uses a peer key twice): importing a
 * key costs ~40 µs, about as much as the X25519 itself. Each entry keeps a copy of the bytes it was made
 * from, compared before use, so an array changed since is imported again. Weak: an entry lives no longer
 * than the caller's array, which holds the same secret (KeyObjects cannot be zeroed anyway).
 */
interface CachedKeyObject {
  readonly bytes: Uint8Array
  readonly key: NodeKeyObject
}
const privateKeyObjects = new WeakMap<Uint8Array, CachedKeyObject>()
const publicKeyObjects = new WeakMap<Uint8Array, CachedKeyObject>()

function cachedKeyObject(cache: WeakMap<Uint8Array, CachedKeyObject>, origin: Uint8Array, bytes: Uint8Array, make: () => NodeKeyObject): NodeKeyObject {
  const cached = cache.get(origin)
  if (cached !== undefined && equalBytes(cached.bytes, bytes)) return cached.key
  const key = make() // may throw: nothing is cached then
  cache.set(origin, { bytes: new Uint8Array(bytes), key })
  return key
}

/** X25519 through node:crypto; undefined when it refuses or yields the all-zero secret. */
function nodeDiffieHellman(crypto: NodeCrypto, privateKey: NodeKeyObject, publicKey: Uint8Array, origin: Uint8Array = publicKey): Uint8Array | undefined {
  let shared: Uint8Array
  try {
    const peer = cachedKeyObject(publicKeyObjects, origin, publicKey, () =>
      crypto.createPublicKey({ key: { kty: "OKP", crv: "X25519", x: base64url(publicKey) }, format: "jwk" }),
    )
    shared = crypto.diffieHellman({ privateKey, publicKey: peer })
  } catch {
    return undefined // OpenSSL itself refuses an all-zero result
  }
  if (isZero(shared)) return undefined
  return shared
}

/**
 * A 32-byte X25519 secret key owned by one mechanism: its own copy of the bytes, plus node:crypto's
 * KeyObject for it once made (KeyObjects cannot be zeroed; `wipe()` drops ours). A long-term key made
 * with its caller's array as `origin` shares one KeyObject with every other SecretKey of the same array
 * and bytes (the cache above): a server imports its key once, not once per connection.
 */
export class SecretKey {
  readonly bytes: Uint8Array
  #origin: Uint8Array | undefined
  /** node:crypto's KeyObject; null once node:crypto refused this key (libsodium is used instead). */
  #nodeKey: NodeKeyObject | null | undefined

  /** Copies `bytes` (32); `origin`, the caller's array they came from, keys the KeyObject cache. */
  constructor(bytes: Uint8Array, origin?: Uint8Array) {
    this.bytes = new Uint8Array(bytes)
    this.#origin = origin
  }

  /** A fresh key (RFC 26 short-term keys): 32 random bytes, as crypto_box_keypair makes them. */
  static generate(): SecretKey {
    const bytes = randomBytes(KEY_BYTES)
    const key = new SecretKey(bytes)
    bytes.fill(0)
    return key
  }

  publicKey(): Uint8Array {
    const node = this.#node()
    return node === undefined ? sodium.crypto_scalarmult_base(this.bytes) : nodePublicRaw(node)
  }

  /**
   * crypto_box_beforenm: HSalsa20 of the X25519 secret shared with `publicKey`. Undefined for the all-zero
   * secret (null or low-order key), as libsodium refuses it. `origin`, the array `publicKey`'s bytes came
   * from if it outlives this call (a socket's server key), keys the KeyObject cache; else `publicKey` does.
   */
  boxKey(publicKey: Uint8Array, origin?: Uint8Array): Uint8Array | undefined {
    const node = this.#node()
    if (node === undefined) {
      try {
        return sodium.crypto_box_beforenm(publicKey, this.bytes)
      } catch {
        return undefined
      }
    }
    const shared = nodeDiffieHellman(nodeX25519!, node, publicKey, origin)
    if (shared === undefined) return undefined
    const key = sodium.crypto_core_hsalsa20(HSALSA_INPUT, shared, null)
    shared.fill(0)
    return key
  }

  wipe(): void {
    this.bytes.fill(0)
    this.#nodeKey = null
    this.#origin = undefined
  }

  #node(): NodeKeyObject | undefined {
    const crypto = nodeX25519
    if (crypto === undefined || this.#nodeKey === null) return undefined
    if (this.#nodeKey === undefined) {
      try {
        const bytes = this.bytes
        this.#nodeKey =
          this.#origin === undefined ? nodePrivateKey(crypto, bytes) : cachedKeyObject(privateKeyObjects, this.#origin, bytes, () => nodePrivateKey(crypto, bytes))
      } catch {
        this.#nodeKey = null
        return undefined
      }
    }
    return this.#nodeKey
  }
}

/** crypto_box_beforenm runs HSalsa20 on 16 zero bytes. */
const HSALSA_INPUT = new Uint8Array(16)

/** node:crypto for the key helpers, which work before `loadCurve()` where the platform has X25519. */
function keyCrypto(what: string): NodeCrypto | undefined {
  if (loaded) return nodeX25519
  const crypto = platformCrypto()
  if (crypto === undefined) assertLoaded(what)
  return crypto
}

/** The public key of `secret` (32 bytes), however X25519 is done here. */
export function publicKeyOf(secret: Uint8Array): Uint8Array {
  const crypto = keyCrypto("curvePublicKey()")
  if (crypto !== undefined) return nodePublicRaw(nodePrivateKey(crypto, secret))
  return sodium.crypto_scalarmult_base(secret)
}

/** A fresh long-term key pair (crypto_box_keypair: 32 random bytes and their X25519 public key). */
export function generateKeyPair(): { publicKey: Uint8Array; secretKey: Uint8Array } {
  const crypto = keyCrypto("curveKeyPair()")
  const secretKey = randomBytes(KEY_BYTES)
  return { publicKey: crypto === undefined ? sodium.crypto_scalarmult_base(secretKey) : nodePublicRaw(nodePrivateKey(crypto, secretKey)), secretKey }
}

// ── boxes ────────────────────────────────────────────────────────────────────────────────────────────

/** crypto_box_easy_afternm: MAC (16) + ciphertext, with a key from `boxKey`. */
export function seal(plaintext: Uint8Array, nonce: Uint8Array, key: Uint8Array): Uint8Array {
  return sodium.crypto_box_easy_afternm(plaintext, nonce, key)
}

/** crypto_box_open_easy_afternm; undefined when the box does not verify. */
export function open(box: Uint8Array, nonce: Uint8Array, key: Uint8Array): Uint8Array | undefined {
  if (box.length < MAC_BYTES) return undefined
  try {
    return sodium.crypto_box_open_easy_afternm(box, nonce, key)
  } catch {
    return undefined
  }
}

/** crypto_secretbox_easy: MAC (16) + ciphertext. */
export function secretSeal(plaintext: Uint8Array, nonce: Uint8Array, key: Uint8Array): Uint8Array {
  return sodium.crypto_secretbox_easy(plaintext, nonce, key)
}

/** crypto_secretbox_open_easy; undefined when the box does not verify. */
export function secretOpen(box: Uint8Array, nonce: Uint8Array, key: Uint8Array): Uint8Array | undefined {
  if (box.length < MAC_BYTES) return undefined
  try {
    return sodium.crypto_secretbox_open_easy(box, nonce, key)
  } catch {
    return undefined
  }
}

/**
 * Random bytes from the platform's CSPRNG (Web Crypto's getRandomValues, which libsodium's own ESM build
 * requires too); libsodium's randombytes_buf where there is none.
 */
export function randomBytes(length: number): Uint8Array {
  const webCrypto = (globalThis as { crypto?: { getRandomValues?: (array: Uint8Array) => Uint8Array } }).crypto
  if (typeof webCrypto?.getRandomValues === "function") return webCrypto.getRandomValues(new Uint8Array(length))
  return sodium.randombytes_buf(length)
}

// ── MESSAGE boxes without per-call allocation ────────────────────────────────────────────────────────

/**
 * The Emscripten module inside libsodium-wrappers (`sodium.libsodium`): libsodium's C functions on the
 * WebAssembly heap. 64-bit lengths are passed as two 32-bit halves (low, high).
 */
interface SodiumModule {
  readonly HEAPU8: Uint8Array
  _malloc(size: number): number
  _free(pointer: number): void
  _crypto_box_easy_afternm(c: number, m: number, mlenLow: number, mlenHigh: number, n: number, k: number): number
  _crypto_box_open_easy_afternm(m: number, c: number, clenLow: number, clenHigh: number, n: number, k: number): number
}

interface RawBox {
  readonly module: SodiumModule
  /** Where the key goes for the length of one call (zeroed right after), then the nonce. */
  readonly keyAt: number
  readonly nonceAt: number
  /** A scratch region kept between calls, for boxes up to SCRATCH_KEEP bytes. */
  scratchAt: number
  scratchSize: number
}

const SCRATCH_KEEP = 256 * 1024
let rawBox: RawBox | undefined

function probeRawBox(): RawBox | undefined {
  const module = (sodium as unknown as { libsodium?: Partial<SodiumModule> }).libsodium
  if (
    module === undefined ||
    !(module.HEAPU8 instanceof Uint8Array) ||
    typeof module._malloc !== "function" ||
    typeof module._free !== "function" ||
    module._crypto_box_easy_afternm?.length !== 6 ||
    module._crypto_box_open_easy_afternm?.length !== 6
  ) {
    return undefined
  }
  const keyAt = module._malloc(KEY_BYTES + NONCE_BYTES)
  if (keyAt === 0) return undefined
  const candidate: RawBox = { module: module as SodiumModule, keyAt, nonceAt: keyAt + KEY_BYTES, scratchAt: 0, scratchSize: 0 }
  // It must give exactly the wrappers' bytes, and refuse a forgery, or it is not used.
  const key = randomBytes(KEY_BYTES)
  const nonce = randomBytes(NONCE_BYTES)
  const body = randomBytes(100)
  try {
    const expected = new Uint8Array(1 + 100 + MAC_BYTES)
    const plaintext = new Uint8Array(101)
    plaintext[0] = 3
    plaintext.set(body, 1)
    expected.set(sodium.crypto_box_easy_afternm(plaintext, nonce, key))
    const ours = new Uint8Array(expected.length)
    rawSeal(candidate, ours, 0, 3, body, nonce, key)
    const opened: OpenedMessage = { flags: 0, body: new Uint8Array(0) }
    const opens = rawOpen(candidate, opened, ours, 0, nonce, key, newArray)
    ours[50] = ours[50]! ^ 1
    const forged = rawOpen(candidate, { flags: 0, body: new Uint8Array(0) }, ours, 0, nonce, key, newArray)
    ours[50] = ours[50]! ^ 1
    if (equalBytes(ours, expected) && opens && opened.flags === 3 && equalBytes(opened.body, body) && !forged) return candidate
  } catch {
    // fall through to the wrappers
  } finally {
    key.fill(0)
  }
  module._free(keyAt)
  return undefined
}

/** A heap region of `size` bytes: the kept scratch region, or a fresh one for large boxes. */
function scratch(raw: RawBox, size: number): number {
  if (size <= raw.scratchSize) return raw.scratchAt
  if (size > SCRATCH_KEEP) {
    const at = raw.module._malloc(size)
    if (at === 0) throw new RangeError(`cannot allocate ${size} bytes on the libsodium heap`)
    return at
  }
  if (raw.scratchAt !== 0) raw.module._free(raw.scratchAt)
  raw.scratchAt = 0
  raw.scratchSize = 0
  const at = raw.module._malloc(SCRATCH_KEEP)
  if (at === 0) throw new RangeError(`cannot allocate ${SCRATCH_KEEP} bytes on the libsodium heap`)
  raw.scratchAt = at
  raw.scratchSize = SCRATCH_KEEP
  return at
}

function release(raw: RawBox, at: number): void {
  if (at !== raw.scratchAt) raw.module._free(at)
}

function rawSeal(raw: RawBox, out: Uint8Array, outAt: number, flags: number, body: Uint8Array, nonce: Uint8Array, key: Uint8Array): void {
  const module = raw.module
  const length = 1 + body.length
  const at = scratch(raw, MAC_BYTES + length)
  // The heap's view is read after every allocation: growing the memory replaces it.
  let heap = module.HEAPU8
  heap[at + MAC_BYTES] = flags
  heap.set(body, at + MAC_BYTES + 1)
  heap.set(key, raw.keyAt)
  heap.set(nonce, raw.nonceAt)
  // In place: libsodium's secretbox handles overlapping input and output.
  const rc = module._crypto_box_easy_afternm(at, at + MAC_BYTES, length >>> 0, Math.floor(length / 4294967296), raw.nonceAt, raw.keyAt)
  heap = module.HEAPU8
  heap.fill(0, raw.keyAt, raw.keyAt + KEY_BYTES)
  if (rc !== 0) {
    release(raw, at)
    throw new Error("crypto_box_easy_afternm failed")
  }
  out.set(heap.subarray(at, at + MAC_BYTES + length), outAt)
  release(raw, at)
}

/**
 * Opens the box at `frame[boxAt..]` into `result`: one copy of the frame into the heap, opened in place, one
 * copy of the body out into `allocate(size)` (the flags octet is read off the heap). False if it does not verify.
 */
function rawOpen(raw: RawBox, result: OpenedMessage, frame: Uint8Array, boxAt: number, nonce: Uint8Array, key: Uint8Array, allocate: (size: number) => Uint8Array): boolean {
  const module = raw.module
  const boxLength = frame.length - boxAt
  const at = scratch(raw, frame.length)
  const boxIn = at + boxAt
  // The whole frame goes in (its header too), so that no view of the box is made.
  let heap = module.HEAPU8
  heap.set(frame, at)
  heap.set(key, raw.keyAt)
  heap.set(nonce, raw.nonceAt)
  const rc = module._crypto_box_open_easy_afternm(boxIn, boxIn, boxLength >>> 0, Math.floor(boxLength / 4294967296), raw.nonceAt, raw.keyAt)
  heap = module.HEAPU8
  heap.fill(0, raw.keyAt, raw.keyAt + KEY_BYTES)
  if (rc === 0) {
    const size = boxLength - MAC_BYTES - 1
    const body = allocate(size)
    body.set(heap.subarray(boxIn + 1, boxIn + 1 + size), 0)
    result.flags = heap[boxIn]!
    result.body = body
  }
  release(raw, at)
  return rc === 0
}

/** What `openMessage` fills in: the flags octet inside the box and the body after it. */
export interface OpenedMessage {
  flags: number
  body: Uint8Array
}

const newArray = (size: number): Uint8Array => new Uint8Array(size)

/**
 * Boxes `flags` followed by `body` (a MESSAGE's plaintext, RFC 26 §"MESSAGE") into `out` at `outAt`, which
 * must have room for MAC_BYTES + 1 + body.length bytes.
 */
export function sealMessage(out: Uint8Array, outAt: number, flags: number, body: Uint8Array, nonce: Uint8Array, key: Uint8Array): void {
  const raw = rawBox
  if (raw !== undefined) {
    rawSeal(raw, out, outAt, flags, body, nonce, key)
    return
  }
  const plaintext = new Uint8Array(1 + body.length)
  plaintext[0] = flags
  plaintext.set(body, 1)
  out.set(sodium.crypto_box_easy_afternm(plaintext, nonce, key), outAt)
}

/**
 * Opens the MESSAGE box at `frame[boxAt..]` (MAC, then flags octet and body, RFC 26 §"MESSAGE") into
 * `result`: the flags octet, and the body in an array from `allocate(size)` (by default a new one) that
 * nothing else writes to, so the caller may keep it. False, `result` untouched, if the box does not verify.
 */
export function openMessage(
  result: OpenedMessage,
  frame: Uint8Array,
  boxAt: number,
  nonce: Uint8Array,
  key: Uint8Array,
  allocate: (size: number) => Uint8Array = newArray,
): boolean {
  if (frame.length - boxAt < MAC_BYTES + 1) return false
  const raw = rawBox
  if (raw !== undefined) return rawOpen(raw, result, frame, boxAt, nonce, key, allocate)
  const plaintext = open(frame.subarray(boxAt), nonce, key)
  if (plaintext === undefined) return false
  result.flags = plaintext[0]!
  result.body = plaintext.subarray(1) // the wrappers' fresh array
  return true
}

// ── helpers ──────────────────────────────────────────────────────────────────────────────────────────

export function isZero(bytes: Uint8Array): boolean {
  let bits = 0
  for (let i = 0; i < bytes.length; i++) bits |= bytes[i]!
  return bits === 0
}

/** Compares without an early exit, so that timing does not tell where two secrets differ. */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  let bits = 0
  for (let i = 0; i < a.length; i++) bits |= a[i]! ^ b[i]!
  return bits === 0
}
