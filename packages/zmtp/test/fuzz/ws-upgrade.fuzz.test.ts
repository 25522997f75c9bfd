/**
 * Fuzz target "ws-upgrade": the HTTP/1.1 upgrade that opens a ZWS connection (RFC 6455 §4, RFC 45
 * §"Subprotocols"): `HttpHeadReader` gathering a head from chunks, then `parseWsRequest` (our server
 * reading a client's GET) or `parseWsResponse` (our client reading a server's 101). Seeds: the heads of
 * every ws stream libzmq recorded, with the frames that followed them; now and then a header line long
 * enough to pass WS_MAX_HEAD_SIZE.
 *
 * Oracle: the only throw is a ZmtpError WS_HANDSHAKE_FAILED; a head is returned only once its blank line
 * has arrived, within WS_MAX_HEAD_SIZE, with exactly the bytes after it as `rest`; more than
 * WS_MAX_HEAD_SIZE bytes without a blank line fail; what a parse accepts satisfies RFC 6455's rules.
 */
import { createHash } from "node:crypto"
import { describe, it } from "vitest"
import fc from "fast-check"
import { chooseZwsProtocol, HttpHeadReader, parseWsRequest, parseWsResponse, WS_MAX_HEAD_SIZE, ZmtpError, ZmtpErrorCode } from "../../src/index.js"
import { check, chunk, cuts, fuzz, mutants, sameBytes, targetRuns, type Mutant } from "./fuzz-kit.js"
import { splitHead, streams } from "./sessions.js"

const RUNS = targetRuns("ws-upgrade", 1000)
const sha1 = (data: Uint8Array): Uint8Array => createHash("sha1").update(data).digest()
const STREAMS = streams("ws")
const CRLFCRLF = Uint8Array.of(0x0d, 0x0a, 0x0d, 0x0a)
/** The Sec-WebSocket-Key each recorded session's client sent: what its server's Accept must answer. */
const KEYS = STREAMS.map((s, i) => {
  const request = s.receiver === "server" ? s : STREAMS[i - 1]!
  return /Sec-WebSocket-Key: (\S+)/.exec(Buffer.from(splitHead(request.bytes).head).toString("latin1"))![1]!
})

function expectHandshakeError(thrown: unknown): void {
  check(ZmtpError.isInstance(thrown) && thrown.code === ZmtpErrorCode.WS_HANDSHAKE_FAILED, () => `threw ${String(thrown)}`)
}

function headEnd(bytes: Uint8Array): number {
  for (let i = 0; i + 3 < bytes.length; i++) if (sameBytes(bytes.subarray(i, i + 4), CRLFCRLF)) return i + 4
  return -1
}

/** A long header line inserted after the start line, to reach the head size bound. */
const padding: fc.Arbitrary<number | undefined> = fc.oneof(
  { weight: 12, arbitrary: fc.constant(undefined) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: WS_MAX_HEAD_SIZE + 200 }) },
  { weight: 1, arbitrary: fc.integer({ min: WS_MAX_HEAD_SIZE - 300, max: WS_MAX_HEAD_SIZE + 10 }) },
)

function padded(mutant: Mutant, pad: number | undefined): Uint8Array {
  if (pad === undefined) return mutant.bytes
  const line = Buffer.from(`X-Pad: ${"a".repeat(pad)}\r\n`, "latin1")
  const at = Math.max(0, mutant.bytes.indexOf(0x0a) + 1)
  return Buffer.concat([mutant.bytes.subarray(0, at), line, mutant.bytes.subarray(at)])
}

describe("fuzz: WebSocket upgrade handshake", () => {
  for (const side of ["server", "client"] as const) {
    it(`${side} side: a mutated ${side === "server" ? "request" : "response"} head parses or fails with WS_HANDSHAKE_FAILED`, () => {
      const chosen = STREAMS.map((s, i) => ({ s, key: KEYS[i]! })).filter(({ s }) => s.receiver === side)
      const seeds = chosen.map(({ s }) => s.bytes.subarray(0, Math.min(s.bytes.length, splitHead(s.bytes).head.length + 40)))
      fuzz("ws-upgrade", RUNS, 0.5, fc.tuple(mutants(seeds), padding, cuts), ([mutant, pad, cut]) => {
        const { s: stream, key } = chosen[mutant.seed]!
        const input = padded(mutant, pad)
        const reader = new HttpHeadReader(side === "server" ? "GET " : "HTTP/")
        // Where the head ends in the whole input: the reader must return it with the chunk that completes it.
        const end = headEnd(input)
        let fed = 0
        for (const piece of chunk(input, cut)) {
          fed += piece.length
          let result: ReturnType<HttpHeadReader["feed"]>
          try {
            result = reader.feed(piece)
          } catch (thrown) {
            expectHandshakeError(thrown)
            return
          }
          if (result === undefined) {
            check(end < 0 || fed < end, () => `no head returned though its blank line ended at ${end} of ${fed} bytes`)
            check(fed <= WS_MAX_HEAD_SIZE, () => `${fed} bytes without a blank line buffered, not refused`)
            continue
          }
          check(end > 0 && end <= fed && end <= WS_MAX_HEAD_SIZE, () => `a head returned with its blank line at ${end}, ${fed} bytes fed`)
          check(sameBytes(result.rest, input.subarray(end, fed)), () => "rest is not the bytes after the head")
          try {
            if (side === "server") {
              const request = parseWsRequest(result.head)
              check(/^[A-Za-z0-9+/]{22}==$/.test(request.key), () => `accepted key ${request.key}`)
              check(!/\s/.test(request.path) && request.path.length > 0, () => `accepted path ${JSON.stringify(request.path)}`)
              chooseZwsProtocol(request.protocols, stream.mechanism)
            } else {
              const offered = [`ZWS2.0/${stream.mechanism}`, "ZWS2.0"]
              const protocol = parseWsResponse(result.head, key, offered, sha1)
              check(offered.includes(protocol), () => `accepted protocol ${protocol}`)
            }
          } catch (thrown) {
            expectHandshakeError(thrown)
          }
          return
        }
      })
    })
  }
})
