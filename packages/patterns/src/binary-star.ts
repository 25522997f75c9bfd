import { Dealer, Poller, Publisher, Pull, Router, Subscriber, type Context, type Message } from "@zmq-ts/core"
import { attach, type Attachment } from "./attachment.js"
import {
  BinaryStarMachine,
  BinaryStarState,
  parseBinaryStarState,
  type BinaryStarOutcome,
} from "./binary-star-machine.js"
import { localError, PatternErrorCode, remoteError } from "./errors.js"
import { ServiceBase } from "./service.js"

/** The socket types a voter can be (bstar_voter's `type`): the Guide uses ROUTER. */
export type BinaryStarVoterType = "router" | "dealer" | "pull"
export type BinaryStarVoterSocket = Router | Dealer | Pull

/**
 * The application's handler for a client request the pair accepted (bstar_voter's zloop_fn): it gets the
 * message as received (with a ROUTER, the client's routing id first) and the voter socket to answer on.
 * It runs inside the reactor: the next event waits until it resolves.
 */
export type BinaryStarVoterHandler = (message: Message[], socket: BinaryStarVoterSocket) => void | Promise<void>

/** What the reactor did, reported synchronously to `onEvent` (for logs, metrics and tests). */
export type BinaryStarEventReport =
  /** The state changed; `message` is the Guide's log line ("I: failover successful, ready as active"). */
  | { readonly type: "state"; readonly previous: BinaryStarState; readonly state: BinaryStarState; readonly message?: string; readonly at: number }
  /** The peer's state arrived. */
  | { readonly type: "peer"; readonly peer: BinaryStarState; readonly at: number }
  /** A client request was accepted and handed to the voter handler. */
  | { readonly type: "request"; readonly state: BinaryStarState; readonly at: number }
  /** A client request was dropped: this server is not (and may not become) active. */
  | { readonly type: "rejected"; readonly state: BinaryStarState; readonly at: number }
  /** Our state went to the peer. */
  | { readonly type: "heartbeat"; readonly state: BinaryStarState; readonly at: number }
  /** Two actives or two passives: the reactor stops, and `done()` rejects with ERR_PATTERN_PEER_CONFLICT. */
  | { readonly type: "fatal"; readonly reason: "dual-actives" | "dual-passives"; readonly message: string; readonly at: number }

export interface BinaryStarOptions {
  /** true for the primary (BSTAR_PRIMARY), false for the backup. */
  readonly primary: boolean
  /** Where our state PUB binds (bstar_new's `local`; the Guide: primary "tcp://*:5003", backup "tcp://*:5004"). */
  readonly local: Attachment
  /** Where our state SUB connects: the peer's `local` (the Guide: primary "tcp://localhost:5004", backup "…:5003"). */
  readonly remote: string
  /** BSTAR_HEARTBEAT in ms: state goes to the peer this often; 2 heartbeats of silence = peer dead. Default 1000. */
  readonly heartbeat?: number
  /** The context of the sockets. Default: the shared context. */
  readonly context?: Context
  /** bstar_new_active: called when this server becomes active. */
  readonly onActive?: () => void
  /** bstar_new_passive: called when this server becomes passive. */
  readonly onPassive?: () => void
  /** Called synchronously on every `BinaryStarEventReport`. */
  readonly onEvent?: (event: BinaryStarEventReport) => void
  /** The state machine to drive. Default: `new BinaryStarMachine(primary ? "primary" : "backup", { heartbeat })`. */
  readonly machine?: BinaryStarMachine
}

/**
 * The Guide's Binary Star reactor (chapter 4, bstar.c): one server of a primary/backup high-availability
 * pair. It exchanges states with its peer over PUB/SUB every heartbeat, runs each event through a
 * `BinaryStarMachine`, and hands client requests from its voter socket to the application only while it is
 * active (rejected ones are read and dropped, so a client times out and fails over to the other server).
 *
 *   clients ──▶ voter ROUTER ─┐                     ┌─ voter ROUTER ◀── clients (after failover)
 *                primary      ├─ PUB ══ state ══ SUB ┤      backup
 *                             └─ SUB ══ state ══ PUB ┘
 *
 * Failover needs both a client request and 2 heartbeats of peer silence (the split-brain rule); recovery is
 * manual (restart the primary, then stop the backup). PUB/SUB is the only fit for the state exchange: PUSH
 * and DEALER block without a peer, PAIR does not reconnect, ROUTER needs the peer's address first.
 *
 * ```ts
 * const star = new BinaryStar({ primary: true, local: "tcp://*:5003", remote: "tcp://localhost:5004" })
 * star.voter("tcp://*:5001", "router", async (message, socket) => socket.send(message)) // echo
 * await star.start()
 * await star.done() // until stop(), or a fatal dual-actives/passives (ERR_PATTERN_PEER_CONFLICT)
 * ```
 */
export class BinaryStar extends ServiceBase {
  readonly machine: BinaryStarMachine
  readonly statePublisher: Publisher
  readonly stateSubscriber: Subscriber
  readonly #options: BinaryStarOptions
  #voter: { readonly socket: BinaryStarVoterSocket; readonly endpoint: Attachment; readonly handler: BinaryStarVoterHandler } | undefined
  #voterEndpoints: string[] = []
  #localEndpoints: string[] = []
  #reported: BinaryStarState

  constructor(options: BinaryStarOptions) {
    super()
    this.#options = options
    const role = options.primary ? "primary" : "backup"
    this.machine = options.machine ?? new BinaryStarMachine(role, options.heartbeat === undefined ? {} : { heartbeat: options.heartbeat })
    if (this.machine.role !== role) throw localError(PatternErrorCode.INVALID_OPTION, `machine is ${this.machine.role} but primary is ${String(options.primary)}`)
    const context = options.context === undefined ? {} : { context: options.context }
    this.statePublisher = new Publisher(context)
    this.stateSubscriber = new Subscriber(context)
    this.stateSubscriber.subscribe()
    this.#reported = this.machine.state
  }

  /** The current state (PRIMARY/BACKUP until the pair has settled, then ACTIVE or PASSIVE). */
  get serverState(): BinaryStarState {
    return this.machine.state
  }

  /** True while this server answers clients. */
  get active(): boolean {
    return this.machine.state === BinaryStarState.ACTIVE
  }

  /** The voter socket (after `voter()`). */
  get frontend(): BinaryStarVoterSocket | undefined {
    return this.#voter?.socket
  }

  /** The endpoints the voter is bound to, wildcards resolved (after `start()`). */
  get voterEndpoints(): readonly string[] {
    return this.#voterEndpoints
  }

  /** The endpoints the state publisher is bound to, wildcards resolved (after `start()`). */
  get localEndpoints(): readonly string[] {
    return this.#localEndpoints
  }

  /**
   * bstar_voter: registers the one socket whose messages are client requests (the CLIENT_REQUEST events).
   * A string endpoint binds. Call once, before `start()`.
   */
  voter(endpoint: Attachment, type: BinaryStarVoterType, handler: BinaryStarVoterHandler): this {
    if (this.#voter !== undefined) throw localError(PatternErrorCode.INVALID_STATE, "a Binary Star has exactly one voter")
    if (this.state !== "new") throw localError(PatternErrorCode.INVALID_STATE, "voter() must be called before start()")
    const context = this.#options.context === undefined ? {} : { context: this.#options.context }
    const socket = type === "router" ? new Router(context) : type === "dealer" ? new Dealer(context) : new Pull(context)
    this.#voter = { socket, endpoint, handler }
    return this
  }

  protected async open(): Promise<void> {
    if (this.#voter === undefined) throw localError(PatternErrorCode.INVALID_STATE, "a Binary Star needs a voter before start()")
    this.#localEndpoints = await attach(this.statePublisher, this.#options.local, "local")
    this.stateSubscriber.connect(this.#options.remote)
    this.#voterEndpoints = await attach(this.#voter.socket, this.#voter.endpoint, "voter")
  }

  protected async loop(): Promise<void> {
    const { machine, stateSubscriber, statePublisher } = this
    const voter = this.#voter!
    const poller = new Poller<Subscriber | BinaryStarVoterSocket>().add(stateSubscriber).add(voter.socket)
    machine.start(performance.now())
    for (;;) {
      const ready = await poller.poll(machine.timeout(performance.now()))
      for (const { socket } of ready) {
        if (socket === stateSubscriber) {
          const [frame] = await stateSubscriber.receive()
          const peer = parseBinaryStarState(frame)
          if (peer === undefined) continue // not a state: ignore, and do not count it as a sign of life
          const at = performance.now()
          this.#emit({ type: "peer", peer, at })
          this.#observe(machine.receivePeerState(peer, at), at)
        } else {
          const message = await voter.socket.receive()
          const at = performance.now()
          const outcome = machine.clientRequest(at)
          this.#observe(outcome, at)
          if (outcome.accepted) {
            this.#emit({ type: "request", state: machine.state, at })
            await voter.handler(message, voter.socket)
          } else {
            this.#emit({ type: "rejected", state: machine.state, at }) // no-one to read it: dropped
          }
        }
      }
      const at = performance.now()
      const due = machine.heartbeatDue(at)
      this.#observe(undefined, at)
      if (due !== undefined) {
        await statePublisher.send(String(due))
        this.#emit({ type: "heartbeat", state: due, at })
      }
    }
  }

  protected shut(): void {
    this.statePublisher.close()
    this.stateSubscriber.close()
    this.#voter?.socket.close()
  }

  /** Reports what the machine did (whichever call changed it), fires the state-change handlers, stops on fatal. */
  #observe(outcome: BinaryStarOutcome | undefined, at: number): void {
    if (outcome?.fatal !== undefined) {
      const message = outcome.message ?? `E: fatal error - ${outcome.fatal}, aborting`
      this.#emit({ type: "fatal", reason: outcome.fatal, message, at })
      throw remoteError(PatternErrorCode.PEER_CONFLICT, `binary star peer conflict: ${outcome.fatal}`)
    }
    const state = this.machine.state
    if (state === this.#reported) return
    const previous = this.#reported
    this.#reported = state
    const message = outcome !== undefined && outcome.state === state ? outcome.message : undefined
    this.#emit({ type: "state", previous, state, ...(message === undefined ? {} : { message }), at })
    if (state === BinaryStarState.ACTIVE) this.#options.onActive?.()
    else if (state === BinaryStarState.PASSIVE) this.#options.onPassive?.()
  }

  #emit(event: BinaryStarEventReport): void {
    this.#options.onEvent?.(event)
  }
}
