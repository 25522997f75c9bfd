/**
 * The Freelance client's view of its servers (the Guide's server_t and the agent's `servers`/`actives`,
 * flcliapi.c), kept apart from any socket or timer: the caller passes `now` (ms, any monotonic clock) in and
 * asks what is due, so the rules below are tested without waiting.
 *
 * Theory of operation (RFC 10, "Server Reliability"):
 * - A server is *alive* from `add()` (optimistically, as the Guide's agent) and each time anything is heard
 *   from it (a PONG or a reply); it stays alive for `ttl` ms after that. Past its expiry it is dead and is not
 *   offered for requests until it is heard from again.
 * - `alive()` lists the alive servers in preference order: the order they were added, except that a server
 *   that died and came back goes to the back (the Guide's zlist_append on revival).
 * - Every server, alive or dead, gets a PING `pingInterval` ms after the last time it was pinged or heard from
 *   (a dead one is pinged so that its return is noticed).
 */

interface ServerEntry {
  readonly endpoint: string
  alive: boolean
  /** When it dies unless heard from: last heard (or added) + ttl. */
  expires: number
  /** When it is due a PING: last pinged or heard + pingInterval. */
  pingAt: number
}

/** @internal What `heard()` found: a server back to life, one still alive, or an identity not in the table. */
export type HeardResult = "revived" | "refreshed" | "unknown"

/** @internal */
export class FreelanceServerTable {
  readonly #pingInterval: number
  readonly #ttl: number
  readonly #servers = new Map<string, ServerEntry>()
  /** Alive servers, in preference order (the Guide's `actives`). */
  #actives: ServerEntry[] = []

  constructor(pingInterval: number, ttl: number) {
    this.#pingInterval = pingInterval
    this.#ttl = ttl
  }

  get size(): number {
    return this.#servers.size
  }

  has(endpoint: string): boolean {
    return this.#servers.has(endpoint)
  }

  /** Every server, in the order added. */
  endpoints(): string[] {
    return [...this.#servers.keys()]
  }

  /** Adds a server, alive until `now + ttl` unless heard from. False if it is already in the table. */
  add(endpoint: string, now: number): boolean {
    if (this.#servers.has(endpoint)) return false
    const entry: ServerEntry = { endpoint, alive: true, expires: now + this.#ttl, pingAt: now + this.#pingInterval }
    this.#servers.set(endpoint, entry)
    this.#actives.push(entry)
    return true
  }

  /** Something arrived from `endpoint` at `now`: it is alive for another ttl, and needs no PING for a while. */
  heard(endpoint: string, now: number): HeardResult {
    const entry = this.#servers.get(endpoint)
    if (entry === undefined) return "unknown"
    entry.expires = now + this.#ttl
    entry.pingAt = now + this.#pingInterval
    if (entry.alive) return "refreshed"
    entry.alive = true
    this.#actives.push(entry)
    return "revived"
  }

  /** Marks dead every alive server whose ttl has run out by `now`; returns them (each once, when it dies). */
  expire(now: number): string[] {
    const dead: string[] = []
    this.#actives = this.#actives.filter((entry) => {
      if (now < entry.expires) return true
      entry.alive = false
      dead.push(entry.endpoint)
      return false
    })
    return dead
  }

  /** True if `endpoint` is in the table and alive at `now` (heard from, or added, less than ttl ago). */
  isAlive(endpoint: string, now: number): boolean {
    const entry = this.#servers.get(endpoint)
    return entry !== undefined && entry.alive && now < entry.expires
  }

  /** The servers alive at `now`, most preferred first. Call `expire(now)` first to drop the dead ones. */
  alive(now: number): string[] {
    return this.#actives.filter((entry) => now < entry.expires).map((entry) => entry.endpoint)
  }

  /** The servers due a PING at `now`; each is rescheduled `pingInterval` later (as if the PING was sent). */
  duePings(now: number): string[] {
    const due: string[] = []
    for (const entry of this.#servers.values()) {
      if (now < entry.pingAt) continue
      due.push(entry.endpoint)
      entry.pingAt = now + this.#pingInterval
    }
    return due
  }

  /** The earliest moment something is due: a PING, or an alive server's expiry (the Guide's tickless timer). */
  nextDue(): number {
    let next = Infinity
    for (const entry of this.#servers.values()) {
      next = Math.min(next, entry.pingAt)
      if (entry.alive) next = Math.min(next, entry.expires)
    }
    return next
  }
}
