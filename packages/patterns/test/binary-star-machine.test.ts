/**
 * The Binary Star state machine, sans-IO, against a model written from the chapter's FSM figure (Figure 54)
 * and its text ("Client Vote" = a client request AND the peer silent for two heartbeats).
 *
 * Property: for any role, heartbeat, and sequence of peer states, client requests, heartbeat ticks and
 * pauses (a dead or partitioned peer is a long pause with no peer events), the machine's state, whether it
 * accepts each request, its fatal verdicts, and the states it publishes match the model; and it never
 * turns active from PASSIVE/BACKUP except on the Guide's rows.
 */
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { BinaryStarEvent, BinaryStarMachine, BinaryStarState } from "../src/index.js"

const { PRIMARY, BACKUP, ACTIVE, PASSIVE } = BinaryStarState
const { PEER_PRIMARY, PEER_BACKUP, PEER_ACTIVE, PEER_PASSIVE, CLIENT_REQUEST } = BinaryStarEvent

type Step =
  | { readonly kind: "peer"; readonly peer: BinaryStarState; readonly after: number }
  | { readonly kind: "client"; readonly after: number }
  | { readonly kind: "tick"; readonly after: number }

/** The chapter's table, as a lookup: [state, event] → next state, or "fatal", or "vote" (needs the client vote). */
const TABLE: ReadonlyMap<string, BinaryStarState | "fatal" | "vote" | "reject"> = new Map<string, BinaryStarState | "fatal" | "vote" | "reject">([
  [`${PRIMARY}:${PEER_BACKUP}`, ACTIVE],
  [`${PRIMARY}:${PEER_ACTIVE}`, PASSIVE],
  [`${PRIMARY}:${CLIENT_REQUEST}`, "vote"], // bstar.c: a primary waits out a possible failback
  [`${BACKUP}:${PEER_ACTIVE}`, PASSIVE],
  [`${BACKUP}:${CLIENT_REQUEST}`, "reject"],
  [`${ACTIVE}:${PEER_ACTIVE}`, "fatal"],
  [`${PASSIVE}:${PEER_PRIMARY}`, ACTIVE],
  [`${PASSIVE}:${PEER_BACKUP}`, ACTIVE],
  [`${PASSIVE}:${PEER_PASSIVE}`, "fatal"],
  [`${PASSIVE}:${CLIENT_REQUEST}`, "vote"],
])

interface Model {
  state: BinaryStarState
  lastHeard: number
  nextBeat: number
  dead: boolean
}

const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant("peer" as const), peer: fc.constantFrom<BinaryStarState>(PRIMARY, BACKUP, ACTIVE, PASSIVE), after: fc.integer({ min: 0, max: 150 }) }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant("client" as const), after: fc.integer({ min: 0, max: 400 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("tick" as const), after: fc.integer({ min: 0, max: 400 }) }) },
)

const scenario = fc.record({
  primary: fc.boolean(),
  heartbeat: fc.integer({ min: 10, max: 100 }),
  start: fc.integer({ min: 0, max: 1_000_000 }),
  steps: fc.array(step, { minLength: 1, maxLength: 60 }),
})

type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never

function check(make: (role: "primary" | "backup", heartbeat: number) => BinaryStarMachine) {
  return (s: Scenario): void => {
    const machine = make(s.primary ? "primary" : "backup", s.heartbeat)
    let now = s.start
    machine.start(now)
    const model: Model = { state: s.primary ? PRIMARY : BACKUP, lastHeard: now, nextBeat: now + s.heartbeat, dead: false }
    for (const st of s.steps) {
      now += st.after
      if (model.dead) break
      const before = model.state
      if (st.kind === "tick") {
        const published = machine.heartbeatDue(now)
        if (now >= model.nextBeat) {
          expect(published).toBe(model.state)
          model.nextBeat = now + s.heartbeat
        } else expect(published).toBeUndefined()
      } else {
        const event: BinaryStarEvent = st.kind === "client" ? CLIENT_REQUEST : st.peer
        const rule = TABLE.get(`${model.state}:${event}`)
        const silent = now >= model.lastHeard + 2 * s.heartbeat
        const outcome = st.kind === "client" ? machine.clientRequest(now) : machine.receivePeerState(st.peer, now)
        let accepted: boolean
        if (rule === "fatal") {
          expect(outcome.fatal).toBe(event === PEER_ACTIVE ? "dual-actives" : "dual-passives")
          model.dead = true
          accepted = false
        } else if (rule === "vote") {
          accepted = silent
          if (silent) model.state = ACTIVE
        } else if (rule === "reject") {
          accepted = false
        } else {
          if (rule !== undefined) model.state = rule
          accepted = event !== CLIENT_REQUEST || model.state === ACTIVE
        }
        if (rule !== "fatal") expect(outcome.fatal).toBeUndefined()
        expect(outcome.accepted).toBe(accepted)
        expect(outcome.previous).toBe(before)
        if (st.kind === "peer") model.lastHeard = now
      }
      expect(machine.state).toBe(model.state)
    }
  }
}

const correct = (role: "primary" | "backup", heartbeat: number): BinaryStarMachine => new BinaryStarMachine(role, { heartbeat })

/** Seeded mutation 1: a passive that takes over on peer silence alone (no client vote), at its heartbeat. */
class FailoverOnSilence extends BinaryStarMachine {
  override heartbeatDue(now: number): BinaryStarState | undefined {
    if (this.state === PASSIVE && now >= this.peerExpiry) this.handle(CLIENT_REQUEST, now)
    return super.heartbeatDue(now)
  }
}

/** Seeded mutation 2: a passive that takes over on any client request, its peer alive or not. */
class FailoverOnClientAlone extends BinaryStarMachine {
  override clientRequest(now: number) {
    return this.handle(CLIENT_REQUEST, this.state === PASSIVE ? Math.max(now, this.peerExpiry) : now)
  }
}

describe("BinaryStarMachine", () => {
  it("follows the chapter's state table, with the client vote as the only way from passive to active", () => {
    fc.assert(fc.property(scenario, check(correct)), { numRuns: 2000 })
  })

  it("catches a seeded mutation: a passive that becomes active on peer silence alone", () => {
    const result = fc.check(fc.property(scenario, check((role, heartbeat) => new FailoverOnSilence(role, { heartbeat }))), { numRuns: 2000 })
    expect(result.failed).toBe(true)
  })

  it("catches a seeded mutation: a passive that becomes active on a client request while its peer is alive", () => {
    const result = fc.check(fc.property(scenario, check((role, heartbeat) => new FailoverOnClientAlone(role, { heartbeat }))), { numRuns: 2000 })
    expect(result.failed).toBe(true)
  })

  it("tells the Guide's story: primary and backup settle, the primary dies, a client vote fails over", () => {
    const primary = new BinaryStarMachine("primary", { heartbeat: 1000 })
    const backup = new BinaryStarMachine("backup", { heartbeat: 1000 })
    primary.start(0)
    backup.start(0)
    expect(backup.clientRequest(10).accepted).toBe(false) // backup rejects while waiting
    expect(primary.receivePeerState(BACKUP, 1000).message).toBe("I: connected to backup (passive), ready as active")
    expect(backup.receivePeerState(ACTIVE, 1000).message).toBe("I: connected to primary (active), ready as passive")
    expect(primary.clientRequest(1100).accepted).toBe(true)
    // The primary dies at 1500: its last state reached the backup at 1000. Silence alone changes nothing.
    expect(backup.heartbeatDue(5000)).toBe(PASSIVE)
    expect(backup.state).toBe(PASSIVE)
    expect(backup.clientRequest(2500).accepted).toBe(false) // peer heard at 1000: alive until 3000
    const vote = backup.clientRequest(3000)
    expect(vote).toMatchObject({ accepted: true, previous: PASSIVE, state: ACTIVE, message: "I: failover successful, ready as active" })
    // The primary restarts: it sees an active backup and goes passive (recovery is manual).
    const restarted = new BinaryStarMachine("primary", { heartbeat: 1000 })
    restarted.start(10_000)
    expect(restarted.clientRequest(10_500).accepted).toBe(false) // a possible failback: wait
    expect(restarted.receivePeerState(ACTIVE, 11_000).state).toBe(PASSIVE)
    expect(backup.receivePeerState(PASSIVE, 11_000).accepted).toBe(true)
    expect(backup.receivePeerState(ACTIVE, 12_000)).toMatchObject({ fatal: "dual-actives", message: "E: fatal error - dual actives, aborting" })
  })
})
