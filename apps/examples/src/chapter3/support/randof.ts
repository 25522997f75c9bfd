/**
 * The Guide's `randof(n)`: a random integer in [0, n). Chapter 3's simulations (asyncsrv's replies,
 * peering's worker counts and cloud routing) are random; with ZMQ_TS_EXAMPLE_SEED=<integer> they are
 * reproducible (the tests set it). Each thread asks for its own `stream` (its thread number), so threads
 * draw different but repeatable sequences. Without a seed, Math.random as the Guide's random().
 */
export type Randof = (n: number) => number

export function randomSource(stream = 0): Randof {
  const seedText = process.env.ZMQ_TS_EXAMPLE_SEED
  if (seedText === undefined || seedText === "" || !Number.isInteger(Number(seedText))) {
    return (n) => Math.floor(Math.random() * n)
  }
  // mulberry32: small, fast and good enough for a simulation; the stream number picks a different start.
  let state = (Math.imul(Number(seedText) | 0, 0x9e3779b1) ^ Math.imul(stream + 1, 0x85ebca6b)) >>> 0
  return (n) => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    const unit = ((t ^ (t >>> 14)) >>> 0) / 4294967296
    return Math.floor(unit * n)
  }
}
