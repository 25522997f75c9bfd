import { remoteError, ZmtpErrorCode } from "./errors.js"
import type { ZmtpError } from "./errors.js"

/**
 * The HTTP/1.1 upgrade that opens a WebSocket (RFC 6455 §4), with ZWS 2.0's subprotocols (RFC 45
 * §"Subprotocols" and libzmq's ws_engine.cpp). Sans-IO: bytes in, parsed heads or bytes out. SHA-1 (needed for
 * Sec-WebSocket-Accept) comes from the caller, so this layer has no platform dependency.
 */

/** SHA-1 of `data` (20 bytes): node:crypto in Node, crypto.subtle elsewhere; injected. */
export type Sha1 = (data: Uint8Array) => Uint8Array

/** The mechanisms ZWS 2.0 names in its subprotocols. */
export type ZwsMechanismName = "NULL" | "PLAIN" | "CURVE"

/** The subprotocol names libzmq speaks. Bare "ZWS2.0" is NULL without a handshake (routing id first). */
export type ZwsProtocol = "ZWS2.0" | "ZWS2.0/NULL" | "ZWS2.0/PLAIN" | "ZWS2.0/CURVE"

/** RFC 6455 §1.3: the GUID appended to the key before hashing. */
const WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
/** A request or response head longer than this is refused: it bounds memory against a peer that never ends it. */
export const WS_MAX_HEAD_SIZE = 8192

/** What a libzmq client offers for each mechanism (ws_engine.cpp), in order. */
export function zwsOffers(mechanism: ZwsMechanismName): readonly ZwsProtocol[] {
  return mechanism === "NULL" ? ["ZWS2.0/NULL", "ZWS2.0"] : [`ZWS2.0/${mechanism}`]
}

/**
 * The first offer a server whose mechanism is `mechanism` can serve, as libzmq's select_protocol: NULL serves
 * "ZWS2.0/NULL" and bare "ZWS2.0", PLAIN and CURVE only their own name.
 */
export function chooseZwsProtocol(offers: readonly string[], mechanism: ZwsMechanismName): ZwsProtocol | undefined {
  for (const offer of offers) {
    if (offer === `ZWS2.0/${mechanism}`) return offer as ZwsProtocol
    if (offer === "ZWS2.0" && mechanism === "NULL") return "ZWS2.0"
  }
  return undefined
}

/** The mechanism a chosen subprotocol means, and whether it is bare ZWS2.0 (no mechanism handshake). */
export function zwsMechanismOf(protocol: ZwsProtocol): { readonly mechanism: ZwsMechanismName; readonly bare: boolean } {
  if (protocol === "ZWS2.0") return { mechanism: "NULL", bare: true }
  return { mechanism: protocol.slice(7) as ZwsMechanismName, bare: false }
}

/** Sec-WebSocket-Accept for `key` (RFC 6455 §4.2.2 item 5.4): base64(SHA-1(key + GUID)). */
export function wsAcceptKey(key: string, sha1: Sha1): string {
  return base64(sha1(ascii(key + WS_GUID)))
}

/** A Sec-WebSocket-Key from 16 random bytes (RFC 6455 §4.1: a nonce, randomly selected). */
export function wsKeyFrom(nonce: Uint8Array): string {
  if (nonce.length !== 16) throw new RangeError("a Sec-WebSocket-Key nonce is 16 bytes")
  return base64(nonce)
}

export interface WsClientRequest {
  /** Host header. libzmq sends the host without the port; servers do not check it. */
  readonly host: string
  /** Request target, starting with "/". */
  readonly path: string
  readonly key: string
  readonly protocols: readonly string[]
}

/** The client's opening request (RFC 6455 §4.1). */
export function encodeWsRequest(request: WsClientRequest): Uint8Array {
  return ascii(
    `GET ${request.path} HTTP/1.1\r\n` +
      `Host: ${request.host}\r\n` +
      "Upgrade: websocket\r\n" +
      "Connection: Upgrade\r\n" +
      `Sec-WebSocket-Key: ${request.key}\r\n` +
      `Sec-WebSocket-Protocol: ${request.protocols.join(", ")}\r\n` +
      "Sec-WebSocket-Version: 13\r\n\r\n",
  )
}

/** The server's 101 answer (RFC 6455 §4.2.2), naming the chosen subprotocol. */
export function encodeWsAccept(key: string, protocol: string, sha1: Sha1): Uint8Array {
  return ascii(
    "HTTP/1.1 101 Switching Protocols\r\n" +
      "Upgrade: websocket\r\n" +
      "Connection: Upgrade\r\n" +
      `Sec-WebSocket-Accept: ${wsAcceptKey(key, sha1)}\r\n` +
      `Sec-WebSocket-Protocol: ${protocol}\r\n\r\n`,
  )
}

/** A refusal (RFC 6455 §4.2.1: "an appropriate HTTP error code such as 400 Bad Request"); then close. */
export function encodeWsRefusal(status: 400 | 404 | 426, reason: string): Uint8Array {
  const extra = status === 426 ? "Sec-WebSocket-Version: 13\r\n" : ""
  return ascii(`HTTP/1.1 ${status} ${reason}\r\n${extra}Content-Length: 0\r\nConnection: close\r\n\r\n`)
}

/** An HTTP head: the start line and headers (names lower-cased, repeated ones joined with ", "). */
export interface HttpHead {
  readonly startLine: string
  readonly headers: ReadonlyMap<string, string>
}

/** A parsed head and the bytes that followed it in the same chunks (the first WebSocket frames, if any). */
export interface HttpHeadResult<T> {
  readonly head: T
  readonly rest: Uint8Array
}

/**
 * Gathers bytes up to the blank line ending an HTTP head (RFC 9112 §2.1). Bounded by WS_MAX_HEAD_SIZE; a
 * slow peer is the caller's timer's business (a handshake timeout).
 */
export class HttpHeadReader {
  #buffer = new Uint8Array(0)
  readonly #start: Uint8Array | undefined

  /**
   * `start`: what the head must begin with ("GET " for a request, "HTTP/" for a response). Bytes that
   * cannot begin it fail at once, as libzmq's character-by-character parser does, instead of waiting for a
   * blank line that a TLS ClientHello or a ZMTP greeting never sends.
   */
  constructor(start?: string) {
    this.#start = start === undefined ? undefined : ascii(start)
  }

  /** The head once complete, else undefined; throws WS_HANDSHAKE_FAILED on a head too long or malformed. */
  feed(chunk: Uint8Array): HttpHeadResult<HttpHead> | undefined {
    const searchFrom = Math.max(0, this.#buffer.length - 3)
    const joined = new Uint8Array(this.#buffer.length + chunk.length)
    joined.set(this.#buffer, 0)
    joined.set(chunk, this.#buffer.length)
    const start = this.#start
    if (start !== undefined) {
      for (let i = this.#buffer.length; i < Math.min(start.length, joined.length); i++) {
        if (joined[i] !== start[i]) throw handshakeFailed(`the peer's first bytes are not ${JSON.stringify(String.fromCharCode(...start))}`)
      }
    }
    const end = findHeadEnd(joined, searchFrom)
    if (end < 0) {
      if (joined.length > WS_MAX_HEAD_SIZE) throw handshakeFailed(`HTTP head longer than ${WS_MAX_HEAD_SIZE} bytes`)
      this.#buffer = joined
      return undefined
    }
    if (end > WS_MAX_HEAD_SIZE) throw handshakeFailed(`HTTP head longer than ${WS_MAX_HEAD_SIZE} bytes`)
    this.#buffer = new Uint8Array(0)
    return { head: parseHead(joined.subarray(0, end - 4)), rest: joined.subarray(end) }
  }
}

/** What a server needs of the client's request. */
export interface WsUpgradeRequest {
  readonly path: string
  readonly host: string | undefined
  readonly key: string
  /** Sec-WebSocket-Protocol offers in order, split on "," and trimmed (libzmq's own offer has no space). */
  readonly protocols: readonly string[]
}

/** Checks a client's head is a WebSocket upgrade (RFC 6455 §4.2.1) and reads what the server needs. */
export function parseWsRequest(head: HttpHead): WsUpgradeRequest {
  const match = /^GET (\S+) HTTP\/1\.1$/.exec(head.startLine)
  if (match === null) throw handshakeFailed(`not a GET HTTP/1.1 request: ${JSON.stringify(head.startLine.slice(0, 80))}`)
  const headers = head.headers
  if (!hasToken(headers.get("upgrade"), "websocket")) throw handshakeFailed("no Upgrade: websocket")
  // Firefox sends "Connection: keep-alive, Upgrade": a token list (RFC 6455 §4.2.1 item 4).
  if (!hasToken(headers.get("connection"), "upgrade")) throw handshakeFailed("no Connection: Upgrade")
  if (headers.get("sec-websocket-version") !== "13") throw handshakeFailed("Sec-WebSocket-Version is not 13")
  const key = headers.get("sec-websocket-key")
  // §4.2.1 item 5: base64 of 16 bytes is 24 characters ending in "==".
  if (key === undefined || !/^[A-Za-z0-9+/]{22}==$/.test(key)) throw handshakeFailed("missing or bad Sec-WebSocket-Key")
  const offers = headers.get("sec-websocket-protocol")
  return {
    path: match[1]!,
    host: headers.get("host"),
    key,
    protocols: offers === undefined ? [] : offers.split(",").map((offer) => offer.trim()).filter((offer) => offer !== ""),
  }
}

/**
 * Checks a server's head accepts our request (RFC 6455 §4.1, the client's checks 1–6) and returns the
 * subprotocol it chose, which must be one we offered.
 */
export function parseWsResponse(head: HttpHead, key: string, offered: readonly string[], sha1: Sha1): string {
  if (!/^HTTP\/1\.1 101( |$)/.test(head.startLine)) {
    throw handshakeFailed(`server refused the upgrade: ${JSON.stringify(head.startLine.slice(0, 80))}`)
  }
  const headers = head.headers
  if (!hasToken(headers.get("upgrade"), "websocket")) throw handshakeFailed("no Upgrade: websocket in the response")
  if (!hasToken(headers.get("connection"), "upgrade")) throw handshakeFailed("no Connection: Upgrade in the response")
  if (headers.get("sec-websocket-accept") !== wsAcceptKey(key, sha1)) throw handshakeFailed("bad Sec-WebSocket-Accept")
  // libzmq never negotiates extensions; a server that names one would send frames we cannot read.
  if (headers.has("sec-websocket-extensions")) throw handshakeFailed("server named an extension we did not offer")
  const protocol = headers.get("sec-websocket-protocol")
  if (protocol === undefined || !offered.includes(protocol)) {
    throw handshakeFailed(`server chose subprotocol ${JSON.stringify(protocol)}, not one of ${offered.join(", ")}`)
  }
  return protocol
}

function parseHead(bytes: Uint8Array): HttpHead {
  let text = ""
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i]!
    // Header bytes are ASCII (RFC 9110 §5.5: obs-text is opaque); refuse control bytes but CR/LF/TAB.
    if ((c < 0x20 && c !== 0x09 && c !== 0x0d && c !== 0x0a) || c === 0x7f) throw handshakeFailed("control byte in the HTTP head")
    text += String.fromCharCode(c)
  }
  const lines = text.split("\r\n")
  const headers = new Map<string, string>()
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!
    const colon = line.indexOf(":")
    if (colon <= 0 || /\s/.test(line[0]!)) throw handshakeFailed(`malformed header line ${JSON.stringify(line.slice(0, 80))}`)
    const name = line.slice(0, colon).trim().toLowerCase()
    const value = line.slice(colon + 1).trim()
    const previous = headers.get(name)
    headers.set(name, previous === undefined ? value : `${previous}, ${value}`)
  }
  return { startLine: lines[0]!, headers }
}

/** Index just after "\r\n\r\n", searching from `from`; -1 when absent. */
function findHeadEnd(bytes: Uint8Array, from: number): number {
  for (let i = from; i + 3 < bytes.length; i++) {
    if (bytes[i] === 0x0d && bytes[i + 1] === 0x0a && bytes[i + 2] === 0x0d && bytes[i + 3] === 0x0a) return i + 4
  }
  return -1
}

function hasToken(value: string | undefined, token: string): boolean {
  return value !== undefined && value.split(",").some((part) => part.trim().toLowerCase() === token)
}

function ascii(text: string): Uint8Array {
  const out = new Uint8Array(text.length)
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i) & 0xff
  return out
}

const BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

function base64(bytes: Uint8Array): string {
  let out = ""
  let i = 0
  for (; i + 3 <= bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!
    out += BASE64[n >>> 18]! + BASE64[(n >>> 12) & 63]! + BASE64[(n >>> 6) & 63]! + BASE64[n & 63]!
  }
  const left = bytes.length - i
  if (left === 1) {
    const n = bytes[i]! << 16
    out += `${BASE64[n >>> 18]!}${BASE64[(n >>> 12) & 63]!}==`
  } else if (left === 2) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8)
    out += `${BASE64[n >>> 18]!}${BASE64[(n >>> 12) & 63]!}${BASE64[(n >>> 6) & 63]!}=`
  }
  return out
}

function handshakeFailed(why: string): ZmtpError {
  return remoteError(ZmtpErrorCode.WS_HANDSHAKE_FAILED, `WebSocket upgrade: ${why}`)
}
