import { nextTick } from "#platform/process"
import { setImmediate } from "#platform/timers"
import { Buffer } from "#platform/buffer"
import type { MessagePort } from "node:worker_threads"
import type { SocketType } from "@zmq-ts/zmtp"
import { BATCH_BYTES, BATCH_MESSAGES, packBatch, packedSize, unpackBatch } from "./thread-batch.js"
import { pipeLimits, PipeEnd, type PeerIdentity, type PipeListener } from "../../pipes/pipe.js"
import type { Frames } from "../../pipes/message.js"
import { zmtpTypeOf, type SocketHost } from "../../pipes/socket-host.js"
import { lingerAfterClose, lingerAtExit, type Undelivered } from "../../common/exit-linger.js"

/** Who a socket is, as it travels to the other thread (structured-clone friendly). */
export interface WirePeer {
  readonly socketType: SocketType
  readonly routingId: Uint8Array
}

/**
 * What travels on a cross-thread pipe's MessagePort besides data: a batch is a bare ArrayBuffer (transferred)
 * and a credit grant a bare number, so the hot path allocates no envelope objects.
 */
export type ThreadPipeControl =
  | { readonly t: "hello"; readonly peer: WirePeer; readonly credit: number }
  | { readonly t: "refuse"; readonly reason: string }
  | { readonly t: "close" }

export function wirePeerOf(host: SocketHost): WirePeer {
  const routingId = host.options.routingId
  return { socketType: zmtpTypeOf(host, ""), routingId: routingId === null ? new Uint8Array(0) : Buffer.from(routingId) }
}

export function peerIdentityOf(peer: WirePeer): PeerIdentity {
  return { socketType: peer.socketType, routingId: Buffer.from(peer.routingId), properties: new Map() }
}

/**
 * How many messages the peer may send before hearing from us: our socket's RCVHWM (Infinity when it is 0,
 * unlimited, or the socket conflates, which keeps only the newest anyway).
 */
export function receiveCredit(host: SocketHost): number {
  const limit = pipeLimits(host.type, host.options).bToA
  return limit > 0 ? limit : Number.POSITIVE_INFINITY
}

/**
 * One half of an inproc pipe between two threads. Our socket holds a normal pipe end; this object holds the
 * other end and moves its messages over a MessagePort to the ThreadPipe in the peer's thread, which writes
 * them into its socket's pipe. So the sockets see an ordinary pipe, and the transport knows nothing of what
 * the socket types do with it.
 *
 * Flow control is by credit: the peer may have at most its RCVHWM messages sent and not yet read by its
 * socket, and our socket's pipe holds at most our SNDHWM, so a sender blocks (or a PUB drops) after
 * SNDHWM + RCVHWM messages, as with same-thread inproc. Sends are batched per turn of the event loop.
 *
 * The port closes when either side ends: an orderly `close` after the last batch, or the peer's thread
 * exiting or crashing (the port's `close` event). Either way our socket sees a disconnected pipe and can
 * still read what had arrived.
 */
export class ThreadPipe implements PipeListener, Undelivered {
  readonly #host: SocketHost
  readonly #address: string
  readonly #port: MessagePort
  #end: PipeEnd | undefined
  /** Messages we may still send; 0 until the peer said hello. */
  #credit = 0
  /** Grants are owed only when our socket's pipe is bounded. */
  readonly #grants: boolean
  #received = 0
  #granted = 0
  #flushScheduled = false
  #grantScheduled = false
  /** The binding side's pipe (it said hello): its socket hears ZMQ_DISCONNECT_MSG when the connecter leaves. */
  #accepted = false
  /** Our socket closed its end: we flush what it left within linger, then end. */
  #closing = false
  #done = false
  #lingerTimer: ReturnType<typeof setTimeout> | undefined
  readonly #scratch: Frames[] = []
  /** The peer said hello (connecting side): its identity and how much it accepts. */
  onHello: ((peer: WirePeer) => void) | undefined
  /** The peer refused the connection (incompatible socket types). */
  onRefused: ((reason: string) => void) | undefined
  /** The pipe is over, for whatever reason; `peerGone` when the peer (not our socket) ended it. */
  onDone: ((peerGone: boolean) => void) | undefined

  /** While the pipe exists, messages it has not passed on keep its thread alive at exit (exit-linger.ts). */
  readonly #forgetAtExit: () => void

  constructor(host: SocketHost, address: string, port: MessagePort) {
    this.#host = host
    this.#address = address
    this.#port = port
    this.#grants = Number.isFinite(receiveCredit(host))
    port.on("message", this.#onMessage)
    port.on("close", this.#onPortClosed)
    // Listening refs a port; an idle pipe must not keep its thread alive (operations in progress do).
    port.unref()
    this.#forgetAtExit = lingerAtExit(this)
  }

  /** Messages our socket queued that have not crossed to the other thread yet. */
  get undelivered(): boolean {
    return !this.#done && this.#end?.hasIncoming === true
  }

  get linger(): number {
    return this.#host.options.linger
  }

  get blocky(): boolean {
    return this.#host.blocky
  }

  /** True when our socket holds a pipe end. */
  get attached(): boolean {
    return this.#end !== undefined
  }

  /** Makes the pipe our socket sees and gives it its end. */
  attach(peer: PeerIdentity | undefined, routingId: Buffer | undefined): void {
    if (this.#end !== undefined || this.#done) return
    const [socketEnd, end] = PipeEnd.create(this.#host.listener, this, pipeLimits(this.#host.type, this.#host.options), this.#address)
    socketEnd.peer = peer
    if (routingId !== undefined) socketEnd.routingId = routingId
    // Our side's queue follows our marks; the credit granted to the peer stays what it was at hello.
    socketEnd.resize = () => {
      const limits = pipeLimits(this.#host.type, this.#host.options)
      socketEnd.setLimits(limits.aToB, limits.bToA)
    }
    this.#end = end
    this.#host.attachPipe(socketEnd)
    // ZMQ_HELLO_MSG: what the socket sends first on each new pipe, as on one thread (inproc-pipe.ts).
    const hello = this.#host.options.helloMessage
    if (hello !== null && !socketEnd.closed) socketEnd.forceWrite([hello])
  }

  /** Takes over the far end of a pipe the socket already holds (a connect made before the context was shared). */
  adopt(end: PipeEnd): void {
    this.#end = end
    end.listener = this
    if (end.peerClosed) this.pipeTerminated(end)
  }

  /** Tells the socket's end who the peer is (an early pipe learns it at hello). */
  setPeer(peer: PeerIdentity): void {
    if (this.#end !== undefined) this.#end.other.peer = peer
  }

  /** Accepting side: introduce ourselves; the connecter may then send up to `credit` messages. */
  hello(peerCredit: number): void {
    this.#accepted = true
    this.#post({ t: "hello", peer: wirePeerOf(this.#host), credit: receiveCredit(this.#host) })
    this.#addCredit(peerCredit)
  }

  refuse(reason: string): void {
    this.#post({ t: "refuse", reason })
    this.#finish(false)
  }

  /** Ends the pipe now, dropping what is queued (the connection was cancelled before the peer appeared). */
  abort(): void {
    this.#finish(false)
  }

  // ── PipeListener (our end) ─────────────────────────────────────────────────────────────────────────

  pipeReadable(_end: PipeEnd): void {
    if (this.#credit > 0) this.#scheduleFlush()
  }

  pipeWritable(_end: PipeEnd): void {
    // Our socket read from a full pipe: return credit.
    this.#scheduleGrant()
  }

  pipeTerminated(_end: PipeEnd): void {
    // Our socket closed its end (close, disconnect, unbind): flush what it left, within its linger.
    if (this.#closing || this.#done) return
    this.#closing = true
    const linger = this.#host.options.linger
    if (linger === 0 || !this.#end?.hasIncoming) {
      this.#finish(false)
      return
    }
    if (linger > 0) {
      this.#lingerTimer = setTimeout(() => this.#finish(false), linger)
      this.#lingerTimer.unref()
    }
    lingerAfterClose(this)
    this.#scheduleFlush()
  }

  // ── internals ──────────────────────────────────────────────────────────────────────────────────────

  readonly #onMessage = (data: unknown): void => {
    if (this.#done) return
    if (data instanceof ArrayBuffer) {
      this.#receiveBatch(data)
    } else if (typeof data === "number") {
      this.#addCredit(data)
    } else {
      const control = data as ThreadPipeControl
      if (control.t === "hello") {
        this.onHello?.(control.peer)
        this.#addCredit(control.credit)
      } else if (control.t === "refuse") {
        this.onRefused?.(control.reason)
        this.#finish(true)
      } else if (control.t === "close") {
        this.#finish(true)
      }
    }
  }

  readonly #onPortClosed = (): void => {
    this.#finish(true)
  }

  #receiveBatch(batch: ArrayBuffer): void {
    const end = this.#end
    const count = unpackBatch(batch, end === undefined ? ignore : (message) => void end.forceWrite(message))
    this.#received += count
    this.#scheduleGrant()
  }

  /** Grants later, once our socket's reader has had its turn: one grant covers what it consumed meanwhile. */
  #scheduleGrant(): void {
    if (!this.#grants || this.#grantScheduled) return
    this.#grantScheduled = true
    setImmediate(this.#grant)
  }

  /** Returns credit for every message our socket has read since the last grant. */
  readonly #grant = (): void => {
    this.#grantScheduled = false
    if (this.#done) return
    const unread = this.#end?.outgoingCount ?? 0
    const owed = this.#received - unread - this.#granted
    if (owed <= 0) return
    this.#granted += owed
    this.#port.postMessage(owed)
  }

  #addCredit(credit: number): void {
    this.#credit += credit
    if (this.#end?.hasIncoming === true) this.#scheduleFlush()
  }

  #scheduleFlush(): void {
    if (this.#flushScheduled || this.#done) return
    this.#flushScheduled = true
    nextTick(this.#flush)
  }

  readonly #flush = (): void => {
    this.#flushScheduled = false
    const end = this.#end
    if (this.#done || end === undefined) return
    const batch = this.#scratch
    while (this.#credit > 0 && end.hasIncoming) {
      let count = 0
      let size = 4
      const max = Math.min(this.#credit, BATCH_MESSAGES)
      while (count < max && size < BATCH_BYTES) {
        const message = end.read()
        if (message === undefined) break
        batch[count++] = message
        size += packedSize(message)
      }
      const packed = packBatch(batch, count, size)
      batch.length = 0
      this.#port.postMessage(packed, [packed])
      this.#credit -= count
    }
    if (this.#closing && !end.hasIncoming) this.#finish(false)
  }

  #post(control: ThreadPipeControl): void {
    this.#port.postMessage(control)
  }

  #finish(peerGone: boolean): void {
    if (this.#done) return
    this.#done = true
    this.#forgetAtExit()
    if (this.#lingerTimer !== undefined) clearTimeout(this.#lingerTimer)
    if (!peerGone) this.#port.postMessage({ t: "close" } satisfies ThreadPipeControl)
    this.#port.off("message", this.#onMessage)
    this.#port.off("close", this.#onPortClosed)
    this.#port.close()
    // A binder's ZMQ_DISCONNECT_MSG when the connecter disconnected or closed (libzmq's pipe_t, ctx.cpp).
    const farewell = this.#host.options.disconnectMessage
    if (peerGone && this.#accepted && farewell !== null) this.#end?.forceWrite([farewell])
    // The socket keeps what already arrived and sees the peer gone.
    this.#end?.close()
    this.onDone?.(peerGone)
  }
}

function ignore(): void {}
