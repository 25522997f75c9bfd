import type { Buffer } from "#platform/buffer"
import { createHash, randomBytes, randomFillSync } from "node:crypto"
import type { Socket as NetSocket } from "node:net"
import {
  chooseZwsProtocol,
  encodeWsAccept,
  encodeWsRefusal,
  encodeWsRequest,
  HttpHeadReader,
  parseWsRequest,
  parseWsResponse,
  wsKeyFrom,
  zwsOffers,
  type HttpHead,
  type ZwsFraming,
  type ZwsMechanismName,
} from "@zmq-ts/zmtp"
import { zmqError } from "../../common/errors.js"
import type { SocketOptionValues } from "../../common/options.js"
import type { WsEndpoint } from "./ws-endpoint.js"

const sha1 = (data: Uint8Array): Uint8Array => new Uint8Array(createHash("sha1").update(data).digest())

/**
 * RFC 6455 §5.3 wants unpredictable masking keys: 4 bytes per frame from a pool filled 16 KiB at a time,
 * handed out in one reused array (the encoder reads the key at once): no allocation per frame, and one
 * randomFillSync per 4,096 frames (at 1 KiB, the refills took 3 % of a 64 B PUSH's time).
 */
const keyPool = new Uint8Array(16 * 1024)
let keyUsed = keyPool.length
const key = new Uint8Array(4)
function maskKey(): Uint8Array {
  if (keyUsed + 4 > keyPool.length) {
    randomFillSync(keyPool)
    keyUsed = 0
  }
  key[0] = keyPool[keyUsed]!
  key[1] = keyPool[keyUsed + 1]!
  key[2] = keyPool[keyUsed + 2]!
  key[3] = keyPool[keyUsed + 3]!
  keyUsed += 4
  return key
}

/** Which ZWS mechanism name the socket's options select (the same rules as security/mechanisms.ts). */
export function zwsMechanism(options: Readonly<SocketOptionValues>): ZwsMechanismName {
  if (options.curve !== null) return "CURVE"
  if (options.plainServer || options.plainUsername !== null || options.plainPassword !== null) return "PLAIN"
  return "NULL"
}

/**
 * Reads the HTTP head off `socket` within `timeout` ms (0: no limit; a slowloris peer then times out with
 * ETIMEDOUT and is destroyed). Once it is complete the socket is paused and the bytes read past the head
 * (the first frames) are put back for the engine, which resumes it.
 */
function readHead(socket: NetSocket, timeout: number, address: string, start: "GET " | "HTTP/"): Promise<HttpHead> {
  return new Promise((resolve, reject) => {
    const reader = new HttpHeadReader(start)
    let timer: ReturnType<typeof setTimeout> | undefined
    const finish = (error: Error | undefined, head?: HttpHead, rest?: Uint8Array): void => {
      if (timer !== undefined) clearTimeout(timer)
      socket.off("data", onData)
      socket.off("close", onClose)
      socket.off("error", onError)
      if (error !== undefined) {
        reject(error)
        return
      }
      socket.pause()
      if (rest !== undefined && rest.length > 0) socket.unshift(rest as Buffer)
      resolve(head!)
    }
    const onData = (chunk: Buffer): void => {
      try {
        const result = reader.feed(chunk)
        if (result !== undefined) finish(undefined, result.head, result.rest)
      } catch (error) {
        finish(error instanceof Error ? error : new Error(String(error)))
      }
    }
    const onClose = (): void => finish(zmqError("ECONNRESET", "the peer closed the connection during the WebSocket upgrade", address))
    // wss: a TLS failure (an untrusted certificate, a wrong name) comes as an error before the close.
    const onError = (error: NodeJS.ErrnoException): void =>
      finish(error.code === "ECONNRESET" ? zmqError("ECONNRESET", error.message, address) : zmqError("EPROTO", `${error.code ?? "error"}: ${error.message}`, address))
    socket.on("data", onData)
    socket.once("close", onClose)
    socket.once("error", onError)
    if (timeout > 0) {
      timer = setTimeout(() => {
        socket.destroy()
        finish(zmqError("ETIMEDOUT", `WebSocket upgrade did not complete within ${timeout} ms`, address))
      }, timeout)
      timer.unref()
    }
  })
}

/**
 * The client's HTTP/1.1 upgrade on `socket` (RFC 6455 §4) with ZWS 2.0's subprotocols (RFC 45): NULL offers
 * "ZWS2.0/NULL" then bare "ZWS2.0", as libzmq; the server's answer chooses (bare: routing ids, no READY).
 * Rejects on any refusal or bad answer, within handshakeInterval.
 */
export async function upgradeWs(socket: NetSocket, endpoint: WsEndpoint, options: Readonly<SocketOptionValues>): Promise<ZwsFraming> {
  const offers = zwsOffers(zwsMechanism(options))
  const key = wsKeyFrom(new Uint8Array(randomBytes(16)))
  const host = endpoint.host.includes(":") ? `[${endpoint.host}]` : endpoint.host
  const head = readHead(socket, options.handshakeInterval, endpoint.address, "HTTP/")
  socket.write(encodeWsRequest({ host, path: endpoint.path, key, protocols: offers }))
  const protocol = parseWsResponse(await head, key, offers, sha1)
  return { role: "client", maskKey, bare: protocol === "ZWS2.0" }
}

/** What the server side of the upgrade ended with: the route the request named, if any, and the framing. */
export type WsAcceptance<R> =
  | { readonly ok: true; readonly route: R; readonly zws: ZwsFraming }
  | { readonly ok: false; readonly route: R | undefined; readonly error: Error }

/** The request target without its query: what routes pick by. */
export function routedPath(target: string): string {
  const query = target.indexOf("?")
  return query < 0 ? target : target.slice(0, query)
}

/**
 * The server's side of the upgrade: reads the request within `timeout`, asks `pick` for the route its path
 * names (none: 404, RFC 6455 §4.2.2 lets a server refuse a resource), then chooses a subprotocol the
 * route's mechanism serves (libzmq's select_protocol: bare "ZWS2.0" only for NULL) and answers 101. What is
 * not an upgrade, or offers nothing the route serves, gets 400. A refused stream is ended after the answer.
 */
export async function acceptWsUpgrade<R>(
  socket: NetSocket,
  timeout: number,
  address: string,
  pick: (path: string) => R | undefined,
  optionsOf: (route: R) => Readonly<SocketOptionValues>,
): Promise<WsAcceptance<R>> {
  let route: R | undefined
  try {
    const head = await readHead(socket, timeout, address, "GET ")
    let request
    try {
      request = parseWsRequest(head)
    } catch (error) {
      socket.end(encodeWsRefusal(400, "Bad Request"))
      throw error
    }
    route = pick(routedPath(request.path))
    if (route === undefined) {
      socket.end(encodeWsRefusal(404, "Not Found"))
      throw zmqError("ENOENT", `no socket is bound at path ${JSON.stringify(request.path)}`, address)
    }
    const mechanism = zwsMechanism(optionsOf(route))
    const protocol = chooseZwsProtocol(request.protocols, mechanism)
    if (protocol === undefined) {
      socket.end(encodeWsRefusal(400, "Bad Request"))
      throw zmqError("EPROTO", `no ZWS 2.0 subprotocol for ${mechanism} among ${JSON.stringify(request.protocols)}`, address)
    }
    socket.write(encodeWsAccept(request.key, protocol, sha1))
    return { ok: true, route, zws: { role: "server", bare: protocol === "ZWS2.0" } }
  } catch (error) {
    return { ok: false, route, error: error instanceof Error ? error : new Error(String(error)) }
  }
}
