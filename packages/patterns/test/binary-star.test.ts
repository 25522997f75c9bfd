/**
 * The Binary Star reactor over real tcp sockets, with a short heartbeat:
 *
 *   Lazy-Pirate client (REQ) ──▶ primary voter ROUTER   ═ PUB/SUB state (through a cuttable tcp relay) ═   backup voter ROUTER ◀── (after failover)
 *
 * Failover on the primary's death needs a client request (the vote); no client → nobody takes over; a
 * partition of the state link while clients reach the primary gives no second active; dual actives abort.
 */
import { createServer, connect, type Server as NetServer, type Socket as NetSocket } from "node:net"
import { Context, Poller, Request } from "@zmq-ts/core"
import fc from "fast-check"
import { afterEach, describe, expect, it } from "vitest"
import {
  BinaryStar,
  BinaryStarEvent,
  BinaryStarMachine,
  BinaryStarState,
  PatternError,
  PatternErrorCode,
  type BinaryStarEventReport,
} from "../src/index.js"
import { fixedAddress, sleep, within } from "./helpers/endpoints.js"

const HEARTBEAT = 60
const { ACTIVE, PASSIVE, PRIMARY, BACKUP } = BinaryStarState

/** A tcp relay from `listen` to `target` that can be cut (connections dropped, new ones refused) and healed. */
class Relay {
  readonly #sockets = new Set<NetSocket>()
  #server: NetServer | undefined
  constructor(
    readonly port: number,
    readonly target: number,
  ) {}
  async open(): Promise<void> {
    const server = createServer((incoming) => {
      const outgoing = connect(this.target, "127.0.0.1")
      for (const s of [incoming, outgoing]) {
        this.#sockets.add(s)
        s.on("error", () => {})
        s.on("close", () => {
          this.#sockets.delete(s)
          incoming.destroy()
          outgoing.destroy()
        })
      }
      incoming.pipe(outgoing)
      outgoing.pipe(incoming)
    })
    this.#server = server
    await new Promise<void>((resolve) => server.listen(this.port, "127.0.0.1", resolve))
  }
  async cut(): Promise<void> {
    const server = this.#server
    this.#server = undefined
    for (const s of this.#sockets) s.destroy()
    if (server !== undefined) await new Promise<void>((resolve) => server.close(() => resolve()))
  }
}

interface Server {
  readonly name: string
  readonly star: BinaryStar
  readonly events: BinaryStarEventReport[]
  readonly endpoint: string
}

interface Pair {
  readonly primary: Server
  readonly backup: Server
  readonly relays: Relay[]
  cut(): Promise<void>
  heal(): Promise<void>
  restart(which: "primary" | "backup"): Promise<Server>
}

const cleanups: Array<() => Promise<void> | void> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

async function startServer(name: string, primary: boolean, local: string, remote: string, voter: string, context: Context, machine?: BinaryStarMachine): Promise<Server> {
  const events: BinaryStarEventReport[] = []
  const star = new BinaryStar({ primary, local, remote, heartbeat: HEARTBEAT, context, onEvent: (e) => events.push(e), ...(machine === undefined ? {} : { machine }) })
  // Echo, tagged with who answered.
  star.voter(voter, "router", async (message, socket) => {
    await socket.send([...message, name])
  })
  await star.start()
  cleanups.push(() => star.stop().catch(() => {}))
  return { name, star, events, endpoint: voter.replace("*", "127.0.0.1") }
}

/** Two servers whose state links go through relays (so the pair can be partitioned). */
async function startPair(options: { backupMachine?: BinaryStarMachine } = {}): Promise<Pair> {
  const context = new Context()
  cleanups.push(() => context.terminate())
  const port = async (): Promise<number> => Number((await fixedAddress("tcp", "bstar")).split(":").pop())
  const [pPub, bPub, pRelay, bRelay, pVoter, bVoter] = [await port(), await port(), await port(), await port(), await port(), await port()]
  // The primary subscribes to the backup's PUB through bRelay, and vice versa.
  const relays = [new Relay(pRelay, pPub), new Relay(bRelay, bPub)]
  for (const relay of relays) {
    await relay.open()
    cleanups.push(() => relay.cut())
  }
  const make = (which: "primary" | "backup", machine?: BinaryStarMachine): Promise<Server> =>
    which === "primary"
      ? startServer("primary", true, `tcp://127.0.0.1:${pPub}`, `tcp://127.0.0.1:${bRelay}`, `tcp://127.0.0.1:${pVoter}`, context)
      : startServer("backup", false, `tcp://127.0.0.1:${bPub}`, `tcp://127.0.0.1:${pRelay}`, `tcp://127.0.0.1:${bVoter}`, context, machine)
  const primary = await make("primary")
  const backup = await make("backup", options.backupMachine)
  return {
    primary,
    backup,
    relays,
    cut: async () => {
      for (const relay of relays) await relay.cut()
    },
    heal: async () => {
      for (const relay of relays) await relay.open()
    },
    restart: (which) => make(which),
  }
}

/** The Guide's bstarcli: Lazy Pirate with failover between the two servers; returns who answered. */
class FailoverClient {
  #socket: Request | undefined
  #server = 0
  sequence = 0
  readonly answers: string[] = []
  readonly failovers: number[] = []
  constructor(
    readonly servers: readonly string[],
    readonly context: Context,
    readonly timeout = HEARTBEAT * 5,
    readonly settle = HEARTBEAT * 3,
  ) {
    this.#open()
    cleanups.push(() => {
      this.#socket?.close()
      this.context.terminate()
    })
  }
  #open(): void {
    this.#socket = new Request({ context: this.context, linger: 0 })
    this.#socket.connect(this.servers[this.#server]!)
  }
  /** One request; fails over up to `tries` times. Returns the name of the server that answered. */
  async request(tries = 6): Promise<string | undefined> {
    const request = String(++this.sequence)
    await this.#socket!.send(request)
    for (let attempt = 0; attempt < tries; attempt++) {
      const ready = await new Poller().add(this.#socket!).poll(this.timeout)
      if (ready.length > 0) {
        const [reply, from] = await this.#socket!.receive()
        expect(reply!.toString()).toBe(request)
        this.answers.push(from!.toString())
        return from!.toString()
      }
      this.failovers.push(this.sequence)
      this.#socket!.close()
      this.#server = (this.#server + 1) % this.servers.length
      await sleep(this.settle)
      this.#open()
      await this.#socket!.send(request)
    }
    return undefined
  }
}

const states = (server: Server): BinaryStarState[] => server.events.flatMap((e) => (e.type === "state" ? [e.state] : []))

async function settled(pair: Pair): Promise<void> {
  await within(
    (async () => {
      while (!(pair.primary.star.serverState === ACTIVE && pair.backup.star.serverState === PASSIVE)) await sleep(10)
    })(),
    5000,
    "primary active and backup passive",
  )
}

describe("BinaryStar", () => {
  it("fails over to the backup on the next client request once the primary is killed, and only then", async () => {
    const pair = await startPair()
    await settled(pair)
    const client = new FailoverClient([pair.primary.endpoint, pair.backup.endpoint], new Context())
    for (let i = 0; i < 3; i++) expect(await client.request()).toBe("primary")
    await pair.primary.star.stop() // the primary dies
    await sleep(HEARTBEAT * 6)
    expect(pair.backup.star.serverState).toBe(PASSIVE) // silence alone: still passive
    expect(await client.request()).toBe("backup")
    expect(client.failovers).toHaveLength(1)
    expect(pair.backup.events.find((e) => e.type === "state" && e.state === ACTIVE)).toMatchObject({ message: "I: failover successful, ready as active" })
    for (let i = 0; i < 3; i++) expect(await client.request()).toBe("backup")
    // Recovery: the primary comes back, sees an active backup and goes passive (recovery is manual).
    const restarted = await pair.restart("primary")
    await within((async () => { while (restarted.star.serverState !== PASSIVE) await sleep(10) })(), 5000, "restarted primary passive")
    expect(await client.request()).toBe("backup")
    expect(pair.backup.star.serverState).toBe(ACTIVE)
  }, 20_000)

  it("with no client, neither server goes active by itself: alone each waits, paired the backup stays passive after the primary dies", async () => {
    const context = new Context()
    cleanups.push(() => context.terminate())
    const [a, b, c, d] = [await fixedAddress("tcp", "x"), await fixedAddress("tcp", "x"), await fixedAddress("tcp", "x"), await fixedAddress("tcp", "x")]
    const lonePrimary = await startServer("primary", true, a, b, c, context)
    await sleep(HEARTBEAT * 6)
    expect(lonePrimary.star.serverState).toBe(PRIMARY)
    await lonePrimary.star.stop()
    const loneBackup = await startServer("backup", false, b, a, d, context)
    await sleep(HEARTBEAT * 6)
    expect(loneBackup.star.serverState).toBe(BACKUP)
    await loneBackup.star.stop()

    const pair = await startPair()
    await settled(pair)
    await pair.primary.star.stop()
    await sleep(HEARTBEAT * 10)
    expect(pair.backup.star.serverState).toBe(PASSIVE)
    expect(states(pair.backup)).toEqual([PASSIVE])
  }, 20_000)

  it("a partition of the state link while the client reaches the primary gives no second active", async () => {
    const pair = await startPair()
    await settled(pair)
    const client = new FailoverClient([pair.primary.endpoint, pair.backup.endpoint], new Context())
    await pair.cut()
    await sleep(HEARTBEAT)
    const heard = pair.backup.events.filter((e) => e.type === "peer").length
    for (let i = 0; i < 8; i++) {
      expect(await client.request()).toBe("primary")
      await sleep(HEARTBEAT)
    }
    expect(pair.backup.events.filter((e) => e.type === "peer").length).toBe(heard) // the link really was cut
    expect(pair.backup.star.serverState).toBe(PASSIVE)
    await pair.heal()
    await sleep(HEARTBEAT * 4)
    expect(await client.request()).toBe("primary")
    expect(new Set(client.answers)).toEqual(new Set(["primary"]))
    expect(states(pair.primary)).toEqual([ACTIVE])
    expect(states(pair.backup)).toEqual([PASSIVE])
    expect(pair.primary.star.state).toBe("running")
    expect(pair.backup.star.state).toBe("running")
  }, 20_000)

  it("two actives (a misdesigned partition: a client voted on each side) abort with ERR_PATTERN_PEER_CONFLICT when they meet", async () => {
    const pair = await startPair()
    await settled(pair)
    await pair.cut()
    await sleep(HEARTBEAT * 3)
    const client = new FailoverClient([pair.backup.endpoint], new Context(), HEARTBEAT * 5, HEARTBEAT)
    expect(await client.request()).toBe("backup") // the backup's island votes
    await pair.heal()
    // Whichever hears the other first aborts (the other may then hear nothing more, and go on alone).
    const failure = await within(
      Promise.race([pair.primary.star.done().then(() => undefined, (e: unknown) => e), pair.backup.star.done().then(() => undefined, (e: unknown) => e)]),
      5000,
      "a server to abort",
    )
    expect(PatternError.isInstance(failure) && failure.code === PatternErrorCode.PEER_CONFLICT).toBe(true)
    const fatal = [...pair.primary.events, ...pair.backup.events].find((e) => e.type === "fatal")
    expect(fatal).toMatchObject({ reason: "dual-actives", message: "E: fatal error - dual actives, aborting" })
  }, 20_000)

  it("property: servers killed and restarted at random, a client voting — only the Guide's rows make a server active, and the client is always answered", async () => {
    type Action = { readonly kind: "request" } | { readonly kind: "kill" } | { readonly kind: "restart" } | { readonly kind: "pause"; readonly ms: number }
    const action = fc.oneof(
      { weight: 3, arbitrary: fc.constant<Action>({ kind: "request" }) },
      { weight: 2, arbitrary: fc.constant<Action>({ kind: "kill" }) },
      { weight: 2, arbitrary: fc.constant<Action>({ kind: "restart" }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant("pause" as const), ms: fc.integer({ min: 0, max: HEARTBEAT * 4 }) }) },
    )
    await fc.assert(
      fc.asyncProperty(fc.array(action, { minLength: 2, maxLength: 6 }), async (actions) => {
        try {
          const pair = await startPair()
          const started = new Map<Server, number>([[pair.primary, performance.now() - 1], [pair.backup, performance.now() - 1]])
          const live = new Map<"primary" | "backup", Server>([["primary", pair.primary], ["backup", pair.backup]])
          const dead = new Set<"primary" | "backup">()
          const all: Server[] = [pair.primary, pair.backup]
          const client = new FailoverClient([pair.primary.endpoint, pair.backup.endpoint], new Context())
          const pairSettled = async (): Promise<void> => {
            await within((async () => {
              for (;;) {
                const s = [...live.values()].map((server) => server.star.serverState).sort()
                if (s.length === 2 ? s[0] === ACTIVE && s[1] === PASSIVE : s[0] === ACTIVE) return
                if (s.length === 1 && s[0] === PASSIVE) return // a lone passive waits for a vote
                await sleep(10)
              }
            })(), 5000, "the pair to settle")
          }
          for (const a of actions) {
            if (a.kind === "request") {
              expect(await client.request(8)).toBeDefined()
            } else if (a.kind === "kill") {
              if (dead.size > 0) continue
              await pairSettled()
              const which = [...live.entries()].find(([, server]) => server.star.active)![0]
              await live.get(which)!.star.stop()
              live.delete(which)
              dead.add(which)
            } else if (a.kind === "restart") {
              const [which] = [...dead]
              if (which === undefined) continue
              const at = performance.now() - 1
              const server = await pair.restart(which)
              started.set(server, at)
              all.push(server)
              live.set(which, server)
              dead.delete(which)
            } else await sleep(a.ms)
          }
          expect(await client.request(8)).toBeDefined()
          for (const server of all) {
            const events = server.events
            events.forEach((e, i) => {
              if (e.type === "request") expect(e.state).toBe(ACTIVE)
              if (e.type !== "state" || e.state !== ACTIVE) return
              const cause = events[i - 1]
              if (cause?.type === "peer") {
                expect(e.previous === PRIMARY ? [BACKUP] : [PRIMARY, BACKUP]).toContain(cause.peer)
                return
              }
              // The client vote: this very request, and the peer silent for 2 heartbeats before it.
              expect(events[i + 1]).toMatchObject({ type: "request", at: e.at })
              const heard = events.slice(0, i).filter((x) => x.type === "peer").map((x) => x.at)
              const last = Math.max(started.get(server)!, ...heard)
              expect(e.at - last).toBeGreaterThanOrEqual(2 * HEARTBEAT)
            })
            expect(events.some((e) => e.type === "fatal")).toBe(false)
          }
        } finally {
          for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
        }
      }),
      { numRuns: 4 },
    )
  }, 30_000)

  it("catches a seeded mutation over the network: a backup that takes over on peer silence alone", async () => {
    class FailoverOnSilence extends BinaryStarMachine {
      override heartbeatDue(now: number): BinaryStarState | undefined {
        if (this.state === PASSIVE && now >= this.peerExpiry) this.handle(BinaryStarEvent.CLIENT_REQUEST, now)
        return super.heartbeatDue(now)
      }
    }
    // The no-client property: after the primary dies (at some point), the backup never becomes active.
    const property = fc.asyncProperty(fc.integer({ min: 0, max: 3 }), async (beats) => {
      const pair = await startPair({ backupMachine: new FailoverOnSilence("backup", { heartbeat: HEARTBEAT }) })
      try {
        await settled(pair)
        await sleep(beats * HEARTBEAT)
        await pair.primary.star.stop()
        await sleep(HEARTBEAT * 6)
        expect(pair.backup.star.serverState).toBe(PASSIVE)
      } finally {
        for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
      }
    })
    const result = await fc.check(property, { numRuns: 2 })
    expect(result.failed).toBe(true)
  }, 20_000)

  it("rejects a voter after start, a second voter, and a machine of the wrong role", async () => {
    const star = new BinaryStar({ primary: true, local: "tcp://127.0.0.1:*", remote: "tcp://127.0.0.1:1" })
    star.voter("tcp://127.0.0.1:*", "router", () => {})
    expect(() => star.voter("tcp://127.0.0.1:*", "router", () => {})).toThrow(expect.objectContaining({ code: PatternErrorCode.INVALID_STATE }))
    await star.stop()
    expect(() => new BinaryStar({ primary: true, local: "x", remote: "y", machine: new BinaryStarMachine("backup") })).toThrow(
      expect.objectContaining({ code: PatternErrorCode.INVALID_OPTION }),
    )
  })
})
