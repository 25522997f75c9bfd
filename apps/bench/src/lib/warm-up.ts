/**
 * When a run has warmed up. A fixed warm-up measured a JIT-compiled implementation before its code was
 * compiled: on a 2-core AMD EPYC guest, zmq-ts's REQ↔REP round trip takes 250 µs at first and 45 µs from about
 * 0.7 s on (the raw `net` ping-pong settles in 0.3 s), and a PUSH→PULL ws 64 B rate climbs from 1.8 to 2.6 M/s
 * over its first second, so the bench's 0.3 s and 0.5 s warm-ups reported 2–3× the steady round trip and
 * 10–30 % less than the steady rate (decision 0021). Now every run warms up for at least its `warmup`
 * seconds and then until its rate stops rising: windows of WINDOW_SECONDS, warm once STEADY_WINDOWS windows in
 * a row come within GAIN of the best window before them, or at MAX_WARMUP_SECONDS whatever the rate does.
 * The same rule holds for every implementation; libzmq C is steady from its first windows.
 */
const WINDOW_SECONDS = 0.1
const STEADY_WINDOWS = 3
const GAIN = 1.03
export const MAX_WARMUP_SECONDS = 3

export class WarmUp {
  readonly #minimum: number
  #first: number | undefined
  #windowStart = 0
  #windowEvents = 0
  #best = 0
  #steady = 0
  #warm = false

  constructor(minimumSeconds: number) {
    this.#minimum = Math.min(minimumSeconds, MAX_WARMUP_SECONDS)
  }

  /** `events` more round trips or messages, seen at `time` (seconds); true once warm. */
  add(events: number, time: number): boolean {
    if (this.#warm) return true
    if (this.#first === undefined) {
      this.#first = time
      this.#windowStart = time
      return false
    }
    this.#windowEvents += events
    const length = time - this.#windowStart
    if (length < WINDOW_SECONDS) return false
    const rate = this.#windowEvents / length
    this.#steady = rate < this.#best * GAIN ? this.#steady + 1 : 0
    this.#best = Math.max(this.#best, rate)
    this.#windowStart = time
    this.#windowEvents = 0
    const elapsed = time - this.#first
    this.#warm = (elapsed >= this.#minimum && this.#steady >= STEADY_WINDOWS) || elapsed >= MAX_WARMUP_SECONDS
    return this.#warm
  }
}
