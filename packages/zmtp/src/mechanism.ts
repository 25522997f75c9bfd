import type { ZmtpError } from "./errors.js"
import type { FrameView } from "./frame-decoder.js"
import type { Metadata } from "./metadata.js"

/**
 * A security mechanism (RFC 23 §"Authentication and Confidentiality") is a state machine that runs between
 * the greeting and the data phase. The connection hands it every command it receives during the handshake
 * and gives it a `MechanismHost` to act through; it never sees bytes or sockets.
 *
 * A mechanism that protects the data phase (CURVE, RFC 26, wraps every frame in a MESSAGE command) returns a
 * `FrameTransform` from `dataTransform()`; the connection then passes every outgoing and incoming frame
 * through it. NULL and PLAIN return none and frames travel as they are.
 */
export interface Mechanism {
  /** The name in the greeting, e.g. "NULL", "PLAIN", "CURVE" (≤ 20 ASCII characters). */
  readonly name: string
  /** The greeting's as-server bit. */
  readonly asServer: boolean
  /** Called once, when both greetings are exchanged. */
  start(host: MechanismHost): void
  /** A command received during the handshake (ERROR is handled by the connection, never passed here). */
  processCommand(name: string, data: Uint8Array, host: MechanismHost): void
  /** Delivers the application's answer to `host.requestAuthentication`. */
  resolveAuthentication?(result: AuthenticationResult, host: MechanismHost): void
  /** For mechanisms that encrypt or sign the data phase; called once the handshake is complete. */
  dataTransform?(): FrameTransform | undefined
  /**
   * Called by the connection's owner once the connection has ended (closed, failed or dropped), so that a
   * mechanism holding secrets (CURVE's session key) can zero them. The mechanism and its transform are
   * unusable afterwards. Idempotent; optional for the owner (secrets then live until garbage collection).
   */
  dispose?(): void
}

/** What a mechanism may do to its connection. */
export interface MechanismHost {
  /** Queue a handshake command. */
  sendCommand(name: string, data: Uint8Array): void
  /** Our READY/INITIATE metadata: Socket-Type, Identity and the application's properties, encoded. */
  localMetadata(): Uint8Array
  /** Parses and checks the peer's READY/INITIATE metadata (Socket-Type compatibility, Identity). */
  acceptPeerMetadata(data: Uint8Array, command: string): void
  /** Asks the application to authenticate the peer; the answer comes back via `resolveAuthentication`. */
  requestAuthentication(request: AuthenticationRequest): void
  /** The connection's `peerAddress` option, for requests a mechanism hands to a synchronous authenticator. */
  readonly peerAddress?: string
  /** The handshake has succeeded; `userId` is the authenticated identity, if any. */
  complete(userId?: string): void
  /** The handshake has failed; when `errorReason` is given, an ERROR command carrying it is sent first. */
  fail(error: ZmtpError, errorReason?: string): void
}

/** Wraps and unwraps data-phase frames (CURVE's MESSAGE command). Not used by NULL or PLAIN. */
export interface FrameTransform {
  /**
   * Turns an outgoing data-phase frame (a message frame, or a command such as SUBSCRIBE or PING, as `flags`
   * say) into the frame to put on the wire.
   */
  wrap(flags: number, body: Uint8Array): WireFrame
  /**
   * Turns an incoming wire frame back into the frame it carries, or returns undefined for a frame the
   * transform consumed itself. Throws a remote `ZmtpError` for a frame that fails verification.
   */
  unwrap(flags: number, body: Uint8Array): WireFrame | undefined
  /**
   * Optional: the connection's `frameView` (the host's byte type, e.g. Node's Buffer), given once before the
   * first `unwrap` when the connection has one. A transform that takes it makes every unwrapped body with
   * it, and the connection uses those bodies as they are (one view per frame instead of two).
   */
  useFrameView?(view: FrameView): void
}

/** A frame as flags (RFC 23: MORE, COMMAND; LONG is the encoder's business) and body. */
export interface WireFrame {
  readonly flags: number
  readonly body: Uint8Array
}

export interface AuthenticationRequest {
  readonly mechanism: string
  /** PLAIN's username, decoded as UTF-8. */
  readonly username?: string
  /** PLAIN's password, decoded as UTF-8. */
  readonly password?: string
  /** CURVE's client long-term public key C (32 bytes), the ZAP credential (RFC 27). */
  readonly publicKey?: Uint8Array
  /** Whatever the caller passed as `peerAddress` in the connection options. */
  readonly peerAddress?: string
}

export type AuthenticationResult =
  | { readonly allow: true; readonly userId?: string; readonly metadata?: Metadata }
  | {
      readonly allow: false
      /** ZAP status code sent to the peer as the ERROR reason, as libzmq does: 300, 400 or 500. Default 400. */
      readonly statusCode?: 300 | 400 | 500
      /** A human-readable reason, kept locally in the error message (not sent). */
      readonly statusText?: string
    }

/** Decides one authentication request synchronously; see `plainServer`. */
export type Authenticator = (request: AuthenticationRequest) => AuthenticationResult
