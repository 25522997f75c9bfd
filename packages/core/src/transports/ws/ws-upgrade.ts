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

/** RFC 6455 §5.3 wants unpredictable masking keys: 4 bytes per frame from a pool filled 1 KiB at a time. */
const keyPool = new Uint8Array(1024)
let keyUsed = keyPool.length
function maskKey(): Uint8Array {
  if (keyUsed + 4 > keyPool.length) {
    randomFillSync(keyPool)
    keyUsed = 0
  }
  const key = keyPool.subarray(keyUsed, keyUsed + 4)
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
 * The HTTP/1.1 upgrade on `socket` (RFC 6455 §4) with ZWS 2.0's subprotocols (RFC 45), within
 * handshakeInterval (a slowloris upgrade times out with ETIMEDOUT). Bytes that follow the head in the same
 * read (the first frames) are put back into the stream for the engine. A server refuses what is not an
 * upgrade, or offers no subprotocol its mechanism serves, with 400 and then closes.
 */
export function upgradeWs(
  socket: NetSocket,
  role: "client" | "server",
  endpoint: WsEndpoint,
  options: Readonly<SocketOptionValues>,
): Promise<ZwsFraming> {
  const mechanism = zwsMechanism(options)
  return new Promise((resolve, reject) => {
    const reader = new HttpHeadReader()
    let key = ""
    // NULL offers "ZWS2.0/NULL" then bare "ZWS2.0", as libzmq; a server may answer either.
    const offers = zwsOffers(mechanism)
    let timer: ReturnType<typeof setTimeout> | undefined
    const finish = (error: Error | undefined, rest?: Uint8Array, protocol?: string): void => {
      if (timer !== undefined) clearTimeout(timer)
      socket.off("data", onData)
      socket.off("close", onClose)
      if (error !== undefined) {
        reject(error)
        return
      }
      socket.pause()
      if (rest !== undefined && rest.length > 0) socket.unshift(rest as Buffer)
      // Bare "ZWS2.0" (what browsers, `ws` and the runtimes' WebSocket speak): routing ids, no handshake.
      const bare = protocol === "ZWS2.0"
      resolve(role === "client" ? { role, maskKey, bare } : { role, bare })
    }
    const onHead = (head: HttpHead, rest: Uint8Array): void => {
      if (role === "client") {
        finish(undefined, rest, parseWsResponse(head, key, offers, sha1))
        return
      }
      let request
      try {
        request = parseWsRequest(head)
      } catch (error) {
        socket.end(encodeWsRefusal(400, "Bad Request"))
        throw error
      }
      const protocol = chooseZwsProtocol(request.protocols, mechanism)
      if (protocol === undefined) {
        socket.end(encodeWsRefusal(400, "Bad Request"))
        throw zmqError("EPROTO", `no ZWS 2.0 subprotocol for ${mechanism} among ${JSON.stringify(request.protocols)}`, endpoint.address)
      }
      socket.write(encodeWsAccept(request.key, protocol, sha1))
      finish(undefined, rest, protocol)
    }
    const onData = (chunk: Buffer): void => {
      try {
        const result = reader.feed(chunk)
        if (result !== undefined) onHead(result.head, result.rest)
      } catch (error) {
        finish(error instanceof Error ? error : new Error(String(error)))
      }
    }
    const onClose = (): void => finish(zmqError("ECONNRESET", "the peer closed the connection during the WebSocket upgrade", endpoint.address))
    socket.on("data", onData)
    socket.once("close", onClose)
    if (options.handshakeInterval > 0) {
      timer = setTimeout(() => {
        socket.destroy()
        finish(zmqError("ETIMEDOUT", `WebSocket upgrade did not complete within ${options.handshakeInterval} ms`, endpoint.address))
      }, options.handshakeInterval)
      timer.unref()
    }
    if (role === "client") {
      key = wsKeyFrom(new Uint8Array(randomBytes(16)))
      const host = endpoint.host.includes(":") ? `[${endpoint.host}]` : endpoint.host
      socket.write(encodeWsRequest({ host, path: endpoint.path, key, protocols: offers }))
    }
  })
}
