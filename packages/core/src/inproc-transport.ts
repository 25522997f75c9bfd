import { Buffer } from "node:buffer"
import { MessageChannel, type MessagePort } from "node:worker_threads"
import { isCompatibleSocketType } from "@zmq-ts/zmtp"
import type { Context } from "./context.js"
import type { Endpoint } from "./endpoint.js"
import { zmqError } from "./errors.js"
import { CONFLATE, pipeLimits, PipeEnd, type PeerIdentity, type PipeListener } from "./pipe.js"
import type { ThreadLink } from "./thread-link.js"
import { peerIdentityOf, receiveCredit, ThreadPipe, wirePeerOf, type WirePeer } from "./thread-pipe.js"
import type { SocketHost, TransportBinding, TransportConnection } from "./transport.js"

type InprocEndpoint = Extract<Endpoint, { transport: "inproc" }>

interface PendingConnect {
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

/**
 * inproc: sockets of one Context joined by pipes directly — no encoding, no copying, no handshake. Each
 * direction's high-water mark is the writer's SNDHWM plus the reader's RCVHWM, as in libzmq. Connecting
 * before the name is bound works: the connecter gets its pipe at once, and the binder its end on bind.
 *
 * A context shared with worker threads (`Context.share()`) also claims each bound name in its hub, so a
 * connect from another thread finds it; that pipe crosses the threads as two ThreadPipes over a MessagePort.
 */
export async function bindInproc(host: SocketHost, endpoint: InprocEndpoint): Promise<TransportBinding> {
  const context = host.context
  const bindings = context.inprocBindings as Map<string, SocketHost>
  if (bindings.has(endpoint.name)) throw zmqError("EADDRINUSE", `${endpoint.address} is already bound`, endpoint.address)
  bindings.set(endpoint.name, host)
  const pendingByName = context.inprocPending as Map<string, Set<PendingConnect>>
  const pending = pendingByName.get(endpoint.name)
  if (pending !== undefined) {
    pendingByName.delete(endpoint.name)
    for (const connect of pending) join(connect, host, endpoint)
  }
  const link = context.threads
  if (link !== undefined) {
    link.holdBinding()
    try {
      await link.bind(endpoint.name)
    } catch (error) {
      if (bindings.get(endpoint.name) === host) {
        bindings.delete(endpoint.name)
        link.unbind(endpoint.name)
      }
      throw zmqError((error as { code?: "EADDRINUSE" }).code ?? "ETERM", `${endpoint.address}: ${(error as Error).message}`, endpoint.address)
    }
  }
  return {
    endpoint: endpoint.address,
    close: async () => {
      if (bindings.get(endpoint.name) !== host) return
      bindings.delete(endpoint.name)
      context.threads?.unbind(endpoint.name)
    },
  }
}

export function connectInproc(host: SocketHost, endpoint: InprocEndpoint, routingId: Buffer | undefined): TransportConnection {
  const bindings = host.context.inprocBindings as Map<string, SocketHost>
  const binder = bindings.get(endpoint.name)
  if (binder !== undefined) {
    join({ host, endpoint, routingId, early: undefined }, binder, endpoint)
    return { close: () => {} }
  }
  const link = host.context.threads
  if (link !== undefined) return connectAcrossThreads(host, endpoint, routingId, link)
  // Not bound yet: queue sends on a pipe whose far end waits for the bind.
  let early: [PipeEnd, PipeEnd] | undefined
  if (!host.requiresPeerIdentity && !host.options.immediate) {
    early = PipeEnd.create(
      host.listener,
      UNBOUND,
      pipeLimits(host.type, host.options),
      endpoint.address,
    )
    if (routingId !== undefined) early[0].routingId = routingId
    host.attachPipe(early[0])
  }
  const pendingByName = host.context.inprocPending as Map<string, Set<PendingConnect>>
  let pending = pendingByName.get(endpoint.name)
  if (pending === undefined) {
    pending = new Set()
    pendingByName.set(endpoint.name, pending)
  }
  const entry: PendingConnect = { host, endpoint, routingId, early }
  pending.add(entry)
  host.emit({ type: "connect:delay", address: endpoint.address })
  const forget = (): void => {
    pending?.delete(entry)
    if (pending?.size === 0) pendingByName.delete(endpoint.name)
  }
  return {
    close: (linger) => {
      if (entry.acrossThreads !== undefined) {
        if (!entry.acrossThreads.attached) entry.acrossThreads.abort()
        return
      }
      // With messages queued and linger ≠ 0, stay pending so a later bind still receives them.
      if (early === undefined || !early[1].hasIncoming || linger === 0) {
        forget()
        return
      }
      if (linger > 0) setTimeout(forget, linger).unref()
    },
  }
}

function identityOf(host: SocketHost): PeerIdentity {
  const routingId = host.options.routingId
  return {
    socketType: host.type,
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

function join(connect: PendingConnect, binder: SocketHost, endpoint: InprocEndpoint): void {
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
  if (!isCompatibleSocketType(connecter.type, binder.type)) {
    const error = zmqError("EINVAL", `inproc peer socket type ${binder.type} cannot talk to ${connecter.type}`, endpoint.address)
    connecter.emit({ type: "handshake:error:protocol", address: endpoint.address, error })
    binder.emit({ type: "handshake:error:protocol", address: endpoint.address, error })
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
  // An early pipe was sized by the connecter alone; now both sides' marks are known (libzmq's set_hwms).
  if (connect.early !== undefined) connecterEnd.setLimits(combined(connecter, binder), combined(binder, connecter))
  connecter.emit({ type: "connect", address: endpoint.address })
  binder.emit({ type: "accept", address: endpoint.address })
  connecter.emit({ type: "handshake", address: endpoint.address })
  binder.emit({ type: "handshake", address: endpoint.address })
}

/**
 * A connect that may be answered by another thread: the pipe's far end goes to the hub, which hands it to
 * whichever thread binds the name. Sends queue on the pipe meanwhile, as with a same-thread early pipe.
 */
function connectAcrossThreads(
  host: SocketHost,
  endpoint: InprocEndpoint,
  routingId: Buffer | undefined,
  link: ThreadLink,
  early?: PipeEnd,
): TransportConnection & { readonly pipe: ThreadPipe } {
  const { port1, port2 } = new MessageChannel()
  const pipe = new ThreadPipe(host, endpoint.address, port1)
  if (early !== undefined) pipe.adopt(early)
  else if (!host.requiresPeerIdentity && !host.options.immediate) pipe.attach(undefined, routingId)
  let introduced = false
  pipe.onHello = (peer) => {
    introduced = true
    const identity = peerIdentityOf(peer)
    if (pipe.attached) pipe.setPeer(identity)
    else if (!host.closed) pipe.attach(identity, routingId)
    host.emit({ type: "connect", address: endpoint.address })
    host.emit({ type: "handshake", address: endpoint.address })
  }
  pipe.onRefused = (reason) => {
    const error = zmqError("EINVAL", reason, endpoint.address)
    host.emit({ type: "handshake:error:protocol", address: endpoint.address, error })
  }
  pipe.onDone = (peerGone) => {
    if (!introduced) link.cancel(id)
    else if (peerGone) host.emit({ type: "disconnect", address: endpoint.address })
  }
  const id = link.connect(endpoint.name, port2, wirePeerOf(host), receiveCredit(host))
  host.emit({ type: "connect:delay", address: endpoint.address })
  return {
    pipe,
    close: () => {
      // A pipe the socket holds ends when the socket closes its end (flushing within linger); one it never
      // got (ROUTER before the peer appeared) ends here.
      if (!pipe.attached) pipe.abort()
    },
  }
}

/**
 * The context is being shared: connects still waiting for a bind in this thread now wait at the hub, so a
 * bind in any thread (this one included) answers them. Their early pipes, and what is queued in them, move
 * over as they are.
 */
export function shareInprocPending(context: Context): void {
  const link = context.threads!
  const pendingByName = context.inprocPending as Map<string, Set<PendingConnect>>
  for (const pending of pendingByName.values()) {
    for (const connect of pending) {
      if (connect.host.closed && (connect.early === undefined || !connect.early[1].hasIncoming)) continue
      const { pipe } = connectAcrossThreads(connect.host, connect.endpoint, connect.routingId, link, connect.early?.[1])
      connect.acrossThreads = pipe
    }
  }
  pendingByName.clear()
}

/** A connect from another thread reached a name bound here. */
export function acceptFromThread(context: Context, name: string, port: MessagePort, peer: WirePeer, credit: number): void {
  const binder = (context.inprocBindings as Map<string, SocketHost>).get(name)
  const address = `inproc://${name}`
  if (binder === undefined || binder.closed) {
    port.close() // unbound meanwhile: the connecter sees the pipe end
    return
  }
  const pipe = new ThreadPipe(binder, address, port)
  if (!isCompatibleSocketType(peer.socketType, binder.type)) {
    const reason = `inproc peer socket type ${binder.type} cannot talk to ${peer.socketType}`
    binder.emit({ type: "handshake:error:protocol", address, error: zmqError("EINVAL", reason, address) })
    pipe.refuse(reason)
    return
  }
  pipe.onDone = (peerGone) => {
    if (peerGone) binder.emit({ type: "disconnect", address })
  }
  pipe.attach(peerIdentityOf(peer), undefined)
  pipe.hello(credit)
  binder.emit({ type: "accept", address })
  binder.emit({ type: "handshake", address })
}
