/**
 * The HTTP/1.1 upgrade (RFC 6455 §4) and ZWS 2.0's subprotocol choice (RFC 45, libzmq ws_engine.cpp).
 * SHA-1 comes from node:crypto here, as core injects it.
 */
import { createHash } from "node:crypto"
import { describe, expect, it } from "vitest"
import fc from "fast-check"
import {
  chooseZwsProtocol,
  encodeWsAccept,
  encodeWsRefusal,
  encodeWsRequest,
  HttpHeadReader,
  parseWsRequest,
  parseWsResponse,
  wsAcceptKey,
  wsKeyFrom,
  WS_MAX_HEAD_SIZE,
  ZmtpError,
  ZmtpErrorCode,
  zwsMechanismOf,
  zwsOffers,
} from "../src/index.js"
import type { HttpHead } from "../src/index.js"
import { ascii, concat } from "./helpers/chunking.js"

const sha1 = (data: Uint8Array): Uint8Array => new Uint8Array(createHash("sha1").update(data).digest())

function readHead(bytes: Uint8Array, cuts: readonly number[] = []): { head: HttpHead; rest: Uint8Array } {
  const reader = new HttpHeadReader()
  const points = [...new Set(cuts.map((cut) => cut % (bytes.length + 1))), bytes.length].sort((a, b) => a - b)
  let from = 0
  for (const point of points) {
    const result = reader.feed(bytes.slice(from, point))
    from = point
    if (result !== undefined) return { head: result.head, rest: concat(result.rest, bytes.slice(point)) }
  }
  throw new Error("head never ended")
}

function code(run: () => unknown): string {
  try {
    run()
  } catch (error) {
    if (error instanceof ZmtpError) return error.code
    throw error
  }
  return "no error"
}

describe("Sec-WebSocket-Accept", () => {
  it("matches RFC 6455 §1.3's example", () => {
    expect(wsAcceptKey("dGhlIHNhbXBsZSBub25jZQ==", sha1)).toBe("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")
    expect(wsKeyFrom(ascii("the sample nonce"))).toBe("dGhlIHNhbXBsZSBub25jZQ==")
  })
})

describe("subprotocols (libzmq's select_protocol)", () => {
  it("offers what libzmq's client offers", () => {
    expect(zwsOffers("NULL")).toEqual(["ZWS2.0/NULL", "ZWS2.0"])
    expect(zwsOffers("PLAIN")).toEqual(["ZWS2.0/PLAIN"])
    expect(zwsOffers("CURVE")).toEqual(["ZWS2.0/CURVE"])
  })
  it("a server picks the first offer its mechanism serves; bare ZWS2.0 only for NULL", () => {
    expect(chooseZwsProtocol(["ZWS2.0/NULL", "ZWS2.0"], "NULL")).toBe("ZWS2.0/NULL")
    expect(chooseZwsProtocol(["ZWS2.0"], "NULL")).toBe("ZWS2.0")
    expect(chooseZwsProtocol(["ZWS2.0"], "PLAIN")).toBeUndefined()
    expect(chooseZwsProtocol(["ZWS2.0/NULL", "ZWS2.0"], "CURVE")).toBeUndefined()
    expect(chooseZwsProtocol(["ZWS2.0/CURVE"], "CURVE")).toBe("ZWS2.0/CURVE")
    expect(chooseZwsProtocol(["chat", "ZWS2.0/PLAIN"], "PLAIN")).toBe("ZWS2.0/PLAIN")
    expect(zwsMechanismOf("ZWS2.0")).toEqual({ mechanism: "NULL", bare: true })
    expect(zwsMechanismOf("ZWS2.0/CURVE")).toEqual({ mechanism: "CURVE", bare: false })
  })
})

describe("request and response", () => {
  const key = "dGhlIHNhbXBsZSBub25jZQ=="

  it("round trip: our request parses at a server, its 101 at the client, under any chunking, with trailing frames kept", () => {
    fc.assert(
      fc.property(fc.array(fc.nat(), { maxLength: 10 }), fc.uint8Array({ maxLength: 20 }), (cuts, trailing) => {
        const request = encodeWsRequest({ host: "127.0.0.1", path: "/chat", key, protocols: zwsOffers("NULL") })
        const { head, rest } = readHead(concat(request, trailing), cuts)
        expect([...rest]).toEqual([...trailing])
        const parsed = parseWsRequest(head)
        expect(parsed).toEqual({ path: "/chat", host: "127.0.0.1", key, protocols: ["ZWS2.0/NULL", "ZWS2.0"] })
        const chosen = chooseZwsProtocol(parsed.protocols, "NULL")!
        const response = readHead(concat(encodeWsAccept(parsed.key, chosen, sha1), trailing), cuts)
        expect(parseWsResponse(response.head, key, zwsOffers("NULL"), sha1)).toBe("ZWS2.0/NULL")
        expect([...response.rest]).toEqual([...trailing])
      }),
      { numRuns: 100 },
    )
  })

  it("reads libzmq's own request (offers without a space, Host without the port)", () => {
    const libzmq = ascii(
      `GET /x HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\n` +
        "Sec-WebSocket-Protocol: ZWS2.0/NULL,ZWS2.0\r\nSec-WebSocket-Version: 13\r\n\r\n",
    )
    expect(parseWsRequest(readHead(libzmq).head).protocols).toEqual(["ZWS2.0/NULL", "ZWS2.0"])
  })

  it("accepts Firefox's Connection: keep-alive, Upgrade", () => {
    const firefox = ascii(
      `GET / HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: keep-alive, Upgrade\r\nSec-WebSocket-Key: ${key}\r\n` +
        "Sec-WebSocket-Protocol: ZWS2.0\r\nSec-WebSocket-Version: 13\r\n\r\n",
    )
    expect(parseWsRequest(readHead(firefox).head).path).toBe("/")
  })

  it("refuses what is not a WebSocket upgrade", () => {
    const plain = ascii("GET / HTTP/1.1\r\nHost: h\r\n\r\n")
    expect(code(() => parseWsRequest(readHead(plain).head))).toBe(ZmtpErrorCode.WS_HANDSHAKE_FAILED)
    const post = ascii(`POST / HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`)
    expect(code(() => parseWsRequest(readHead(post).head))).toBe(ZmtpErrorCode.WS_HANDSHAKE_FAILED)
    const badKey = ascii(`GET / HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: abc\r\nSec-WebSocket-Version: 13\r\n\r\n`)
    expect(code(() => parseWsRequest(readHead(badKey).head))).toBe(ZmtpErrorCode.WS_HANDSHAKE_FAILED)
    expect(code(() => readHead(ascii("GET / HTTP/1.1\r\nX\0: y\r\n\r\n")))).toBe(ZmtpErrorCode.WS_HANDSHAKE_FAILED)
  })

  it("refuses a head that never ends past WS_MAX_HEAD_SIZE (slowloris by size; time is the caller's timer)", () => {
    const reader = new HttpHeadReader()
    reader.feed(ascii("GET / HTTP/1.1\r\n"))
    const filler = ascii("X-Pad: " + "a".repeat(100) + "\r\n")
    let result = "fed"
    for (let i = 0; i * filler.length <= WS_MAX_HEAD_SIZE + filler.length && result === "fed"; i++) {
      result = code(() => reader.feed(filler)) === "no error" ? "fed" : ZmtpErrorCode.WS_HANDSHAKE_FAILED
    }
    expect(result).toBe(ZmtpErrorCode.WS_HANDSHAKE_FAILED)
  })

  it("a client refuses a non-101, a wrong accept, an extension, or a subprotocol it did not offer", () => {
    const offers = zwsOffers("NULL")
    expect(code(() => parseWsResponse(readHead(encodeWsRefusal(400, "Bad Request")).head, key, offers, sha1))).toBe(ZmtpErrorCode.WS_HANDSHAKE_FAILED)
    const wrongKey = encodeWsAccept("AAAAAAAAAAAAAAAAAAAAAA==", "ZWS2.0/NULL", sha1)
    expect(code(() => parseWsResponse(readHead(wrongKey).head, key, offers, sha1))).toBe(ZmtpErrorCode.WS_HANDSHAKE_FAILED)
    const other = encodeWsAccept(key, "ZWS2.0/CURVE", sha1)
    expect(code(() => parseWsResponse(readHead(other).head, key, offers, sha1))).toBe(ZmtpErrorCode.WS_HANDSHAKE_FAILED)
    const accept = new TextDecoder().decode(encodeWsAccept(key, "ZWS2.0", sha1)).replace("\r\n\r\n", "\r\nSec-WebSocket-Extensions: permessage-deflate\r\n\r\n")
    expect(code(() => parseWsResponse(readHead(ascii(accept)).head, key, offers, sha1))).toBe(ZmtpErrorCode.WS_HANDSHAKE_FAILED)
  })
})
