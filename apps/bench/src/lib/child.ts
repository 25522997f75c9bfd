/**
 * The tools' side of the runner's line protocol (the C tools in ../../c/bench.h speak the same):
 * - the receiving side binds, then prints `READY <endpoint>[,<endpoint>…]`;
 * - the runner relays that line to the sending side's stdin;
 * - each side prints `RESULT {json}` when done (with its own CPU time, so the runner can tell how much CPU
 *   other processes took meanwhile), then waits for the runner to close its stdin, and exits.
 * Other stdin lines are commands from the runner (the memory tool waits for `sent`).
 */
import { createInterface } from "node:readline"
import { WarmUp } from "./warm-up.js"

const lines: string[] = []
const lineWaiters: Array<(line: string | undefined) => void> = []
let stdinEnded = false
const endWaiters: Array<() => void> = []

const reader = createInterface({ input: process.stdin })
reader.on("line", (line) => {
  const waiter = lineWaiters.shift()
  if (waiter !== undefined) waiter(line)
  else lines.push(line)
})
reader.on("close", () => {
  stdinEnded = true
  for (const waiter of lineWaiters.splice(0)) waiter(undefined)
  for (const waiter of endWaiters.splice(0)) waiter()
})

/** The next line from the runner (undefined once stdin is closed). */
export function nextLine(): Promise<string | undefined> {
  const line = lines.shift()
  if (line !== undefined) return Promise.resolve(line)
  if (stdinEnded) return Promise.resolve(undefined)
  return new Promise((resolve) => lineWaiters.push(resolve))
}

/** The endpoint(s) the receiving side bound, relayed by the runner. */
export async function readEndpoints(): Promise<string[]> {
  const line = await nextLine()
  if (line === undefined || line.trim() === "") fail("no endpoint on stdin")
  return line.trim().split(",")
}

export function ready(endpoints: readonly string[]): void {
  process.stdout.write(`READY ${endpoints.join(",")}\n`)
}

/** Prints the result line, waits (bounded) for the runner to close stdin, runs `cleanup`, and exits. */
export async function finish(result: Record<string, unknown>, cleanup: () => void = () => {}): Promise<never> {
  const cpu = process.cpuUsage()
  process.stdout.write(`RESULT ${JSON.stringify({ ...result, cpuMs: (cpu.user + cpu.system) / 1000 })}\n`)
  await waitForStdinEnd(10_000)
  try {
    cleanup()
  } catch {
    // closing is best effort: the process exits next
  }
  process.exit(0)
}

export function waitForStdinEnd(timeoutMs: number): Promise<void> {
  if (stdinEnded) return Promise.resolve()
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, timeoutMs)
    timer.unref()
    endWaiters.push(() => {
      clearTimeout(timer)
      resolve()
    })
  })
}

export function stdinClosed(): boolean {
  return stdinEnded
}

export function fail(message: string): never {
  process.stderr.write(`${message}\n`)
  process.exit(1)
}

/**
 * A sender's time bound: `boundSeconds` from now, or `measureSeconds` after the runner relays `warm
 * <measureSeconds>` (the receiver's Meter has warmed up), whichever comes first. The runner gives Node
 * senders a bound of MAX_WARMUP_SECONDS + the measured seconds, so the receiver can warm up as long as it needs.
 */
export class SendDeadline {
  /** Seconds, on `now()`'s clock. */
  at: number

  constructor(boundSeconds: number) {
    this.at = now() + boundSeconds
    void this.#listen()
  }

  async #listen(): Promise<void> {
    for (;;) {
      const line = await nextLine()
      if (line === undefined) return
      const match = /^warm (\d+(?:\.\d+)?)$/.exec(line.trim())
      if (match !== null) {
        this.at = Math.min(this.at, now() + Number(match[1]))
        return
      }
    }
  }
}

/** Command-line arguments by position, with a usage message. */
/** `count` strings, typed as a tuple of that length so tools can destructure without casting. */
type Strings<N extends number, Acc extends string[] = []> = Acc["length"] extends N ? Acc : Strings<N, [...Acc, string]>

export function args<const N extends number>(usage: string, count: N, optional = 0): Strings<N> {
  const values = process.argv.slice(2)
  if (values.length < count || values.length > count + optional) fail(`usage: ${usage}`)
  return values as Strings<N>
}

/** The `index`-th optional argument after `count` required ones (see `args`). */
export function optionalArg(count: number, index = 0): string | undefined {
  return process.argv[2 + count + index]
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

/** A message body of `size` bytes. */
export function body(size: number): Buffer {
  return Buffer.alloc(size, "x")
}

/** Seconds since an arbitrary origin, monotonic. */
export function now(): number {
  return performance.now() / 1000
}

/**
 * Counts received messages after a warm-up, so that a run measures the steady state (JIT-compiled code,
 * established connection) rather than start-up: at least `warmup` seconds after the first message, then until
 * the receive rate stops rising (lib/warm-up.ts); only what arrives from then on counts. Once warm it calls
 * `onWarm`, which by default prints `WARM` so that the runner can tell the sender (`SendDeadline`). A run too
 * short to warm up is measured from its first message instead.
 */
export class Meter {
  readonly #warmUp: WarmUp
  readonly #onWarm: () => void
  #first = 0
  #start = 0
  #seen = 0
  #started = false
  /** Messages since the clock started. */
  #counted = 0
  /** `#seen` when the clock was last read. */
  #unclocked = 0

  constructor(warmupSeconds: number, onWarm: () => void = () => void process.stdout.write("WARM\n")) {
    this.#warmUp = new WarmUp(warmupSeconds)
    this.#onWarm = onWarm
  }

  /** `n` more messages arrived. */
  add(n: number): void {
    if (this.#started) {
      this.#counted += n
      return
    }
    this.#seen += n
    if (this.#first === 0) {
      this.#first = now()
      this.#warmUp.add(0, this.#first)
      return
    }
    const batch = this.#seen - this.#unclocked
    if (batch < 64) return // read the clock every 64 messages while warming up
    this.#unclocked = this.#seen
    const time = now()
    if (this.#warmUp.add(batch, time)) {
      this.#started = true
      this.#start = time
      this.#onWarm()
    }
  }

  get seen(): number {
    return this.#seen + this.#counted
  }

  /** Messages and seconds measured, up to `end` (default: now). */
  result(end = now()): { messages: number; seconds: number; warmedUp: number; warmupSeconds: number; received: number } {
    const received = this.seen
    if (this.#first === 0) return { messages: 0, seconds: 0, warmedUp: 0, warmupSeconds: 0, received }
    if (!this.#started) return { messages: this.#seen - 1, seconds: end - this.#first, warmedUp: 0, warmupSeconds: 0, received }
    return { messages: this.#counted, seconds: end - this.#start, warmedUp: 1, warmupSeconds: this.#start - this.#first, received }
  }
}
