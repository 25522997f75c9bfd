import { Buffer } from "#platform/buffer"
import { isCompatibleSocketType } from "@zmq-ts/zmtp"
import { CONFLATE, pipeLimits, PipeEnd, type PeerIdentity, type PipeListener } from "../../pipes/pipe.js"
import { zmtpTypeOf, type SocketHost } from "../../pipes/socket-host.js"
import type { ThreadPipe } from "../threads/thread-pipe.js"
import type { InprocEndpoint } from "./inproc-endpoint.js"

/** A connect waiting for a socket of the same thread to bind its name. */
export interface PendingConnect {
  readonly host: SocketHost
  readonly endpoint: InprocEndpoint
  readonly routingId: Buffer | undefined
  /** A pipe made at connect time so sends can queue before the bind (libzmq 4.x); undefined for ROUTER. */
  readonly early: [PipeEnd, PipeEnd] | undefined
  /** Set when the context was shared while this connect waited: the hub now finds its binder. */
  acrossThreads?: ThreadPipe
}

/** Holds messages for an early pipe's far end until a socket binds the name. */
const UNBOUND: PipeListener = { pipeReadable() {}, pipeWritable() {}, pipeTerminated() {} }

/** The pipe a connect makes before its name is bound, so that sends queue meanwhile (libzmq 4.x). */
export function earlyPipe(host: SocketHost, endpoint: InprocEndpoint, routingId: Buffer | undefined): [PipeEnd, PipeEnd] {
  const early = PipeEnd.create(host.listener, UNBOUND, pipeLimits(host.type, host.options), endpoint.address)
  if (routingId !== undefined) early[0].routingId = routingId
  early[0].resize = () => {
    const limits = pipeLimits(host.type, host.options)
    early[0].setLimits(limits.aToB, limits.bToA)
  }
  host.attachPipe(early[0])
  sayHello(host, early[0])
  return early
}

/** ZMQ_HELLO_MSG: what an inproc socket sends first on each new pipe (libzmq's send_hello_msg). */
function sayHello(host: SocketHost, end: PipeEnd): void {
  const hello = host.options.helloMessage
  if (hello !== null) end.forceWrite([hello])
}

function identityOf(host: SocketHost): PeerIdentity {
  const routingId = host.options.routingId
  return {
    socketType: zmtpTypeOf(host, ""),
    routingId: routingId === null ? Buffer.alloc(0) : Buffer.from(routingId),
    properties: new Map(),
  }
}

/** One direction's limit: the writer's SNDHWM plus the reader's RCVHWM (0 if either is unlimited), or CONFLATE. */
function combined(writer: SocketHost, reader: SocketHost): number {
  if (pipeLimits(writer.type, writer.options).aToB === CONFLATE || pipeLimits(reader.type, reader.options).bToA === CONFLATE) {
    return CONFLATE
  }
  const send = writer.options.sendHighWaterMark
  const receive = reader.options.receiveHighWaterMark
  return send === 0 || receive === 0 ? 0 : send + receive
}

/**
 * Joins a connecting socket to the socket bound to its name, in the same thread, with one pipe: no
 * encoding, no copying, no handshake. Each direction's high-water mark is the writer's SNDHWM plus the
 * reader's RCVHWM, as in libzmq.
 */
export function joinInproc(connect: PendingConnect, binder: SocketHost, endpoint: InprocEndpoint): void {
  const connecter = connect.host
  if (binder.closed) return
  if (connecter.closed) {
    // Closed before the bind with messages queued: within linger they still reach the binder, which then
    // sees the peer gone once it has read them.
    const early = connect.early
    if (early !== undefined && early[1].hasIncoming && connecter.options.linger !== 0) {
      early[1].peer = identityOf(connecter)
      early[1].listener = binder.listener
      binder.attachPipe(early[1])
      binder.listener.pipeTerminated(early[1])
    }
    return
  }
  if (!isCompatibleSocketType(zmtpTypeOf(connecter, endpoint.address), binder.type)) {
    // Refused without a word: libzmq raises no monitor event for inproc (see below).
    connect.early?.[0].close()
    return
  }
  let connecterEnd: PipeEnd
  let binderEnd: PipeEnd
  if (connect.early !== undefined) {
    ;[connecterEnd, binderEnd] = connect.early
    binderEnd.listener = binder.listener
  } else {
    ;[connecterEnd, binderEnd] = PipeEnd.create(
      connecter.listener,
      binder.listener,
      {
        aToB: combined(connecter, binder),
        bToA: combined(binder, connecter),
      },
      endpoint.address,
    )
    if (connect.routingId !== undefined) connecterEnd.routingId = connect.routingId
  }
  connecterEnd.peer = identityOf(binder)
  binderEnd.peer = identityOf(connecter)
  if (connect.early === undefined) connecter.attachPipe(connecterEnd)
  binder.attachPipe(binderEnd)
  // Either side's new marks resize the pipe; an early pipe, sized by the connecter alone, learns both
  // sides' marks now (libzmq's set_hwms).
  connecterEnd.resize = binderEnd.resize = () => connecterEnd.setLimits(combined(connecter, binder), combined(binder, connecter))
  if (connect.early !== undefined) connecterEnd.resize()
  // The connecter's hello went into its early pipe at connect time; the binder's goes now. A binder's
  // ZMQ_DISCONNECT_MSG reaches it when the connecter disconnects or closes (ctx.cpp, socket_base.cpp).
  if (connect.early === undefined) sayHello(connecter, connecterEnd)
  sayHello(binder, binderEnd)
  const farewell = binder.options.disconnectMessage
  if (farewell !== null) connecterEnd.farewell = farewell
  // No monitor events: libzmq joins inproc sockets without a listener, connecter or engine, the objects
  // that raise them (socket_base.cpp's inproc bind/connect report nothing), and zeromq.js shows none.
}
