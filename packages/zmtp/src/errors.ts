/**
 * Every failure the codec reports is a `ZmtpError`. Users match on `code`, never on the message text.
 *
 * `origin` keeps h11's split between the two kinds of fault:
 * - `local`: the caller broke the rules (bad option, sending before the handshake, a frame too big to encode);
 * - `remote`: the peer did (bad bytes, wrong mechanism, incompatible socket type, denied credentials).
 * Only the receive path produces remote errors, and it never throws anything else.
 */
export const ZmtpErrorCode = {
  /** The peer's first bytes are not a ZMTP 3.x signature (`0xff`, 8 octets, `0x7f`). RFC 23 §"Signature". */
  INVALID_SIGNATURE: "ERR_ZMTP_INVALID_SIGNATURE",
  /** The peer speaks ZMTP 1.0 or 2.0, which this codec refuses. */
  UNSUPPORTED_VERSION: "ERR_ZMTP_UNSUPPORTED_VERSION",
  /** The peer's greeting names another security mechanism, or both claim to be the PLAIN server. */
  MECHANISM_MISMATCH: "ERR_ZMTP_MECHANISM_MISMATCH",
  /** A command arrived that the current state does not allow (libzmq ZMTP_UNEXPECTED_COMMAND). */
  UNEXPECTED_COMMAND: "ERR_ZMTP_UNEXPECTED_COMMAND",
  /**
   * A message frame arrived before the handshake completed, or a CURVE MESSAGE's nonce is not above the last
   * one received (libzmq ZMTP_INVALID_SEQUENCE).
   */
  INVALID_SEQUENCE: "ERR_ZMTP_INVALID_SEQUENCE",
  /** A command's body does not parse (libzmq ZMTP_MALFORMED_COMMAND_UNSPECIFIED, and the kinds below). */
  MALFORMED_COMMAND: "ERR_ZMTP_MALFORMED_COMMAND",
  /** A CURVE HELLO that is not 200 bytes or not version 1.0 (libzmq ZMTP_MALFORMED_COMMAND_HELLO). */
  MALFORMED_COMMAND_HELLO: "ERR_ZMTP_MALFORMED_COMMAND_HELLO",
  /** A CURVE WELCOME that is not 168 bytes (libzmq ZMTP_MALFORMED_COMMAND_WELCOME). */
  MALFORMED_COMMAND_WELCOME: "ERR_ZMTP_MALFORMED_COMMAND_WELCOME",
  /** A CURVE INITIATE shorter than 257 bytes (libzmq ZMTP_MALFORMED_COMMAND_INITIATE). */
  MALFORMED_COMMAND_INITIATE: "ERR_ZMTP_MALFORMED_COMMAND_INITIATE",
  /** A CURVE READY shorter than 30 bytes (libzmq ZMTP_MALFORMED_COMMAND_READY). */
  MALFORMED_COMMAND_READY: "ERR_ZMTP_MALFORMED_COMMAND_READY",
  /** A CURVE MESSAGE shorter than 33 bytes (libzmq ZMTP_MALFORMED_COMMAND_MESSAGE). */
  MALFORMED_COMMAND_MESSAGE: "ERR_ZMTP_MALFORMED_COMMAND_MESSAGE",
  /**
   * A CURVE box, cookie or vouch did not open, or a key agreement gave the all-zero secret (a null or
   * low-order key): wrong keys, or corrupted or forged bytes (libzmq ZMTP_CRYPTOGRAPHIC).
   */
  CRYPTOGRAPHIC: "ERR_ZMTP_CRYPTOGRAPHIC",
  /** A CURVE vouch that opens but does not name the connection's short-term key (libzmq ZMTP_KEY_EXCHANGE). */
  KEY_EXCHANGE: "ERR_ZMTP_KEY_EXCHANGE",
  /** Bad or missing metadata in READY/INITIATE (libzmq ZMTP_INVALID_METADATA). */
  INVALID_METADATA: "ERR_ZMTP_INVALID_METADATA",
  /** The peer's Socket-Type cannot talk to ours (RFC 23's table). */
  INCOMPATIBLE_SOCKET_TYPE: "ERR_ZMTP_INCOMPATIBLE_SOCKET_TYPE",
  /** A frame header with reserved flag bits set, a command with MORE set, or an impossible length. */
  MALFORMED_FRAME: "ERR_ZMTP_MALFORMED_FRAME",
  /** A frame larger than `maxMessageSize` (libzmq EMSGSIZE). Detected from the header, before any allocation. */
  MESSAGE_TOO_LARGE: "EMSGSIZE",
  /** Our PLAIN server's authenticator denied the peer's credentials (ZAP status 400). */
  AUTHENTICATION_FAILED: "ERR_ZMTP_AUTHENTICATION_FAILED",
  /** The peer sent an ERROR command; `reason` holds its text (RFC 23 §"Error Command"). */
  PEER_ERROR: "ERR_ZMTP_PEER_ERROR",
  /** The caller used the connection in a state that does not allow it (libzmq EFSM). */
  INVALID_STATE: "EFSM",
  /** The caller passed an invalid argument or option (libzmq EINVAL). */
  INVALID_ARGUMENT: "EINVAL",
  /** The caller asked for something the peer's protocol version cannot carry (libzmq ENOTSUP). */
  NOT_SUPPORTED: "ENOTSUP",
  /**
   * A WebSocket frame ZWS 2.0 does not allow (RFC 45 §"Framing", libzmq ws_decoder.cpp): a text or
   * continuation frame or an unknown opcode, a fragmented message (FIN clear), an empty binary payload, RSV
   * bits set (no extension is ever negotiated), a control frame over 125 bytes (RFC 6455 §5.5), or a frame
   * masked the wrong way (client→server must be masked, server→client must not: RFC 6455 §5.1).
   */
  WS_MALFORMED_FRAME: "ERR_WS_MALFORMED_FRAME",
  /**
   * The HTTP/1.1 upgrade (RFC 6455 §4) failed: not a GET upgrade to websocket, a missing or bad
   * Sec-WebSocket-Key/Accept, a head too long, or no subprotocol both sides speak (RFC 45 §"Subprotocols").
   */
  WS_HANDSHAKE_FAILED: "ERR_WS_HANDSHAKE_FAILED",
  /** The peer sent a WebSocket close frame (RFC 6455 §5.5.1): it ends the connection (the echo is queued). */
  WS_CLOSED: "ERR_WS_CLOSED",
  /** Z85 input of the wrong length or with characters outside the alphabet (RFC 32). */
  INVALID_Z85: "ERR_Z85_INVALID",
} as const

export type ZmtpErrorCode = (typeof ZmtpErrorCode)[keyof typeof ZmtpErrorCode]

/** Whose fault it was: `local` = caller misuse, `remote` = the peer's bytes. */
export type ZmtpErrorOrigin = "local" | "remote"

const BRAND: unique symbol = Symbol.for("@zmq-ts/zmtp.ZmtpError") as never

export interface ZmtpErrorOptions {
  /** For PEER_ERROR and AUTHENTICATION_FAILED: the reason text carried by (or put into) the ERROR command. */
  readonly reason?: string
  readonly cause?: unknown
}

export class ZmtpError extends Error {
  readonly code: ZmtpErrorCode
  readonly origin: ZmtpErrorOrigin
  /** The ERROR command's reason text, where one was sent or received. */
  readonly reason: string | undefined
  readonly [BRAND] = true

  constructor(code: ZmtpErrorCode, origin: ZmtpErrorOrigin, message: string, options: ZmtpErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = "ZmtpError"
    this.code = code
    this.origin = origin
    this.reason = options.reason
  }

  /** True for any `ZmtpError`, even one made by another copy of this package (where `instanceof` fails). */
  static isInstance(value: unknown): value is ZmtpError {
    return typeof value === "object" && value !== null && (value as { [BRAND]?: unknown })[BRAND] === true
  }
}

export function remoteError(code: ZmtpErrorCode, message: string, options?: ZmtpErrorOptions): ZmtpError {
  return new ZmtpError(code, "remote", message, options)
}

export function localError(code: ZmtpErrorCode, message: string, options?: ZmtpErrorOptions): ZmtpError {
  return new ZmtpError(code, "local", message, options)
}
