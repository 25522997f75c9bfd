/**
 * ZAP (RFC 27, https://rfc.zeromq.org/spec/27/) frames as a handler sees them on a ROUTER bound at
 * `inproc://zeromq.zap.01`. A request, after the envelope (the ROUTER's routing id, any further routing
 * frames, the empty delimiter), is
 *
 *   "1.0" | request id | domain | address | identity | mechanism | credentials…
 *
 * (credentials: none for NULL, username + password for PLAIN, the client's 32-byte long-term key for
 * CURVE), and the reply, after the same envelope, is exactly
 *
 *   "1.0" | request id | status code | status text | user id | metadata
 *
 * A message with no empty delimiter has no envelope to answer through, and is dropped, as a REP socket
 * (what pyzmq and zauth bind) drops it.
 */
import { Buffer } from "#platform/buffer"

/** Where a context's ZAP handler is bound (RFC 27). */
export const ZAP_ENDPOINT = "inproc://zeromq.zap.01"
export const ZAP_VERSION = "1.0"

/** RFC 27's status codes: 200 success, 300 temporary error, 400 authentication failure, 500 internal error. */
export type ZapStatus = 200 | 300 | 400 | 500

/** A ZAP request as the authenticator read it, handed to PLAIN and CURVE callbacks. */
export interface ZapRequest {
  /** The request id frame, echoed in the reply. */
  readonly requestId: Buffer
  /** The server socket's `zapDomain` ("" when it has none). */
  readonly domain: string
  /** The peer's IP address, without port ("" for ipc and inproc peers). */
  readonly address: string
  /** The server socket's own `routingId` (RFC 27's "identity"; often empty). */
  readonly identity: Buffer
  /** "NULL", "PLAIN", "CURVE", … */
  readonly mechanism: string
  /** The mechanism's credential frames. */
  readonly credentials: readonly Buffer[]
}

const EMPTY = Buffer.alloc(0)
const utf8 = new TextDecoder("utf-8")

/** A request's frames split at the first empty frame: the envelope (delimiter included) and the body. */
export function splitEnvelope(frames: readonly Buffer[]): { envelope: Buffer[]; body: Buffer[] } | undefined {
  const delimiter = frames.findIndex((frame) => frame.length === 0)
  if (delimiter < 0) return undefined
  return { envelope: frames.slice(0, delimiter + 1), body: frames.slice(delimiter + 1) }
}

/** A request body read as far as it goes: the request, or what is wrong with it (pyzmq's replies). */
export type ParsedRequest =
  | { readonly ok: true; readonly request: ZapRequest }
  | { readonly ok: false; readonly request: ZapRequest; readonly reason: string }

export function parseRequest(body: readonly Buffer[]): ParsedRequest {
  const text = (index: number): string => (body[index] === undefined ? "" : utf8.decode(body[index]))
  const request: ZapRequest = {
    requestId: body[1] ?? EMPTY,
    domain: text(2),
    address: text(3),
    identity: body[4] ?? EMPTY,
    mechanism: text(5),
    credentials: body.slice(6),
  }
  if (body.length < 6) return { ok: false, request, reason: "Not enough frames" }
  if (text(0) !== ZAP_VERSION) return { ok: false, request, reason: "Invalid version" }
  return { ok: true, request }
}

/** The reply to send for a request: its envelope, then the six ZAP frames (metadata empty). */
export function replyFrames(envelope: readonly Buffer[], requestId: Buffer, status: ZapStatus, text: string, userId: Buffer): Buffer[] {
  return [...envelope, Buffer.from(ZAP_VERSION), requestId, Buffer.from(String(status)), Buffer.from(text), userId, EMPTY]
}
