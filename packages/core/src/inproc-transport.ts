import { isCompatibleSocketType } from "@zmq-ts/zmtp"
import type { Endpoint } from "./endpoint.js"
import { zmqError } from "./errors.js"
import { CONFLATE, pipeLimits, PipeEnd, type PeerIdentity, type PipeListener } from "./pipe.js"
import type { SocketHost, TransportBinding, TransportConnection } from "./transport.js"

type InprocEndpoint = Extract<Endpoint, { transport: "inproc" }>

interface PendingConnect {
  readonly host: SocketHost
  readonly routingId: Buffer | undefined
  /** A pipe made at connect time so sends can queue before the bind (libzmq 4.x); undefined for ROUTER. */
  readonly early: [PipeEnd, PipeEnd] | undefined
}

/** Holds messages for an early pipe's far end until a socket binds the name. */
const UNBOUND: PipeListener = { pipeReadable() {}, pipeWritable() {}, pipeTerminated() {} }

/**
 * inproc: sockets of one Context joined by pipes directly — no encoding, no copying, no handshake. Each
 * direction's high-water mark is the writer's SNDHWM plus the reader's RCVHWM, as in libzmq. Connecting
 * before the name is bound works: the connecter gets its pipe at once, and the binder its end on bind.
 */
export function bindInproc(host: SocketHost, endpoint: InprocEndpoint): TransportBinding {
  const bindings = host.context.inprocBindings as Map<string, SocketHost>
  if (bindings.has(endpoint.name)) throw zmqError("EADDRINUSE", `${endpoint.address} is already bound`, endpoint.address)
  bindings.set(endpoint.name, host)
  const pendingByName = host.context.inprocPending as Map<string, Set<PendingConnect>>
  const pending = pendingByName.get(endpoint.name)
  if (pending !== undefined) {
    pendingByName.delete(endpoint.name)
    for (const connect of pending) join(connect, host, endpoint)
  }
  return {
    endpoint: endpoint.address,
    close: async () => {
      if (bindings.get(endpoint.name) === host) bindings.delete(endpoint.name)
    },
  }
}

export function connectInproc(host: SocketHost, endpoint: InprocEndpoint, routingId: Buffer | undefined): TransportConnection {
  const bindings = host.context.inprocBindings as Map<string, SocketHost>
  const binder = bindings.get(endpoint.name)
  if (binder !== undefined) {
    join({ host, routingId, early: undefined }, binder, endpoint)
    return { close: () => {} }
  }
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
  const entry: PendingConnect = { host, routingId, early }
  pending.add(entry)
  host.emit({ type: "connect:delay", address: endpoint.address })
  const forget = (): void => {
    pending?.delete(entry)
    if (pending?.size === 0) pendingByName.delete(endpoint.name)
  }
  return {
    close: (linger) => {
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
