import type { ZmtpConnection } from "@zmq-ts/zmtp"
import type { Frames } from "../pipes/message.js"
import type { WireMessage } from "../pipes/shared-message.js"
import type { Buffer } from "#platform/buffer"
import type { ZapReply } from "../security/zap-client.js"
import type { ConnectionProperties } from "./message-properties.js"

/**
 * What a session needs of the engine that runs its ZMTP connection, whatever carries the bytes: a
 * `net.Socket` (StreamEngine: tcp, ipc, ws over our own RFC 6455 framing) or a platform `WebSocket` whose
 * messages are ZWS payloads (WebSocketEngine: the browser). Decision 0014.
 */
export interface ZmtpEngine {
  readonly connection: ZmtpConnection
  /** The handshake has completed. */
  readonly ready: boolean
  readonly closed: boolean
  /** The peer's address without port (ZAP, the "Peer-Address" message property). */
  readonly peerHost: string
  /** What the ZAP handler answered (status 200) for this connection; undefined when none was asked. */
  readonly authentication: ZapReply | undefined
  /** Bytes handed to the carrier that have not reached the wire yet (linger waits for them). */
  readonly unsentBytes: number
  tagReceivedFrames(properties: ConnectionProperties): void
  /** Starts pulling outgoing messages from `source` (the session's pipe end). */
  setSource(source: (() => WireMessage | undefined) | undefined): void
  /** Schedules a flush after the current batch of work. */
  requestFlush(): void
  /** The session's pipe has room again: read on. */
  resume(): void
  /** Writes what is queued, then ends the connection (linger). */
  endWhenFlushed(): void
  /** Ends the connection now; queued bytes are dropped. */
  destroy(): void
}
