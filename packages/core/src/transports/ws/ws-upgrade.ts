import type { Buffer } from "node:buffer"
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
    // Bare "ZWS2.0" (routing id first, no READY) is not implemented yet: neither offered nor accepted.
    const offers = zwsOffers(mechanism).filter((offer) => offer !== "ZWS2.0")
    let timer: ReturnType<typeof setTimeout> | undefined
    const finish = (error: Error | undefined, rest?: Uint8Array): void => {
      if (timer !== undefined) clearTimeout(timer)
      socket.off("data", onData)
      socket.off("close", onClose)
      if (error !== undefined) {
        reject(error)
        return
      }
      socket.pause()
      if (rest !== undefined && rest.length > 0) socket.unshift(rest as Buffer)
      resolve(role === "client" ? { role, maskKey } : { role })
    }
    const onHead = (head: HttpHead, rest: Uint8Array): void => {
      if (role === "client") {
        parseWsResponse(head, key, offers, sha1)
        finish(undefined, rest)
        return
      }
      let request
      try {
        request = parseWsRequest(head)
      } catch (error) {
        socket.end(encodeWsRefusal(400, "Bad Request"))
        throw error
      }
      const protocol = chooseZwsProtocol(request.protocols.filter((offer) => offer !== "ZWS2.0"), mechanism)
      if (protocol === undefined) {
        socket.end(encodeWsRefusal(400, "Bad Request"))
        throw zmqError("EPROTO", `no ZWS 2.0 subprotocol for ${mechanism} among ${JSON.stringify(request.protocols)}`, endpoint.address)
      }
      socket.write(encodeWsAccept(request.key, protocol, sha1))
      finish(undefined, rest)
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
