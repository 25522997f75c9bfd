import { isSocketType, type SocketType } from "@zmq-ts/zmtp"
import { zmqError } from "../common/errors.js"
import type { SocketEvent } from "../common/events.js"
import type { SocketOptionValues, SocketTypeName } from "../common/options.js"
import type { PipeEnd, PipeListener } from "./pipe.js"

/**
 * What a socket shows the layers that give it pipes (transports, sessions). They move bytes (tcp, ipc) or
 * whole messages (inproc) and hand the socket pipe ends; they never see routing. The socket type's name is
 * here only so a session can put it in the handshake and inproc can check the pair.
 */
export interface SocketHost {
  readonly type: SocketTypeName
  /**
   * What a connection carries: ZMTP (every type but STREAM), or raw bytes (STREAM: no handshake, each chunk
   * read is a message and each message is written as it is; libzmq's raw engine).
   */
  readonly wire: "zmtp" | "raw"
  readonly options: Readonly<SocketOptionValues>
  readonly closed: boolean
  /** The context's ZMQ_BLOCKY (the advice of the warning printed when queued messages delay exit). */
  readonly blocky: boolean
  /** ROUTER-like sockets need the peer's routing id before a pipe is attached. */
  readonly requiresPeerIdentity: boolean
  /**
   * `disconnect()` was called on the socket while its ZMQ_RECONNECT_STOP had AFTER_DISCONNECT (libzmq's
   * `_disconnected`): its ipc connecters stop retrying a refused connect.
   */
  readonly disconnected?: boolean
  /** The socket, as the listener of its pipe ends. */
  readonly listener: PipeListener
  /** Gives the socket a pipe end to a peer. */
  attachPipe(pipe: PipeEnd): void
  emit(event: SocketEvent): void
}

/**
 * Whether a connecting socket gets its pipe at connect time, so that sends queue before the peer is there
 * and across reconnects: unless `immediate`, and unless the socket routes by the peer's routing id and was
 * not given one to use (ROUTER without ZMQ_CONNECT_ROUTING_ID waits for the handshake to learn it).
 */
export function pipeAtConnect(host: SocketHost, routingId: Uint8Array | undefined): boolean {
  return !host.options.immediate && (!host.requiresPeerIdentity || routingId !== undefined)
}

/**
 * The host's socket type as ZMTP names it, for the layers that speak ZMTP or join ZMTP types (tcp, ipc,
 * inproc): STREAM (raw bytes) and DGRAM (udp datagrams) have none, so they fail with ENOCOMPATPROTO at
 * `address` where ZMTP would be spoken.
 */
export function zmtpTypeOf(host: SocketHost, address: string): SocketType {
  const type = host.type
  if (!isSocketType(type)) {
    const carriers = type === "STREAM" ? "only tcp:// and ipc:// can carry its raw bytes" : "only udp:// can carry it"
    throw zmqError("ENOCOMPATPROTO", `a ${type} socket speaks no ZMTP: ${carriers}`, address)
  }
  return type
}
