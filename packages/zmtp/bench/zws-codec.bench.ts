/**
 * ZWS codec micro-benchmark (issue 17, docs/decisions/0017-ws-hot-path.md): the ws hot path without sockets.
 *
 *   npx tsx --conditions=@zmq-ts/source packages/zmtp/bench/zws-codec.bench.ts [rounds]
 *
 * - `client encode`: a ZWS client's `ZwsFrameEncoder.writeFrame()` (masking every payload) and
 *   `takeSegments()` once per ~64 KiB pending, as the stream engine batches writes;
 * - `server decode`: `ZwsFrameDecoder.feed()` (unmasking in place) on that client's stream cut into 64 KiB
 *   Node Buffers, as `node:net` delivers it, with plain views and a counting sink.
 * One process, every case warmed up, then rounds interleaved; prints the median frames/s and MB/s (body).
 * Single-threaded and CPU-bound, so it A/Bs codec changes more steadily than the two-process bench on a
 * shared machine; it is no substitute for that bench.
 */
import { randomFillSync } from "node:crypto"
import { ZwsFrameDecoder, ZwsFrameEncoder } from "../src/zws-framing.js"

const SIZES = [64, 1024, 64 * 1024] as const
const CHUNK_SIZE = 64 * 1024
const STREAM_BYTES = 4 * 1024 * 1024
const ROUND_SECONDS = 0.3
const rounds = Number(process.argv[2] ?? 5)

const pool = new Uint8Array(16 * 1024)
let used = pool.length
const key = new Uint8Array(4)
const maskKey = (): Uint8Array => {
  if (used + 4 > pool.length) {
    randomFillSync(pool)
    used = 0
  }
  key.set(pool.subarray(used, used + 4))
  used += 4
  return key
}

interface Case {
  readonly name: string
  readonly size: number
  readonly frames: number
  pass(): number
}

function encodeCase(size: number): Case {
  const body = Buffer.alloc(size, "x")
  const frames = Math.max(1, Math.floor(STREAM_BYTES / (size + 6)))
  const encoder = new ZwsFrameEncoder({ role: "client", maskKey })
  return {
    name: "client encode",
    size,
    frames,
    pass() {
      let bytes = 0
      for (let i = 0; i < frames; i++) {
        encoder.writeFrame(0, body)
        if (encoder.pendingBytes >= CHUNK_SIZE) for (const segment of encoder.takeSegments()) bytes += segment.length
      }
      for (const segment of encoder.takeSegments()) bytes += segment.length
      return bytes
    },
  }
}

function decodeCase(size: number): Case {
  const body = Buffer.alloc(size, "x")
  const frames = Math.max(1, Math.floor(STREAM_BYTES / (size + 6)))
  const encoder = new ZwsFrameEncoder({ role: "client", maskKey })
  for (let i = 0; i < frames; i++) encoder.writeFrame(0, body)
  const stream = Buffer.concat(encoder.takeSegments())
  const chunks: Buffer[] = []
  for (let at = 0; at < stream.length; at += CHUNK_SIZE) chunks.push(stream.subarray(at, at + CHUNK_SIZE))
  let count = 0
  const sink = { onFrame: (_flags: number, frame: Uint8Array): void => void (count += frame.length) }
  const control = { onPing() {}, onPong() {}, onClose() {} }
  return {
    name: "server decode",
    size,
    frames,
    pass() {
      const decoder = new ZwsFrameDecoder("server", -1, 1 << 20, undefined, control)
      // The decoder unmasks in place: feed fresh copies, as a socket hands over fresh chunks (the copy is
      // timed too, about what node:net's own read costs).
      for (const chunk of chunks) decoder.feed(Buffer.from(chunk), sink)
      return count
    },
  }
}

function run(c: Case, seconds: number): number {
  const start = performance.now()
  let passes = 0
  do {
    c.pass()
    passes++
  } while (performance.now() - start < seconds * 1000)
  return (passes * c.frames) / ((performance.now() - start) / 1000)
}

const cases = SIZES.flatMap((size) => [encodeCase(size), decodeCase(size)])
for (const c of cases) run(c, 0.25)
const results = new Map<Case, number[]>(cases.map((c) => [c, []]))
for (let round = 0; round < rounds; round++) for (const c of cases) results.get(c)!.push(run(c, ROUND_SECONDS))
for (const c of cases) {
  const sorted = results.get(c)!.sort((a, b) => a - b)
  const median = sorted[Math.floor(sorted.length / 2)]!
  const rate = median >= 1e6 ? `${(median / 1e6).toFixed(2)} M/s` : `${(median / 1e3).toFixed(1)} k/s`
  console.log(`${c.name.padEnd(14)} ${String(c.size).padStart(6)} B  ${rate.padStart(10)}  ${((median * c.size) / 1e6).toFixed(0).padStart(6)} MB/s`)
}
