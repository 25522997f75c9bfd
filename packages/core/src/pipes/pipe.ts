import { Buffer } from "#platform/buffer"
import type { SocketType } from "@zmq-ts/zmtp"
import type { Frames } from "./message.js"
import { PipeQueue } from "./pipe-queue.js"
import type { SharedMessage } from "./shared-message.js"

/** What an end of a pipe tells its owner (a socket, or the session that joins the pipe to a connection). */
export interface PipeListener {
  /** Messages are waiting to be read at this end (the queue went from empty to non-empty). */
  pipeReadable(end: PipeEnd): void
  /** This end may write again (the queue toward the peer dropped below its limit). */
  pipeWritable(end: PipeEnd): void
  /** The other end closed. Messages already queued toward this end can still be read. */
  pipeTerminated(end: PipeEnd): void
  /**
   * The connection behind the pipe was re-established and what this end had queued was dropped (libzmq's
   * hiccup): subscribers send their subscriptions again.
   */
  pipeHiccuped?(end: PipeEnd): void
}

/** Who is at the far end, learnt at the handshake (tcp/ipc) or at connect time (inproc). */
export interface PeerIdentity {
  /** Undefined for a peer that speaks no ZMTP and names no type (a STREAM's raw peer, a DGRAM's datagrams). */
  readonly socketType: SocketType | undefined
  /** The peer's ZMQ_ROUTING_ID (empty when it set none). */
  readonly routingId: Buffer
  /** Handshake metadata properties, names lower-cased. */
  readonly properties: ReadonlyMap<string, Buffer>
}

/** A queue limit meaning ZMQ_CONFLATE: keep only the newest message. */
export const CONFLATE = -1

/**
 * The queue limits of a pipe from a socket (a) to its peer (b): SNDHWM and RCVHWM, or CONFLATE on the
 * direction that carries the socket type's data (never on the one carrying subscriptions upstream, which
 * libzmq conflates too and so loses subscriptions).
 */
export function pipeLimits(
  type: string,
  options: { readonly conflate: boolean; readonly sendHighWaterMark: number; readonly receiveHighWaterMark: number },
): { aToB: number; bToA: number } {
  const limits = { aToB: options.sendHighWaterMark, bToA: options.receiveHighWaterMark }
  if (!options.conflate) return limits
  if (type !== "PULL" && type !== "SUB" && type !== "XSUB") limits.aToB = CONFLATE
  if (type !== "PUSH" && type !== "PUB" && type !== "XPUB") limits.bToA = CONFLATE
  return limits
}

class Direction {
  readonly queue = new PipeQueue()
  constructor(
    /** Queue limit in messages; 0 for none (ZMQ_SNDHWM/ZMQ_RCVHWM 0 means no limit); CONFLATE keeps one. */
    public limit: number,
  ) {}

  get full(): boolean {
    return this.limit > 0 && this.queue.length >= this.limit
  }

  /** Queues a message; returns true when the queue was empty before (the reader must be told). */
  push(message: Frames): boolean {
    const wasEmpty = this.#makeRoom()
    this.queue.push(message)
    return wasEmpty
  }

  /** `push` for a message other pipes hold too (see PipeQueue.pushShared). */
  pushShared(message: SharedMessage): boolean {
    const wasEmpty = this.#makeRoom()
    this.queue.pushShared(message)
    return wasEmpty
  }

  /** `push` for a one-frame message as received (see PipeQueue.pushFrame). */
  pushFrame(frame: Buffer): boolean {
    const wasEmpty = this.#makeRoom()
    this.queue.pushFrame(frame)
    return wasEmpty
  }

  /** CONFLATE keeps only the newest: drop what waits. True when nothing waits (the reader must be told). */
  #makeRoom(): boolean {
    const queue = this.queue
    if (queue.length === 0) return true
    if (this.limit === CONFLATE) queue.dropFirst()
    return false
  }
}

/**
 * One end of a pipe: libzmq's `pipe_t`. A pipe is two bounded message queues between two owners, one for
 * each direction; each end writes into one and reads from the other. A socket holds one end per peer; the
 * other end belongs to a session (tcp, ipc) or to the peer socket itself (inproc, where messages pass
 * without encoding or copying). High-water marks are the queue limits: a full queue refuses writes until
 * the reader takes a message, and the writer's owner hears `pipeWritable`.
 */
export class PipeEnd {
  listener: PipeListener
  /** Set by ROUTER-like sockets: the routing id under which this pipe is known. */
  routingId: Buffer | undefined
  /** The peer behind this pipe, once known. */
  peer: PeerIdentity | undefined
  /**
   * Set by a transport that carries no subscriptions back (udp): the socket sends this pipe every message,
   * whatever its groups or topics (libzmq's `subscribe_to_all`).
   */
  subscribeToAll = false
  /**
   * Set by whoever made the pipe: recomputes both queue limits from the owners' current high-water marks,
   * when the socket's SNDHWM or RCVHWM changes after the pipe exists (libzmq's `set_hwms` on an option
   * change, test_sockopt_hwm).
   */
  resize: (() => void) | undefined
  /**
   * Written to the other end when this end's owner closes it (an inproc binder's ZMQ_DISCONNECT_MSG on
   * the connecter's end, as libzmq's pipe_t::send_disconnect_msg).
   */
  farewell: Buffer | undefined
  /** The endpoint this pipe came from (for events and errors). */
  readonly endpoint: string
  #other!: PipeEnd
  readonly #incoming: Direction
  readonly #outgoing: Direction
  #closed = false
  #peerClosed = false

  private constructor(listener: PipeListener, endpoint: string, incoming: Direction, outgoing: Direction) {
    this.listener = listener
    this.endpoint = endpoint
    this.#incoming = incoming
    this.#outgoing = outgoing
  }

  /**
   * Makes a pipe. `aToB` limits the queue from end a to end b (for inproc, libzmq adds the writer's SNDHWM to
   * the reader's RCVHWM; for tcp the socket's SNDHWM), `bToA` the other.
   */
  static create(
    a: PipeListener,
    b: PipeListener,
    limits: { readonly aToB: number; readonly bToA: number },
    endpoint: string,
  ): [PipeEnd, PipeEnd] {
    const aToB = new Direction(limits.aToB)
    const bToA = new Direction(limits.bToA)
    const endA = new PipeEnd(a, endpoint, bToA, aToB)
    const endB = new PipeEnd(b, endpoint, aToB, bToA)
    endA.#other = endB
    endB.#other = endA
    return [endA, endB]
  }

  /** The end held by the other owner. */
  get other(): PipeEnd {
    return this.#other
  }

  /** Messages waiting to be read here. */
  get incomingCount(): number {
    return this.#incoming.queue.length
  }

  /** Messages written here and not yet read by the other end. */
  get outgoingCount(): number {
    return this.#outgoing.queue.length
  }

  get hasIncoming(): boolean {
    return this.#incoming.queue.length > 0
  }

  /** True when a write would be accepted now. */
  get writable(): boolean {
    return !this.#closed && !this.#peerClosed && !this.#outgoing.full
  }

  /** This end was closed by its owner. */
  get closed(): boolean {
    return this.#closed
  }

  /** The other end was closed; reads may still drain what it had sent. */
  get peerClosed(): boolean {
    return this.#peerClosed
  }

  /** Queues a message toward the other end. Returns false (and queues nothing) when the pipe is full or closed. */
  write(message: Frames): boolean {
    if (!this.writable) return false
    if (this.#outgoing.push(message)) this.#other.listener.pipeReadable(this.#other)
    return true
  }

  /** `write` of a one-frame message, queued as its frame alone (no array until it is read). */
  writeFrame(frame: Buffer): boolean {
    if (!this.writable) return false
    if (this.#outgoing.pushFrame(frame)) this.#other.listener.pipeReadable(this.#other)
    return true
  }

  /** `write` of a message written to other pipes too: an engine frames it once for all of them. */
  writeShared(message: SharedMessage): boolean {
    if (!this.writable) return false
    if (this.#outgoing.pushShared(message)) this.#other.listener.pipeReadable(this.#other)
    return true
  }

  /** Queues a message even above the limit (for the session handing over what the wire delivered). */
  forceWrite(message: Frames): boolean {
    if (this.#closed || this.#peerClosed) return false
    if (this.#outgoing.push(message)) this.#other.listener.pipeReadable(this.#other)
    return !this.#outgoing.full
  }

  /** `forceWrite` of a one-frame message as received (a view into the read chunk), stored compactly. */
  forceWriteFrame(frame: Buffer): boolean {
    if (this.#closed || this.#peerClosed) return false
    if (this.#outgoing.pushFrame(frame)) this.#other.listener.pipeReadable(this.#other)
    return !this.#outgoing.full
  }

  /** Takes the next message sent by the other end, if any. */
  read(): Frames | undefined {
    const direction = this.#incoming
    const wasFull = direction.full
    const message = direction.queue.shift()
    if (message !== undefined && wasFull) this.#tookFromFull()
    return message
  }

  /**
   * `read` for a writer that puts messages on the wire: a one-frame message that was queued as its frame
   * comes as that Buffer alone, so no array is made for it, and a shared message as itself.
   */
  readForWire(): Frames | Buffer | SharedMessage | undefined {
    const direction = this.#incoming
    const wasFull = direction.full
    const message = direction.queue.shiftForWire()
    if (message !== undefined && wasFull) this.#tookFromFull()
    return message
  }

  /** A read took a message from a full queue: the writer may write again once it is below its limit. */
  #tookFromFull(): void {
    if (!this.#incoming.full && !this.#other.#closed) this.#other.listener.pipeWritable(this.#other)
  }

  /** Drops every message queued toward the other end that it has not read (ZMQ_LINGER 0, or unroutable). */
  discardOutgoing(): number {
    const dropped = this.#outgoing.queue.length
    this.#outgoing.queue.clear()
    return dropped
  }

  /**
   * Changes both queue limits (an inproc pipe made before the bind learns the binder's high-water marks only
   * then, as libzmq's `set_hwms`). A writer whose queue now has room hears `pipeWritable`.
   */
  setLimits(outgoing: number, incoming: number): void {
    const outgoingWasFull = this.#outgoing.full
    const incomingWasFull = this.#incoming.full
    this.#outgoing.limit = outgoing
    this.#incoming.limit = incoming
    if (outgoingWasFull && this.writable) this.listener.pipeWritable(this)
    if (incomingWasFull && this.#other.writable) this.#other.listener.pipeWritable(this.#other)
  }

  /** Closes this end; the other end hears `pipeTerminated` and may still read what was queued for it. */
  close(): void {
    if (this.#closed) return
    if (this.farewell !== undefined) this.forceWrite([this.farewell])
    this.#closed = true
    this.#incoming.queue.clear()
    const other = this.#other
    if (!other.#closed && !other.#peerClosed) {
      other.#peerClosed = true
      other.listener.pipeTerminated(other)
    }
  }
}
