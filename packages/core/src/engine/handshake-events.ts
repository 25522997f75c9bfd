import { ZmtpError, ZmtpErrorCode } from "@zmq-ts/zmtp"
import { fromSystemError, zmqError, ZmqError } from "../common/errors.js"
import type { AuthError, ProtocolError, SocketEvent } from "../common/events.js"
import type { ZapErrorCode } from "../security/zap-client.js"

/**
 * The monitor event a failed ZMTP handshake raises, as libzmq 4.3.5 raises it and zeromq.js shapes it.
 *
 * - ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL for a mechanism mismatch (zmtp_engine.cpp) and for a mechanism's
 *   malformed or unexpected command or bad metadata (null_mechanism.cpp, plain_*.cpp): zeromq.js makes it
 *   `Error("ZMTP protocol error")` with the libzmq code's name as `code` (observer.cc's ProtoError).
 * - ZMQ_EVENT_HANDSHAKE_FAILED_AUTH for a ZAP status 300/400/500, sent in an ERROR command or given by the
 *   authenticator (mechanism_base.cpp's handle_error_reason): `Error` with that `status` (observer.cc's
 *   AuthError wording).
 * - ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL with ZMQ_PROTOCOL_ERROR_ZAP_* for a ZAP handler's bad reply
 *   (zap_client.cpp): `Error("ZAP protocol error")` with `code` ERR_ZAP_* (see `zapProtocolError`).
 * - ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL for the rest (a timeout, the peer hanging up, no ZAP handler when
 *   one is needed: EFAULT): `handshake:error:other` with a ZmqError.
 * - None for an incompatible socket type (mechanism.cpp's parse_metadata fails with EINVAL and the engine
 *   only reports the disconnect) nor for an ERROR command whose reason is not a status code.
 *
 * The codec's ZmtpError, with its explanation, rides along as `cause`.
 */
export function handshakeFailure(address: string, error: ZmtpError | Error): SocketEvent | undefined {
  if (zapProtocolErrors.has(error)) return { type: "handshake:error:protocol", address, error: error as ProtocolError }
  if (!ZmtpError.isInstance(error)) {
    const failure = ZmqError.isInstance(error) ? error : fromSystemError(error as NodeJS.ErrnoException, address)
    return { type: "handshake:error:other", address, error: failure }
  }
  const status = authStatus(error)
  if (status !== undefined) {
    const failure = new Error(AUTH_MESSAGES[status] ?? "Unknown error", { cause: error }) as Error & { status: number }
    failure.status = status
    return { type: "handshake:error:auth", address, error: failure as AuthError }
  }
  if (error.code === ZmtpErrorCode.INCOMPATIBLE_SOCKET_TYPE || error.code === ZmtpErrorCode.PEER_ERROR) return undefined
  const failure = new Error("ZMTP protocol error", { cause: error }) as Error & { code: string }
  // libzmq's name where it has the case; the codec's own code where libzmq has none (it would speak ZMTP
  // 1.0/2.0 to a peer we refuse, or fail its frame decoder without an event).
  failure.code = LIBZMQ_CODES[error.code] ?? error.code
  return { type: "handshake:error:protocol", address, error: failure as ProtocolError }
}

/** The errors `zapProtocolError` made, so `handshakeFailure` knows them. */
const zapProtocolErrors = new WeakSet<object>()

/**
 * The error of a `handshake:error:protocol` event for a ZAP handler's bad reply, as zeromq.js makes it
 * (observer.cc's ProtoError: "ZAP protocol error", `code` ERR_ZAP_*), with our explanation in its `cause`
 * (a ZmqError EPROTO: libzmq's errno for these). The engine fails the handshake with it.
 */
export function zapProtocolError(code: ZapErrorCode, details: string, address: string): ProtocolError {
  const failure = new Error("ZAP protocol error", { cause: zmqError("EPROTO", details, address) }) as Error & { code: string }
  failure.code = code
  zapProtocolErrors.add(failure)
  return failure
}

/** ZMQ_PROTOCOL_ERROR_ZMTP_* names for the codec's codes that match one. */
const LIBZMQ_CODES: Partial<Record<string, string>> = {
  [ZmtpErrorCode.MECHANISM_MISMATCH]: "ERR_ZMTP_MECHANISM_MISMATCH",
  [ZmtpErrorCode.UNEXPECTED_COMMAND]: "ERR_ZMTP_UNEXPECTED_COMMAND",
  [ZmtpErrorCode.INVALID_SEQUENCE]: "ERR_ZMTP_INVALID_SEQUENCE",
  [ZmtpErrorCode.MALFORMED_COMMAND]: "ERR_ZMTP_MALFORMED_COMMAND_UNSPECIFIED",
  [ZmtpErrorCode.INVALID_METADATA]: "ERR_ZMTP_INVALID_METADATA",
}

/** observer.cc's AuthError. */
const AUTH_MESSAGES: Partial<Record<number, string>> = {
  300: "Temporary error",
  400: "Authentication failure",
  500: "Internal error",
}

/** A ZAP status in an ERROR command's reason, exactly "300", "400" or "500" (mechanism_base.cpp). */
function authStatus(error: ZmtpError): number | undefined {
  if (error.code !== ZmtpErrorCode.PEER_ERROR && error.code !== ZmtpErrorCode.AUTHENTICATION_FAILED) return undefined
  const reason = error.reason ?? ""
  return /^[345]00$/.test(reason) ? Number(reason) : error.code === ZmtpErrorCode.AUTHENTICATION_FAILED ? 400 : undefined
}
