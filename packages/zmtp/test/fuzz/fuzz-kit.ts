/**
 * What every fuzz target shares (packages/{zmtp,curve,core}/test/fuzz/*.fuzz.test.ts): the budget, the
 * mutator over recorded sessions, random chunking of the feed, and the report `pnpm fuzz` reads.
 *
 *   recorded session bytes ──pick──▶ seed ──1…8 mutations (+ splice)──▶ input ──cut at random──▶ chunks
 *                                                                                       │
 *                                                            target's parser ◀──────────┘ oracle checks
 *
 * Budget: ZMQ_TS_FUZZ_RUNS inputs per target (a target = one *.fuzz.test.ts file, its properties share
 * it), or ZMQ_TS_FUZZ_RUNS_<TARGET> for one (what `pnpm fuzz` sets); unset, each target runs its small
 * default so that `pnpm test` stays quick. ZMQ_TS_FUZZ_SEED fixes fast-check's seed (ZMQ_TS_FUZZ_PATH its
 * path, to replay one counterexample; ZMQ_TS_FUZZ_SHRINK=0 skips shrinking). When ZMQ_TS_FUZZ_REPORT
 * names a file, each property appends one JSON line {target, inputs, ms} to it.
 */
import { appendFileSync } from "node:fs"
import fc from "fast-check"

// ── budget ───────────────────────────────────────────────────────────────────────────────────────────

const env = (name: string): string | undefined => {
  const value = process.env[name]
  return value === undefined || value === "" ? undefined : value
}

/**
 * The inputs target `name` runs: ZMQ_TS_FUZZ_RUNS_<NAME> (upper case, "-" as "_"), else ZMQ_TS_FUZZ_RUNS,
 * else `fallback` (its share of the `pnpm test` budget).
 */
export function targetRuns(name: string, fallback: number): number {
  const variable = `ZMQ_TS_FUZZ_RUNS_${name.toUpperCase().replace(/-/g, "_")}`
  const configured = env(variable) ?? env("ZMQ_TS_FUZZ_RUNS")
  if (configured === undefined) return fallback
  const runs = Number(configured)
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`${variable} / ZMQ_TS_FUZZ_RUNS must be a positive integer, got ${configured}`)
  return runs
}

/**
 * fast-check parameters for one property that takes `share` (0–1] of its target's `runs`. A fixed seed
 * comes from ZMQ_TS_FUZZ_SEED; fast-check prints seed and path on failure, and ZMQ_TS_FUZZ_PATH replays.
 */
export function fuzzParameters<T>(runs: number, share = 1): fc.Parameters<T> {
  const seed = env("ZMQ_TS_FUZZ_SEED")
  const path = env("ZMQ_TS_FUZZ_PATH")
  return {
    numRuns: Math.max(1, Math.round(runs * share)),
    ...(seed === undefined ? {} : { seed: Number(seed) }),
    ...(path === undefined ? {} : { path }),
    // Shrinking a mutation list is cheap; the default bound keeps a failing CI run short.
    endOnFailure: env("ZMQ_TS_FUZZ_SHRINK") === "0",
  }
}

/**
 * Runs a synchronous fuzz property over `arbitrary` and reports how many inputs it ran, in how long.
 * `target` names the file's target as `pnpm fuzz --target` knows it.
 */
export function fuzz<T>(target: string, runs: number, share: number, arbitrary: fc.Arbitrary<T>, predicate: (input: T) => void): void {
  let inputs = 0
  const started = performance.now()
  fc.assert(
    fc.property(arbitrary, (input) => {
      inputs++
      predicate(input)
    }),
    fuzzParameters(runs, share),
  )
  report(target, inputs, performance.now() - started)
}

/** The same for an asynchronous property (the socket-level targets). */
export async function fuzzAsync<T>(
  target: string,
  runs: number,
  share: number,
  arbitrary: fc.Arbitrary<T>,
  predicate: (input: T) => Promise<void>,
): Promise<void> {
  let inputs = 0
  const started = performance.now()
  await fc.assert(
    fc.asyncProperty(arbitrary, async (input) => {
      inputs++
      await predicate(input)
    }),
    fuzzParameters(runs, share),
  )
  report(target, inputs, performance.now() - started)
}

function report(target: string, inputs: number, ms: number): void {
  const file = env("ZMQ_TS_FUZZ_REPORT")
  if (file !== undefined) appendFileSync(file, `${JSON.stringify({ target, inputs, ms: Math.round(ms) })}\n`)
}

// ── the mutator ──────────────────────────────────────────────────────────────────────────────────────

/** Bytes that sit on boundaries of flags, lengths and signed/unsigned reads. */
export const INTERESTING_BYTES = [0x00, 0x01, 0x02, 0x04, 0x7f, 0x80, 0xfe, 0xff] as const

/**
 * Big-endian values to write over a length field: zero, one, around the 1-byte/8-byte boundaries, 2^31,
 * 2^32, 2^53 and 2^63, and the largest. Written as 1, 4 or 8 bytes, so a short or long ZMTP size, a ZMTP
 * metadata length or a WebSocket 64-bit length all get hit.
 */
const INTERESTING_LENGTHS: readonly bigint[] = [
  0n, 1n, 0x7dn, 0x7en, 0x7fn, 0xffn, 0x100n, 0xffffn, 0x10000n, 0x7fffffffn, 0x80000000n, 0xffffffffn, 0x100000000n,
  2n ** 53n - 1n, 2n ** 53n, 2n ** 63n - 1n, 2n ** 63n, 2n ** 64n - 1n,
]

/** One edit. Positions and lengths are raw naturals, taken modulo the input's length when applied. */
export type Mutation =
  | { readonly kind: "flip"; readonly at: number; readonly bit: number }
  | { readonly kind: "set"; readonly at: number; readonly value: number }
  | { readonly kind: "length"; readonly at: number; readonly width: 1 | 4 | 8; readonly value: bigint }
  | { readonly kind: "insert"; readonly at: number; readonly bytes: Uint8Array }
  | { readonly kind: "delete"; readonly at: number; readonly length: number }
  | { readonly kind: "duplicate"; readonly at: number; readonly length: number; readonly to: number }
  | { readonly kind: "splice"; readonly at: number; readonly other: number; readonly from: number }
  | { readonly kind: "truncate"; readonly at: number }

const position = fc.nat()
export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant("flip" as const), at: position, bit: fc.integer({ min: 0, max: 7 }) }) },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant("set" as const),
      at: position,
      value: fc.oneof(fc.constantFrom(...INTERESTING_BYTES), fc.integer({ min: 0, max: 255 })),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant("length" as const),
      at: position,
      width: fc.constantFrom<1 | 4 | 8>(1, 4, 8),
      value: fc.oneof(fc.constantFrom(...INTERESTING_LENGTHS), fc.bigInt({ min: 0n, max: 2n ** 64n - 1n })),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("insert" as const), at: position, bytes: fc.uint8Array({ minLength: 1, maxLength: 32 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("delete" as const), at: position, length: fc.integer({ min: 1, max: 64 }) }) },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant("duplicate" as const), at: position, length: fc.integer({ min: 1, max: 300 }), to: position }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("splice" as const), at: position, other: fc.nat(), from: position }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("truncate" as const), at: position }) },
)

function join(...parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0))
  let offset = 0
  for (const part of parts) {
    out.set(part, offset)
    offset += part.length
  }
  return out
}

/** Applies one edit to a copy of `bytes`; `seeds` are what a splice takes its tail from. */
export function applyMutation(bytes: Uint8Array, edit: Mutation, seeds: readonly Uint8Array[]): Uint8Array {
  const n = bytes.length
  const at = n === 0 ? 0 : edit.at % (n + 1)
  switch (edit.kind) {
    case "flip":
    case "set": {
      if (n === 0) return bytes
      const out = bytes.slice()
      const i = edit.at % n
      out[i] = edit.kind === "flip" ? out[i]! ^ (1 << edit.bit) : edit.value
      return out
    }
    case "length": {
      if (n === 0) return bytes
      const out = bytes.slice()
      const start = Math.min(edit.at % n, Math.max(0, n - edit.width))
      for (let i = 0; i < edit.width && start + i < n; i++) {
        out[start + i] = Number((edit.value >> BigInt(8 * (edit.width - 1 - i))) & 0xffn)
      }
      return out
    }
    case "insert":
      return join(bytes.subarray(0, at), edit.bytes, bytes.subarray(at))
    case "delete":
      return join(bytes.subarray(0, at), bytes.subarray(Math.min(n, at + edit.length)))
    case "duplicate": {
      const range = bytes.subarray(at, Math.min(n, at + edit.length))
      const to = n === 0 ? 0 : edit.to % (n + 1)
      return join(bytes.subarray(0, to), range, bytes.subarray(to))
    }
    case "splice": {
      const other = seeds[edit.other % seeds.length]!
      const from = other.length === 0 ? 0 : edit.from % (other.length + 1)
      return join(bytes.subarray(0, at), other.subarray(from))
    }
    case "truncate":
      return bytes.subarray(0, at).slice()
  }
}

/** A mutated input: which seed, the edits applied in order, and the result. */
export interface Mutant {
  readonly seed: number
  readonly edits: readonly Mutation[]
  readonly bytes: Uint8Array
}

/**
 * Seeds mutated by 0…`maxEdits` edits (0 now and then, so the recorded session itself runs too). Shrinks
 * toward fewer edits and the first seed: a counterexample reads as "seed k with these edits".
 */
export function mutants(seeds: readonly Uint8Array[], maxEdits = 8): fc.Arbitrary<Mutant> {
  if (seeds.length === 0) throw new Error("no seeds")
  return fc
    .record({
      seed: fc.nat({ max: seeds.length - 1 }),
      edits: fc.oneof(
        { weight: 1, arbitrary: fc.constant<Mutation[]>([]) },
        { weight: 15, arbitrary: fc.array(mutation, { minLength: 1, maxLength: maxEdits }) },
      ),
    })
    .map(({ seed, edits }) => ({
      seed,
      edits,
      bytes: edits.reduce<Uint8Array>((bytes, edit) => applyMutation(bytes, edit, seeds), seeds[seed]!),
    }))
}

// ── chunking ─────────────────────────────────────────────────────────────────────────────────────────

/** How to cut an input: fractions of its length (sorted when applied), or byte by byte. */
export type Cut = { readonly kind: "points"; readonly points: readonly number[] } | { readonly kind: "bytes" } | { readonly kind: "whole" }

export const cuts: fc.Arbitrary<Cut> = fc.oneof(
  { weight: 2, arbitrary: fc.constant({ kind: "whole" as const }) },
  { weight: 6, arbitrary: fc.record({ kind: fc.constant("points" as const), points: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 12 }) }) },
  { weight: 1, arbitrary: fc.constant({ kind: "bytes" as const }) },
)

/** `bytes` cut as `cut` says; the chunks are views, and concatenated give `bytes` back. */
export function chunk(bytes: Uint8Array, cut: Cut): Uint8Array[] {
  if (cut.kind === "whole") return [bytes]
  if (cut.kind === "bytes") return Array.from({ length: bytes.length }, (_, i) => bytes.subarray(i, i + 1))
  const points = [...new Set(cut.points.map((p) => Math.floor(p * bytes.length)))].sort((x, y) => x - y)
  const chunks: Uint8Array[] = []
  let start = 0
  for (const point of points) {
    if (point > start) chunks.push(bytes.subarray(start, point))
    start = Math.max(start, point)
  }
  chunks.push(bytes.subarray(start))
  return chunks
}

// ── helpers for oracles and seed files ───────────────────────────────────────────────────────────────

/** Throws with `message()` unless `condition` (cheaper than expect() in a loop of thousands). */
export function check(condition: boolean, message: () => string): asserts condition {
  if (!condition) throw new Error(message())
}

// Hex and byte comparison come from the codec's own test helpers.
export { hex as fromHex, toHex } from "../helpers/chunking.js"
export { sameBytes } from "../helpers/pair.js"

/**
 * Memory the input made the process keep: ArrayBuffer bytes now minus `before`. An oracle for "a length
 * field never drives allocation": it must stay within a small multiple of what was fed.
 */
export function arrayBufferBytes(): number {
  return process.memoryUsage().arrayBuffers
}
