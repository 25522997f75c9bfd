/**
 * A ZAP handler (RFC 27) for the ZAP tests, written on the public API as an application would: a ROUTER (or
 * a REP) bound at inproc://zeromq.zap.01 in a context, recording every request and answering as `answer`
 * says. The request as a ROUTER handler sees it:
 *
 *   [routing id] "" "1.0" <request id> <domain> <address> <identity> <mechanism> <credentials…>
 *
 * plus the helpers the ZAP tests share: sockets closed after each test, event waiting.
 */
import { Reply, Router, type Context } from "../../src/index.js"
import { afterThisTest, track } from "../helpers/cleanup.js"

export { afterThisTest, track }
export { nextEvent, recordEvents, until } from "../helpers/transports.js"

/** One request, decoded (the frames after the handler's routing id and the delimiter). */
export interface ZapRequest {
  readonly version: string
  readonly requestId: string
  readonly domain: string
  readonly address: string
  readonly identity: string
  readonly mechanism: string
  readonly credentials: Buffer[]
  /** Every frame the handler received, its routing id (ROUTER) included. */
  readonly frames: Buffer[]
}

/** What the handler does with a request: the reply's frames after the routing id, or nothing at all. */
export type ZapAnswer = (request: ZapRequest) => Array<string | Buffer> | undefined | Promise<Array<string | Buffer> | undefined>

export interface ZapHandler {
  readonly socket: Router | Reply
  readonly requests: ZapRequest[]
  close(): void
}

/** The well-formed reply: "", "1.0", the request's id, status, text, user id, metadata. */
export function reply(request: ZapRequest, status: string, userId = "", metadata: Buffer = Buffer.alloc(0), text = "OK"): Array<string | Buffer> {
  return ["", request.version, request.requestId, status, text, userId, metadata]
}

/** ZMTP metadata (RFC 23): name-size, name, 4-octet value-size, value, for each property. */
export function metadata(properties: Record<string, string>): Buffer {
  const parts: Buffer[] = []
  for (const [name, value] of Object.entries(properties)) {
    const size = Buffer.alloc(4)
    size.writeUInt32BE(Buffer.byteLength(value))
    parts.push(Buffer.from([name.length]), Buffer.from(name, "latin1"), size, Buffer.from(value))
  }
  return Buffer.concat(parts)
}

/** Allows PLAIN "admin"/"secret" (user id "admin"), every NULL peer (user id "anonymous"); denies the rest with 400. */
export const allowAdmin: ZapAnswer = (request) => {
  const [username, password] = request.credentials.map(String)
  if (request.mechanism === "NULL") return reply(request, "200", "anonymous")
  if (request.mechanism === "PLAIN" && username === "admin" && password === "secret") return reply(request, "200", "admin")
  return reply(request, "400", "", Buffer.alloc(0), "denied")
}

/** Starts a ZAP handler in `context`: a ROUTER unless `type` says REP. */
export async function startZapHandler(context: Context, answer: ZapAnswer = allowAdmin, type: "ROUTER" | "REP" = "ROUTER"): Promise<ZapHandler> {
  const socket = type === "ROUTER" ? new Router({ context, linger: 0 }) : new Reply({ context, linger: 0 })
  track(socket)
  await socket.bind("inproc://zeromq.zap.01")
  const requests: ZapRequest[] = []
  void (async () => {
    try {
      for await (const frames of socket) {
        const envelope = type === "ROUTER" ? frames.slice(0, 2) : [] // routing id, delimiter (REP strips them)
        const [version, requestId, domain, address, identity, mechanism, ...credentials] = frames.slice(envelope.length)
        const request: ZapRequest = {
          version: String(version),
          requestId: String(requestId),
          domain: String(domain),
          address: String(address),
          identity: String(identity),
          mechanism: String(mechanism),
          credentials,
          frames,
        }
        requests.push(request)
        const answered = await answer(request)
        if (answered === undefined) {
          if (type === "REP") return // a REP that does not answer cannot take the next request
          continue
        }
        // The reply's delimiter stands in for what REP keeps itself (its envelope ends with the delimiter).
        await socket.send(type === "ROUTER" ? [envelope[0]!, ...answered] : answered.slice(1))
      }
    } catch {
      // closed
    }
  })()
  return { socket, requests, close: () => socket.close() }
}

/** How long the ZAP tests wait for an event or a condition. */
export const TIMEOUT = 5000
