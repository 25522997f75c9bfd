/**
 * Codec micro-benchmark: encoding and decoding single-frame messages of 8 B, 64 B, 1 KiB and 64 KiB.
 *
 *   pnpm bench            a table of frames/s and MB/s (MB = 10⁶ bytes of message body, headers excluded)
 *   pnpm bench --json     the same results, machine-readable
 *   pnpm bench --layer decoder     one layer, in this process (to profile it: see docs/decisions/0004-…)
 *
 * Each layer is measured on its own, so the cost of each one is visible:
 * - `connection encode`: `ZmtpConnection.send([body])` in the ready state, `dataToSend()` once per ~64 KiB
 *   of pending bytes (a burst of sends followed by one socket write);
 * - `encoder`: the bare `FrameEncoder.writeFrame()` + `take()` under the same batching;
 * - `connection decode`: `ZmtpConnection.receiveData(chunk)` on a pre-encoded stream cut into 64 KiB chunks,
 *   the way a socket delivers it (64 KiB frames therefore always span chunks and are gathered). The chunks
 *   are Node `Buffer`s, as `node:net` delivers them;
 * - `8 connections decode` (8 B only): the same stream fed to 8 connections in turn, as a ROUTER with
 *   several peers would, counting the messages of all 8; it shows costs that one connection hides
 *   (garbage kept alive between calls, call sites that see several connections);
 * - `decoder`: the bare `FrameDecoder.feed()` on the same chunks with a no-op sink.
 *
 * Each layer runs in its own child process so that one layer's code cannot make another's call sites
 * polymorphic or leave garbage for it to collect. Every case is warmed up, then timed in 5 rounds of at least
 * ROUND_SECONDS each; the median round is reported. On Linux the run also reports how much CPU other
 * processes took meanwhile: on a 2-core machine a busy neighbour halves some results.
 */
import { fork } from "node:child_process"
import { readFileSync } from "node:fs"
import { cpus, totalmem } from "node:os"
import { fileURLToPath } from "node:url"
import { FrameDecoder, FrameEncoder, ZmtpConnection, type FrameSink } from "../src/index.js"

const SIZES = [8, 64, 1024, 64 * 1024] as const
const CHUNK_SIZE = 64 * 1024
/** Bytes of wire stream per pass: many chunks, so that a pass is not dominated by reading the timer. */
const STREAM_BYTES = 4 * 1024 * 1024
const WARMUP_SECONDS = 0.25
const ROUND_SECONDS = 0.3
const ROUNDS = 5
/** Other processes using more CPU than this (in cores) during a case get it flagged. */
const DISTURBED_CORES = 0.1

const LAYERS = ["connection encode", "encoder", "connection decode", "8 connections decode", "decoder"] as const
type Layer = (typeof LAYERS)[number]
const RECEIVERS = 8

interface Result {
  readonly layer: Layer
  readonly size: number
  /** Median of the rounds. */
  readonly framesPerSecond: number
  /** Body bytes per second, in 10⁶ bytes. */
  readonly megabytesPerSecond: number
  readonly roundsFramesPerSecond: number[]
  /** CPU other processes used during the timed rounds, in cores (Linux only; `null` elsewhere). */
  readonly otherProcessesCores: number | null
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
  for (let start = 0; start < stream.length; start += CHUNK_SIZE) {
    chunks.push(Buffer.from(stream.subarray(start, start + CHUNK_SIZE)))
  }
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

function connectionsDecodeCase(size: number): Case {
  const { frames } = counts(size)
  const chunks = encodedChunks(size, frames)
  const receivers = Array.from({ length: RECEIVERS }, () => connectedPair()[1])
  return {
    frames: frames * RECEIVERS,
    pass() {
      let messages = 0
      for (let i = 0; i < chunks.length; i++) {
        for (let r = 0; r < RECEIVERS; r++) messages += receivers[r]!.receiveData(chunks[i]!).length
      }
      if (messages !== frames * RECEIVERS) throw new Error(`decoded ${messages} messages, expected ${frames * RECEIVERS}`)
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

const CASES: Record<Layer, { sizes: readonly number[]; make: (size: number) => Case }> = {
  "connection encode": { sizes: SIZES, make: connectionEncodeCase },
  encoder: { sizes: SIZES, make: encoderCase },
  "connection decode": { sizes: SIZES, make: connectionDecodeCase },
  "8 connections decode": { sizes: [8], make: connectionsDecodeCase },
  decoder: { sizes: SIZES, make: decoderCase },
}

// ── timing ──────────────────────────────────────────────────────────────────────────────────────────

let sinkValue = 0

/** CPU time used by all processes since boot, in ms, from Linux's /proc/stat; undefined elsewhere. */
function systemBusyMilliseconds(): number | undefined {
  let line: string
  try {
    line = readFileSync("/proc/stat", "utf8").split("\n", 1)[0]!
  } catch {
    return undefined
  }
  // cpu user nice system idle iowait irq softirq steal …, in USER_HZ (100 per second) units.
  const [user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number)
  return (user! + nice! + system! + irq! + softirq! + steal!) * 10
}

/** Runs passes for at least `seconds`; returns frames per second and the CPU others used meanwhile. */
function run(benchCase: Case, seconds: number): { framesPerSecond: number; otherCores: number | undefined } {
  const limit = seconds * 1e9
  const busyBefore = systemBusyMilliseconds()
  const cpuBefore = process.cpuUsage()
  let frames = 0
  const start = process.hrtime.bigint()
  let elapsed = 0
  do {
    sinkValue += benchCase.pass()
    frames += benchCase.frames
    elapsed = Number(process.hrtime.bigint() - start)
  } while (elapsed < limit)
  const busyAfter = systemBusyMilliseconds()
  const ownCpu = process.cpuUsage(cpuBefore)
  const otherCores =
    busyBefore === undefined || busyAfter === undefined
      ? undefined
      : Math.max(0, busyAfter - busyBefore - (ownCpu.user + ownCpu.system) / 1000) / (elapsed / 1e6)
  return { framesPerSecond: frames / (elapsed / 1e9), otherCores }
}

function median(values: number[]): number {
  const sorted = [...values].sort((x, y) => x - y)
  return sorted[Math.floor(sorted.length / 2)]!
}

function measureLayer(layer: Layer): Result[] {
  const results: Result[] = []
  for (const size of CASES[layer].sizes) {
    const benchCase = CASES[layer].make(size)
    run(benchCase, WARMUP_SECONDS)
    const rounds: number[] = []
    let otherCores: number | null = null
    for (let round = 0; round < ROUNDS; round++) {
      const measured = run(benchCase, ROUND_SECONDS)
      rounds.push(measured.framesPerSecond)
      if (measured.otherCores !== undefined) otherCores = Math.max(otherCores ?? 0, measured.otherCores)
    }
    const framesPerSecond = median(rounds)
    results.push({
      layer,
      size,
      framesPerSecond,
      megabytesPerSecond: (framesPerSecond * size) / 1e6,
      roundsFramesPerSecond: rounds,
      otherProcessesCores: otherCores,
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
          (result.layer.endsWith("decode") && other.layer === "decoder")),
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
  const disturbed = results.filter((result) => (result.otherProcessesCores ?? 0) > DISTURBED_CORES)
  if (disturbed.length > 0) {
    const worst = Math.max(...disturbed.map((result) => result.otherProcessesCores!))
    console.log(
      `\nnote: other processes used up to ${worst.toFixed(2)} cores during ${disturbed.length} of ${results.length} ` +
        "cases; those numbers may be low",
    )
  }
}

function printJson(results: Result[]): void {
  console.log(JSON.stringify({ machine: machine(), chunkSize: CHUNK_SIZE, rounds: ROUNDS, results }, null, 2))
}

async function main(): Promise<void> {
  const layerIndex = process.argv.indexOf("--layer")
  if (layerIndex >= 0) {
    const layer = process.argv[layerIndex + 1] as Layer
    if (!LAYERS.includes(layer)) throw new Error(`unknown layer ${layer}`)
    const results = measureLayer(layer)
    if (sinkValue === -1) console.log("unreachable")
    // Run directly (not forked), a layer prints its own results: handy while profiling one layer.
    if (process.send !== undefined) process.send(results)
    else if (process.argv.includes("--json")) printJson(results)
    else printTable(results)
    return
  }
  const results: Result[] = []
  // One layer at a time: on a 2-core machine, parallel children would measure each other.
  for (const layer of LAYERS) results.push(...(await measureInChild(layer)))
  if (process.argv.includes("--json")) printJson(results)
  else printTable(results)
}

await main()
