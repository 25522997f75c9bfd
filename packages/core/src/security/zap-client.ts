import { Buffer } from "#platform/buffer"
import type { AuthenticationRequest } from "@zmq-ts/zmtp"

/**
 * The ZAP client (RFC 27, ZeroMQ Authentication Protocol 1.0) as libzmq 4.3.5's sessions speak it
 * (zap_client.cpp, session_base.cpp's zap_connect, mechanism_base.cpp).
 *
 * Theory of operation. A server mechanism that must authenticate its peer (PLAIN at HELLO, CURVE at
 * INITIATE, NULL before its READY when ZMQ_ZAP_DOMAIN is set) raises an `authenticate` event; the engine
 * hands it to `authenticate()` here, with the connection's `ZapSettings`, and feeds the outcome back to the
 * mechanism. For each request:
 *
 *   connect ──no handler──▶ decided by policy (below) without asking anyone
 *      │
 *      └─ a pipe to the socket bound at inproc://zeromq.zap.01 (REP, ROUTER or SERVER) ──▶ request sent
 *            ──reply──▶ checked (`parseZapReply`) ──▶ allow (200) | deny (300/400/500) | malformed
 *            ──the handler's end closes first──▶ unavailable ("handler gone")
 *            ──the connection ends first──▶ cancelled: the pipe is closed, nothing is reported
 *
 * The request (RFC 27 §"Request"), one message: an empty delimiter (so a REP handler finds its envelope and
 * a ROUTER one sees it after the routing id), "1.0", the request id, the socket's ZMQ_ZAP_DOMAIN, the peer's
 * address without port, the server socket's own ZMQ_ROUTING_ID (the "identity" frame; libzmq sends its
 * options' routing id, not the peer's), the mechanism name, then the credentials: none for NULL, username
 * and password for PLAIN, the client's long-term 32-byte public key for CURVE.
 *
 * The reply must be exactly 7 frames: "", "1.0", the same request id, a status code of exactly 200, 300, 400
 * or 500, a status text, a user id and ZMTP-encoded metadata; anything else is a protocol error with
 * libzmq's ZMQ_PROTOCOL_ERROR_ZAP_* name (`ZapErrorCode`).
 *
 * Each request has a pipe of its own (libzmq gives each session one), so a ROUTER handler sees each
 * connection as a peer of its own. libzmq numbers every request "1"; we number them from 1 across the
 * process, so a handler that answers one connection's request with another's id is caught (BAD_REQUEST_ID)
 * instead of authenticating the wrong peer. Handlers echo the id, as RFC 27 says, and see no difference.
 *
 * Without a handler (libzmq 4.3.5, curve_server.cpp, plain_server.cpp, null_mechanism.cpp): PLAIN fails
 * (there is no point to PLAIN without ZAP); NULL (asked only when a domain is set) and CURVE proceed
 * unauthenticated unless ZMQ_ZAP_ENFORCE_DOMAIN is set, which makes them fail too. Failures are reported as
 * libzmq does: ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL with EFAULT, and a silent disconnect.
 */

/** Where a context's ZAP handler binds (RFC 27). */
export const ZAP_ENDPOINT = "inproc://zeromq.zap.01"
/** The inproc name of `ZAP_ENDPOINT`. */
export const ZAP_NAME = "zeromq.zap.01"
/** The socket types a ZAP handler may be (libzmq asserts this in zap_connect). */
export const ZAP_HANDLER_TYPES: ReadonlySet<string> = new Set(["REP", "ROUTER", "SERVER"])

const VERSION = "1.0"
const REPLY_FRAMES = 7

/**
 * libzmq's ZMQ_PROTOCOL_ERROR_ZAP_* as zeromq.js names them: the `code` of a `handshake:error:protocol`
 * event raised for a bad reply of the ZAP handler.
 */
export const ZapErrorCode = {
  /** The reply's first frame (the delimiter) is not empty. */
  UNSPECIFIED: "ERR_ZAP_UNSPECIFIED",
  /** The reply does not have exactly 7 frames. */
  MALFORMED_REPLY: "ERR_ZAP_MALFORMED_REPLY",
  /** The reply's request id is not the request's. */
  BAD_REQUEST_ID: "ERR_ZAP_BAD_REQUEST_ID",
  /** The reply's version is not "1.0". */
  BAD_VERSION: "ERR_ZAP_BAD_VERSION",
  /** The reply's status code is not exactly 200, 300, 400 or 500. */
  INVALID_STATUS_CODE: "ERR_ZAP_INVALID_STATUS_CODE",
  /** The reply's metadata frame is not ZMTP metadata. */
  INVALID_METADATA: "ERR_ZAP_INVALID_METADATA",
} as const

export type ZapErrorCode = (typeof ZapErrorCode)[keyof typeof ZapErrorCode]

/** The far end of a pipe to the ZAP handler, as the ZAP client uses it. */
export interface ZapChannel {
  /** Queues one request message (ZAP pipes have no high-water mark); false when the handler is gone. */
  send(message: Buffer[]): boolean
  /** Closes our end; the handler's socket sees that peer go. */
  close(): void
}

/** What the ZAP client hears from its channel. */
export interface ZapChannelListener {
  /** A message from the handler. */
  reply(message: Buffer[]): void
  /** The handler's end of the pipe closed (its socket closed). */
  closed(): void
}

/**
 * Opens a pipe to the socket bound at inproc://zeromq.zap.01 in the connection's context, or returns
 * undefined when none is bound (or it is not a REP, ROUTER or SERVER). Given to sessions by the layer that
 * owns the context's inproc names (transports/registry.ts), so nothing here reaches up for it.
 */
export type ZapConnector = (listener: ZapChannelListener) => ZapChannel | undefined

/** What one connection's authentication needs. */
export interface ZapSettings {
  readonly connect: ZapConnector
  /** ZMQ_ZAP_DOMAIN's bytes; empty when none is set. */
  readonly domain: Buffer
  /** ZMQ_ZAP_ENFORCE_DOMAIN. */
  readonly enforceDomain: boolean
  /** The server socket's own ZMQ_ROUTING_ID; empty when none is set. */
  readonly identity: Buffer
  /** The peer's address without port: its IP for tcp; "localhost" for ipc (see stream-addressing.ts). */
  readonly address: string
}

/** What a handler answered with status 200. */
export interface ZapReply {
  readonly statusText: string
  /** The user id, which the connection's messages report as their "User-Id" property. */
  readonly userId: string
  /** The reply's metadata properties, in the order sent; later duplicates are ignored, as libzmq does. */
  readonly metadata: ReadonlyArray<readonly [string, Buffer]>
}

/** How one authentication ended. */
export type ZapOutcome =
  /** Proceed; `reply` is the handler's, or undefined when no handler was asked (no handler, not required). */
  | { readonly type: "allow"; readonly reply: ZapReply | undefined }
  /** The handler refused: 300 means a silent disconnect, 400 and 500 an ERROR command carrying the code. */
  | { readonly type: "deny"; readonly status: 300 | 400 | 500; readonly statusText: string }
  /** The handler's reply broke RFC 27. */
  | { readonly type: "malformed"; readonly code: ZapErrorCode; readonly details: string }
  /** A handler was needed and there was none, or it went away before answering. */
  | { readonly type: "unavailable"; readonly details: string }

let lastRequestId = 0

/**
 * Decides one `authenticate` request of a server mechanism: asks the ZAP handler, or decides as libzmq does
 * without one. Calls `done` exactly once, perhaps before returning; returns a function that abandons the
 * request (the connection ended first), after which `done` is not called.
 */
export function authenticate(request: AuthenticationRequest, settings: ZapSettings, done: (outcome: ZapOutcome) => void): () => void {
  const requestId = String(++lastRequestId)
  let settled = false
  const settle = (outcome: ZapOutcome): void => {
    if (settled) return
    settled = true
    done(outcome)
  }
  let channel: ZapChannel | undefined
  channel = settings.connect({
    reply: (message) => {
      if (settled) return
      channel?.close()
      settle(parseZapReply(message, requestId))
    },
    closed: () => settle({ type: "unavailable", details: `the ZAP handler at ${ZAP_ENDPOINT} went away before answering request ${requestId}` }),
  })
  if (channel === undefined) {
    // PLAIN without ZAP is pointless, so libzmq refuses it whatever ZMQ_ZAP_ENFORCE_DOMAIN says.
    const required = request.mechanism === "PLAIN" || settings.enforceDomain
    settle(
      required
        ? { type: "unavailable", details: `${request.mechanism} needs a ZAP handler at ${ZAP_ENDPOINT} and none is bound in this context` }
        : { type: "allow", reply: undefined },
    )
    return () => {}
  }
  if (!settled && !channel.send(zapRequestFrames(requestId, request, settings))) {
    settle({ type: "unavailable", details: `the ZAP handler at ${ZAP_ENDPOINT} went away before the request was sent` })
  }
  const opened = channel
  return () => {
    if (settled) return
    settled = true
    opened.close()
  }
}

/** The request message (RFC 27 §"Request"): delimiter, version, id, domain, address, identity, mechanism, credentials. */
export function zapRequestFrames(requestId: string, request: AuthenticationRequest, settings: Omit<ZapSettings, "connect" | "enforceDomain">): Buffer[] {
  return [
    Buffer.alloc(0),
    Buffer.from(VERSION, "latin1"),
    Buffer.from(requestId, "latin1"),
    settings.domain,
    Buffer.from(settings.address, "utf8"),
    settings.identity,
    Buffer.from(request.mechanism, "latin1"),
    ...credentialsOf(request),
  ]
}

/**
 * The credential frames of a mechanism (RFC 27 §"Request"): PLAIN's username and password, a CURVE client's
 * long-term public key (32 bytes, as `publicKey` on the request), none for NULL.
 */
function credentialsOf(request: AuthenticationRequest): Buffer[] {
  if (request.mechanism === "PLAIN") return [Buffer.from(request.username ?? "", "utf8"), Buffer.from(request.password ?? "", "utf8")]
  const publicKey = (request as { readonly publicKey?: Uint8Array }).publicKey
  if (publicKey !== undefined) return [Buffer.from(publicKey.buffer, publicKey.byteOffset, publicKey.byteLength)]
  return []
}

/** Checks a reply (RFC 27 §"Reply") in libzmq's order: frame count, delimiter, version, id, status, metadata. */
export function parseZapReply(message: readonly Buffer[], requestId: string): ZapOutcome {
  if (message.length !== REPLY_FRAMES) {
    return malformed(ZapErrorCode.MALFORMED_REPLY, `ZAP reply has ${message.length} frames, expected ${REPLY_FRAMES}`)
  }
  const [delimiter, version, id, status, text, userId, metadata] = message as [Buffer, Buffer, Buffer, Buffer, Buffer, Buffer, Buffer]
  if (delimiter.length > 0) return malformed(ZapErrorCode.UNSPECIFIED, `ZAP reply starts with a ${delimiter.length}-byte frame, expected the empty delimiter`)
  if (version.toString("latin1") !== VERSION) {
    return malformed(ZapErrorCode.BAD_VERSION, `ZAP reply version ${show(version)}, expected "${VERSION}"`)
  }
  if (id.toString("latin1") !== requestId) {
    return malformed(ZapErrorCode.BAD_REQUEST_ID, `ZAP reply request id ${show(id)}, expected "${requestId}"`)
  }
  const code = status.length === 3 && status[1] === 0x30 && status[2] === 0x30 && status[0]! >= 0x32 && status[0]! <= 0x35 ? (status[0]! - 0x30) * 100 : 0
  if (code === 0) return malformed(ZapErrorCode.INVALID_STATUS_CODE, `ZAP reply status ${show(status)}, expected 200, 300, 400 or 500`)
  const properties = parseZapMetadata(metadata)
  if (properties === undefined) {
    return malformed(ZapErrorCode.INVALID_METADATA, `ZAP reply metadata of ${metadata.length} bytes is not ZMTP metadata`)
  }
  const statusText = text.toString("utf8")
  if (code !== 200) return { type: "deny", status: code as 300 | 400 | 500, statusText }
  return { type: "allow", reply: { statusText, userId: userId.toString("utf8"), metadata: properties } }
}

/**
 * ZMTP metadata (RFC 23: name-size, name, 4-octet value-size, value; repeated) as libzmq's parse_metadata
 * reads it: any bytes end a property list only at a property boundary, else the list is invalid.
 */
function parseZapMetadata(bytes: Buffer): Array<[string, Buffer]> | undefined {
  const properties: Array<[string, Buffer]> = []
  let at = 0
  while (bytes.length - at > 1) {
    const nameLength = bytes[at]!
    at += 1
    if (bytes.length - at < nameLength) return undefined
    const name = bytes.toString("latin1", at, at + nameLength)
    at += nameLength
    if (bytes.length - at < 4) return undefined
    const valueLength = bytes.readUInt32BE(at)
    at += 4
    if (bytes.length - at < valueLength) return undefined
    properties.push([name, Buffer.from(bytes.subarray(at, at + valueLength))]) // a copy: the handler may reuse its Buffer
    at += valueLength
  }
  return at === bytes.length ? properties : undefined
}

function malformed(code: ZapErrorCode, details: string): ZapOutcome {
  return { type: "malformed", code, details }
}

function show(frame: Buffer): string {
  const text = frame.toString("latin1")
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text)
}
