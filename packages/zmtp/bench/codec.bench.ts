/**
 * Codec micro-benchmark: encoding and decoding single-frame messages of 8 B, 64 B, 1 KiB and 64 KiB.
 *
 *   pnpm bench            a table of frames/s and MB/s (MB = 10⁶ bytes of message body, headers excluded)
 *   pnpm bench --json     the same results, machine-readable
 *
 * Four layers are measured, so the cost of each one is visible:
 * - `connection encode`: `ZmtpConnection.send([body])` in the ready state, `dataToSend()` once per ~64 KiB
 *   of pending bytes (a burst of sends followed by one socket write);
 * - `encoder`: the bare `FrameEncoder.writeFrame()` + `take()` under the same batching;
 * - `connection decode`: `ZmtpConnection.receiveData(chunk)` on a pre-encoded stream cut into 64 KiB chunks,
 *   the way a socket delivers it (64 KiB frames therefore always span chunks and are gathered);
 * - `decoder`: the bare `FrameDecoder.feed()` on the same chunks with a no-op sink.
 *
 * Each layer runs in its own child process so that one layer's code cannot make another's call sites
 * polymorphic or leave garbage for it to collect. Every case is warmed up, then timed in 5 rounds of at least
 * ROUND_SECONDS each; the median round is reported.
 */
import { fork } from "node:child_process"
import { cpus, totalmem } from "node:os"
import { fileURLToPath } from "node:url"
import { FrameDecoder, FrameEncoder, ZmtpConnection, type FrameSink } from "../src/index.js"

const SIZES = [8, 64, 1024, 64 * 1024] as const
const CHUNK_SIZE = 64 * 1024
/** Bytes of wire stream per pass: big enough that a pass is not dominated by the timer, small enough for cache. */
const STREAM_BYTES = 4 * 1024 * 1024
const WARMUP_SECONDS = 0.25
const ROUND_SECONDS = 0.5
const ROUNDS = 5

const LAYERS = ["connection encode", "encoder", "connection decode", "decoder"] as const
type Layer = (typeof LAYERS)[number]

interface Result {
  readonly layer: Layer
  readonly size: number
  /** Median of the rounds. */
  readonly framesPerSecond: number
  /** Body bytes per second, in 10⁶ bytes. */
  readonly megabytesPerSecond: number
  readonly roundsFramesPerSecond: number[]
}

/** One timed unit of work: processes `frames` messages of `size` bytes and returns a value to keep live. */
interface Case {
  readonly frames: number
  pass(): number
}

// ── cases ───────────────────────────────────────────────────────────────────────────────────────────

/** Two connections that have completed a NULL handshake in memory (DEALER ⇄ DEALER). */
function connectedPair(): [ZmtpConnection, ZmtpConnection] {
  const a = new ZmtpConnection({ socketType: "DEALER" })
  const b = new ZmtpConnection({ socketType: "DEALER" })
  for (let turn = 0; turn < 10 && (a.state !== "ready" || b.state !== "ready"); turn++) {
    for (const event of b.receiveData(a.dataToSend())) if (event.type === "error") throw event.error
    for (const event of a.receiveData(b.dataToSend())) if (event.type === "error") throw event.error
  }
  if (a.state !== "ready" || b.state !== "ready") throw new Error(`handshake stalled: ${a.state}/${b.state}`)
  return [a, b]
}

function wireSize(size: number): number {
  return size + (size <= 255 ? 2 : 9)
}

function body(size: number): Uint8Array {
  const bytes = new Uint8Array(size)
  for (let i = 0; i < size; i++) bytes[i] = i & 0xff
  return bytes
}

/** How many messages make one pass, and how many are sent between two `dataToSend()` calls. */
function counts(size: number): { frames: number; batch: number } {
  const frames = Math.max(16, Math.floor(STREAM_BYTES / wireSize(size)))
  const batch = Math.max(1, Math.floor(CHUNK_SIZE / wireSize(size)))
  return { frames, batch }
}

/** The wire bytes of `frames` single-frame messages, as a sender produced them, cut into 64 KiB chunks. */
function encodedChunks(size: number, frames: number): Uint8Array[] {
  const [sender] = connectedPair()
  const message = [body(size)]
  const stream = new Uint8Array(frames * wireSize(size))
  let at = 0
  for (let i = 0; i < frames; i++) {
    sender.send(message)
    const bytes = sender.dataToSend()
    stream.set(bytes, at)
    at += bytes.length
  }
  if (at !== stream.length) throw new Error(`encoded ${at} bytes, expected ${stream.length}`)
  const chunks: Uint8Array[] = []
  // Copies, not views: each chunk owns its memory, as one read from a socket does.
  for (let start = 0; start < stream.length; start += CHUNK_SIZE) chunks.push(stream.slice(start, start + CHUNK_SIZE))
  return chunks
}

function connectionEncodeCase(size: number): Case {
  const { frames, batch } = counts(size)
  const [connection] = connectedPair()
  const message = [body(size)]
  return {
    frames,
    pass() {
      let bytes = 0
      for (let sent = 0; sent < frames; ) {
        const end = Math.min(frames, sent + batch)
        for (; sent < end; sent++) connection.send(message)
        bytes += connection.dataToSend().length
      }
      return bytes
    },
  }
}

function encoderCase(size: number): Case {
  const { frames, batch } = counts(size)
  const encoder = new FrameEncoder()
  const frameBody = body(size)
  return {
    frames,
    pass() {
      let bytes = 0
      for (let sent = 0; sent < frames; ) {
        const end = Math.min(frames, sent + batch)
        for (; sent < end; sent++) encoder.writeFrame(0, frameBody)
        bytes += encoder.take().length
      }
      return bytes
    },
  }
}

function connectionDecodeCase(size: number): Case {
  const { frames } = counts(size)
  const chunks = encodedChunks(size, frames)
  const [, receiver] = connectedPair()
  return {
    frames,
    pass() {
      let messages = 0
      for (let i = 0; i < chunks.length; i++) messages += receiver.receiveData(chunks[i]!).length
      if (messages !== frames) throw new Error(`decoded ${messages} messages, expected ${frames}`)
      return messages
    },
  }
}

function decoderCase(size: number): Case {
  const { frames } = counts(size)
  const chunks = encodedChunks(size, frames)
  const decoder = new FrameDecoder({ maxMessageSize: -1, maxCommandSize: 1024 * 1024 })
  const sink: FrameSink = { onFrame() {} }
  return {
    frames,
    pass() {
      for (let i = 0; i < chunks.length; i++) decoder.feed(chunks[i]!, sink)
      if (!decoder.idle) throw new Error("stream did not end on a frame boundary")
      return frames
    },
  }
}

const CASES: Record<Layer, (size: number) => Case> = {
  "connection encode": connectionEncodeCase,
  encoder: encoderCase,
  "connection decode": connectionDecodeCase,
  decoder: decoderCase,
}

// ── timing ──────────────────────────────────────────────────────────────────────────────────────────

let sinkValue = 0

/** Runs passes for at least `seconds`; returns frames per second. */
function run(benchCase: Case, seconds: number): number {
  const limit = seconds * 1e9
  let frames = 0
  const start = process.hrtime.bigint()
  let elapsed = 0
  do {
    sinkValue += benchCase.pass()
    frames += benchCase.frames
    elapsed = Number(process.hrtime.bigint() - start)
  } while (elapsed < limit)
  return frames / (elapsed / 1e9)
}

function median(values: number[]): number {
  const sorted = [...values].sort((x, y) => x - y)
  return sorted[Math.floor(sorted.length / 2)]!
}

function measureLayer(layer: Layer): Result[] {
  const results: Result[] = []
  for (const size of SIZES) {
    const benchCase = CASES[layer](size)
    run(benchCase, WARMUP_SECONDS)
    const rounds: number[] = []
    for (let round = 0; round < ROUNDS; round++) rounds.push(run(benchCase, ROUND_SECONDS))
    const framesPerSecond = median(rounds)
    results.push({
      layer,
      size,
      framesPerSecond,
      megabytesPerSecond: (framesPerSecond * size) / 1e6,
      roundsFramesPerSecond: rounds,
    })
  }
  return results
}

// ── processes and output ────────────────────────────────────────────────────────────────────────────

function measureInChild(layer: Layer): Promise<Result[]> {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(import.meta.url), ["--layer", layer], { stdio: ["ignore", "inherit", "inherit", "ipc"] })
    let results: Result[] | undefined
    child.on("message", (message) => {
      results = message as Result[]
    })
    child.on("error", reject)
    child.on("exit", (code) => {
      if (code === 0 && results !== undefined) resolve(results)
      else reject(new Error(`benchmark of ${layer} exited with code ${code}`))
    })
  })
}

function sizeLabel(size: number): string {
  return size >= 1024 ? `${size / 1024} KiB` : `${size} B`
}

function count(value: number): string {
  if (value >= 1e6) return `${(value / 1e6).toFixed(2)} M`
  if (value >= 1e3) return `${(value / 1e3).toFixed(1)} k`
  return value.toFixed(0)
}

function machine(): { cpu: string; cores: number; memoryGiB: number; node: string; platform: string } {
  const cpuList = cpus()
  return {
    cpu: cpuList[0]?.model.trim() ?? "unknown",
    cores: cpuList.length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
  }
}

function printTable(results: Result[]): void {
  const info = machine()
  console.log(`${info.cpu}, ${info.cores} cores, ${info.memoryGiB} GiB, Node ${info.node} ${info.platform}`)
  console.log(`single-frame messages, decode input in ${CHUNK_SIZE / 1024} KiB chunks, median of ${ROUNDS} rounds\n`)
  const rows = [["layer", "size", "frames/s", "MB/s", "vs bare"]]
  for (const result of results) {
    // The connection's rate as a share of the bare codec's: what the connection layer costs.
    const bare = results.find(
      (other) =>
        other.size === result.size &&
        ((result.layer === "connection encode" && other.layer === "encoder") ||
          (result.layer === "connection decode" && other.layer === "decoder")),
    )
    rows.push([
      result.layer,
      sizeLabel(result.size),
      count(result.framesPerSecond),
      result.megabytesPerSecond.toFixed(0),
      bare === undefined ? "" : `${((100 * result.framesPerSecond) / bare.framesPerSecond).toFixed(0)} %`,
    ])
  }
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)))
  const line = (row: string[]): string =>
    row.map((cell, column) => (column < 2 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join("  ")
  console.log(line(rows[0]!))
  console.log(widths.map((width) => "-".repeat(width)).join("  "))
  for (const row of rows.slice(1)) console.log(line(row))
}

async function main(): Promise<void> {
  const layerIndex = process.argv.indexOf("--layer")
  if (layerIndex >= 0) {
    const layer = process.argv[layerIndex + 1] as Layer
    if (!LAYERS.includes(layer)) throw new Error(`unknown layer ${layer}`)
    const results = measureLayer(layer)
    if (sinkValue === -1) console.log("unreachable")
    process.send!(results)
    return
  }
  const results: Result[] = []
  // One layer at a time: on a 2-core machine, parallel children would measure each other.
  for (const layer of LAYERS) results.push(...(await measureInChild(layer)))
  if (process.argv.includes("--json")) {
    console.log(JSON.stringify({ machine: machine(), chunkSize: CHUNK_SIZE, rounds: ROUNDS, results }, null, 2))
  } else {
    printTable(results)
  }
}

await main()
