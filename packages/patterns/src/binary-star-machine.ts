/**
 * The Binary Star finite-state machine (the Guide, chapter 4, "High-Availability Pair"; bstar.c's
 * s_execute_fsm), sans-IO: no sockets, no timers. The caller feeds it events with the time they happened
 * (`now`, in ms of any monotonic clock) and does what the outcome says.
 *
 * Theory of operation. Two servers, a primary and a backup, each publish their state to the other every
 * heartbeat and subscribe to the other's. A server starts PRIMARY or BACKUP ("waiting for the peer") and
 * settles as ACTIVE (it answers clients) or PASSIVE (it does not):
 *
 *   PRIMARY  + PEER_BACKUP     → ACTIVE    "connected to backup (passive), ready as active"
 *   PRIMARY  + PEER_ACTIVE     → PASSIVE   "connected to backup (active), ready as passive"
 *   PRIMARY  + CLIENT_REQUEST  → ACTIVE if the peer has been silent for 2 heartbeats, else rejected
 *   BACKUP   + PEER_ACTIVE     → PASSIVE   "connected to primary (active), ready as passive"
 *   BACKUP   + CLIENT_REQUEST  → rejected
 *   ACTIVE   + PEER_ACTIVE     → fatal     "dual actives" (split brain)
 *   ACTIVE   + CLIENT_REQUEST  → accepted
 *   PASSIVE  + PEER_PRIMARY    → ACTIVE    "primary (passive) is restarting, ready as active"
 *   PASSIVE  + PEER_BACKUP     → ACTIVE    "backup (passive) is restarting, ready as active"
 *   PASSIVE  + PEER_PASSIVE    → fatal     "dual passives" (nobody would answer)
 *   PASSIVE  + CLIENT_REQUEST  → ACTIVE ("failover") if the peer has been silent for 2 heartbeats, else rejected
 *   anything else              → no change (a peer event is accepted, a client request too only if ACTIVE)
 *
 * The split-brain rule is the last row's: a passive server takes over only when BOTH a client asks it (the
 * client's "vote": it could not reach the other server) AND it has heard nothing from its peer for two
 * heartbeats. Peer silence alone never makes a server active, and neither does a client alone.
 *
 * PRIMARY + CLIENT_REQUEST follows bstar.c (the reactor), which refines bstarsrv.c (where a PRIMARY answers
 * at once): a restarted primary must not answer while a backup that took over may still be active.
 */
import { checkCount } from "./wait.js"

/** The states a server can be in, with bstar.c's numbers (they are what goes on the wire). */
export const BinaryStarState = {
  /** Primary, waiting for its peer. */
  PRIMARY: 1,
  /** Backup, waiting for its peer. */
  BACKUP: 2,
  /** Active: accepts client requests. */
  ACTIVE: 3,
  /** Passive: rejects client requests, takes over if the active disappears. */
  PASSIVE: 4,
} as const
export type BinaryStarState = (typeof BinaryStarState)[keyof typeof BinaryStarState]

/** The events: the first four are the peer's states as it published them (same numbers), then a client request. */
export const BinaryStarEvent = {
  PEER_PRIMARY: 1,
  PEER_BACKUP: 2,
  PEER_ACTIVE: 3,
  PEER_PASSIVE: 4,
  CLIENT_REQUEST: 5,
} as const
export type BinaryStarEvent = (typeof BinaryStarEvent)[keyof typeof BinaryStarEvent]

/** A state's name, for logs: "PRIMARY", "ACTIVE"… */
export function binaryStarStateName(state: BinaryStarState): keyof typeof BinaryStarState {
  return (Object.keys(BinaryStarState) as Array<keyof typeof BinaryStarState>).find((name) => BinaryStarState[name] === state)!
}

/** bstar.c's BSTAR_HEARTBEAT: state goes to the peer this often (ms); 2 heartbeats of silence = peer dead. */
export const DEFAULT_BINARY_STAR_HEARTBEAT = 1000

/** What applying one event did. */
export interface BinaryStarOutcome {
  /**
   * For CLIENT_REQUEST: true if the request may be served (the server is, or just became, ACTIVE); false if
   * it must be dropped. For peer events: false only when fatal.
   */
  readonly accepted: boolean
  /** Set when the pair is broken (two actives, or two passives): the server must stop. */
  readonly fatal?: "dual-actives" | "dual-passives"
  /** The state before the event; equal to `state` if nothing changed. */
  readonly previous: BinaryStarState
  /** The state after the event. */
  readonly state: BinaryStarState
  /** The Guide's log line for what happened, if anything did ("I: failover successful, ready as active"). */
  readonly message?: string
}

export interface BinaryStarMachineOptions {
  /** BSTAR_HEARTBEAT in ms. Default 1000. Must be the same on both servers. */
  readonly heartbeat?: number
}

/**
 * One server's side of a Binary Star pair. `start(now)` once, then `handle(event, now)` for each event; after
 * each peer event also call `peerSeen(now)` (the reactor does both in `receivePeerState`), and publish
 * `state` whenever `heartbeatDue(now)` says so.
 */
export class BinaryStarMachine {
  readonly heartbeat: number
  readonly role: "primary" | "backup"
  #state: BinaryStarState
  /** When the peer is considered dead (bstar.c's peer_expiry): 2 heartbeats after we last heard it. */
  #peerExpiry = 0
  #nextHeartbeat = 0

  constructor(role: "primary" | "backup", options: BinaryStarMachineOptions = {}) {
    this.role = role
    this.heartbeat = checkCount("heartbeat", options.heartbeat ?? DEFAULT_BINARY_STAR_HEARTBEAT, 1)
    this.#state = role === "primary" ? BinaryStarState.PRIMARY : BinaryStarState.BACKUP
  }

  get state(): BinaryStarState {
    return this.#state
  }

  /** When the peer will be considered dead, if nothing more is heard from it. */
  get peerExpiry(): number {
    return this.#peerExpiry
  }

  /** Starts the clocks (bstar_start): the peer counts as alive for 2 heartbeats from now. */
  start(now: number): void {
    this.#peerExpiry = now + 2 * this.heartbeat
    this.#nextHeartbeat = now + this.heartbeat
  }

  /** The peer's state arrived (any valid message from it): it is alive for 2 more heartbeats. */
  peerSeen(now: number): void {
    this.#peerExpiry = now + 2 * this.heartbeat
  }

  /** Applies the peer's published state (bstar.c's s_recv_state): the event, then the peer's new expiry. */
  receivePeerState(peer: BinaryStarState, now: number): BinaryStarOutcome {
    const outcome = this.handle(peer, now)
    this.peerSeen(now)
    return outcome
  }

  /** Applies a client request (bstar.c's s_voter_ready): `accepted` says whether to serve it. */
  clientRequest(now: number): BinaryStarOutcome {
    return this.handle(BinaryStarEvent.CLIENT_REQUEST, now)
  }

  /** ms until our state is next due to the peer (0 = now). */
  timeout(now: number): number {
    return Math.max(0, this.#nextHeartbeat - now)
  }

  /**
   * If a heartbeat is due, returns the state to publish (and schedules the next one); else undefined. The
   * state exchange is the only thing time drives: a silent peer changes nothing until a client asks.
   */
  heartbeatDue(now: number): BinaryStarState | undefined {
    if (now < this.#nextHeartbeat) return undefined
    this.#nextHeartbeat = now + this.heartbeat
    return this.#state
  }

  /** Applies one event at `now` (bstar.c's s_execute_fsm). */
  handle(event: BinaryStarEvent, now: number): BinaryStarOutcome {
    const previous = this.#state
    const result = (accepted: boolean, next: BinaryStarState = previous, message?: string, fatal?: "dual-actives" | "dual-passives"): BinaryStarOutcome => {
      this.#state = next
      return { accepted, previous, state: next, ...(message === undefined ? {} : { message }), ...(fatal === undefined ? {} : { fatal }) }
    }
    const peerDead = now >= this.#peerExpiry
    const client = event === BinaryStarEvent.CLIENT_REQUEST
    switch (previous) {
      case BinaryStarState.PRIMARY:
        if (event === BinaryStarEvent.PEER_BACKUP) return result(true, BinaryStarState.ACTIVE, "I: connected to backup (passive), ready as active")
        if (event === BinaryStarEvent.PEER_ACTIVE) return result(true, BinaryStarState.PASSIVE, "I: connected to backup (active), ready as passive")
        if (client) {
          // Wait until a backup that may have taken over (a failback) would have been heard from.
          return peerDead ? result(true, BinaryStarState.ACTIVE, "I: request from client, ready as active") : result(false)
        }
        return result(true)
      case BinaryStarState.BACKUP:
        if (event === BinaryStarEvent.PEER_ACTIVE) return result(true, BinaryStarState.PASSIVE, "I: connected to primary (active), ready as passive")
        return result(!client)
      case BinaryStarState.ACTIVE:
        if (event === BinaryStarEvent.PEER_ACTIVE) return result(false, previous, "E: fatal error - dual actives, aborting", "dual-actives")
        return result(true)
      case BinaryStarState.PASSIVE:
        if (event === BinaryStarEvent.PEER_PRIMARY) return result(true, BinaryStarState.ACTIVE, "I: primary (passive) is restarting, ready as active")
        if (event === BinaryStarEvent.PEER_BACKUP) return result(true, BinaryStarState.ACTIVE, "I: backup (passive) is restarting, ready as active")
        if (event === BinaryStarEvent.PEER_PASSIVE) return result(false, previous, "E: fatal error - dual passives, aborting", "dual-passives")
        if (client) {
          // The client's vote: it could not reach the active. Take over only if the peer is silent too.
          return peerDead ? result(true, BinaryStarState.ACTIVE, "I: failover successful, ready as active") : result(false)
        }
        return result(true)
    }
  }
}

/** @internal Parses a peer's state message ("1".."4", bstarsrv.c's "%d"); undefined if it is not one. */
export function parseBinaryStarState(frame: Buffer | undefined): BinaryStarState | undefined {
  if (frame === undefined) return undefined
  const text = frame.toString("latin1").replace(/\0+$/, "").trim()
  if (!/^[1-4]$/.test(text)) return undefined
  return Number(text) as BinaryStarState
}
