import { Buffer } from "#platform/buffer"
import type { PeerInfo } from "@zmq-ts/zmtp"
import type { ZapReply } from "../security/zap-client.js"

/**
 * Message properties (libzmq's `zmq_msg_gets`): what a received message can tell about the connection it
 * came on. libzmq hangs one metadata object off every message of a connection; it holds, the first name
 * given winning (stream_engine_base.cpp's mechanism_ready):
 *
 * - "Peer-Address": the peer's address without port (the ZAP request's address frame);
 * - the ZAP handler's answer: "User-Id", then the properties of its metadata frame;
 * - the peer's handshake properties (READY/INITIATE): "Socket-Type", "Identity" (its routing id, which
 *   "Routing-Id" also names), and any application metadata ("X-…").
 *
 * zmq-ts gives them for the connections a ZAP handler authenticated, which are the ones with a user id to
 * tell, and "Peer-Address" for a STREAM socket's raw connections (libzmq's test_stream reads it), at no
 * cost to any other connection (the receive path of those is not touched; their frames have
 * no properties). A frame is matched to its connection by the ArrayBuffer it views: a received frame
 * views either the chunk Node read from that connection's socket (a buffer of its own for each read) or a
 * buffer the connection's frame decoder made for a frame split across reads, so each such buffer holds
 * frames of one connection only. (A mechanism that turns wire frames into others, as CURVE decrypts them,
 * must keep that true: fresh or per-connection buffers, never a pool shared by connections.) Frames the
 * socket adds itself, the routing id a ROUTER puts first, are tagged one by one.
 */

/** The properties of one connection's messages: names compared without regard to case. */
export class ConnectionProperties {
  readonly #values = new Map<string, string>()

  /** A raw (STREAM) connection has only its peer's address: no ZAP reply, no handshake. */
  constructor(peerAddress: string, reply?: ZapReply, peer?: PeerInfo) {
    this.#add("Peer-Address", peerAddress)
    if (reply !== undefined) {
      this.#add("User-Id", reply.userId)
      for (const [name, value] of reply.metadata) this.#add(name, value.toString("utf8"))
    }
    if (peer !== undefined) {
      for (const [name, value] of peer.metadata) this.#add(name, Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString("utf8"))
    }
  }

  get(name: string): string | undefined {
    const key = name.toLowerCase()
    // libzmq's metadata_t answers "Identity" with "Routing-Id" (ZMQ_MSG_PROPERTY_ROUTING_ID) and the peer's
    // handshake names it Identity: both names find it.
    return this.#values.get(key) ?? (key === "routing-id" ? this.#values.get("identity") : key === "identity" ? this.#values.get("routing-id") : undefined)
  }

  /** Frames that view `buffer` (a read chunk, a decoder's buffer), or the frame `buffer` itself, have these properties. */
  attachTo(buffer: ArrayBufferLike | Buffer): void {
    properties.set(buffer, this)
  }

  #add(name: string, value: string): void {
    const key = name.toLowerCase()
    if (!this.#values.has(key)) this.#values.set(key, value)
  }
}

const properties = new WeakMap<object, ConnectionProperties>()

/**
 * A property of the message `frame` was received in (libzmq's `zmq_msg_gets`), for any frame of a message
 * received on a connection a ZAP handler authenticated: "User-Id" (what the handler answered),
 * "Peer-Address" (the peer's IP address, without port; "localhost" for ipc), "Socket-Type", "Identity" or
 * "Routing-Id" (the peer's routing id, if it sent one), any property of the handler's metadata frame, and
 * the peer's own handshake metadata ("X-…"). Names are compared without regard to case; values are read
 * as UTF-8.
 *
 * A STREAM socket's frames (the routing id and the data of a raw connection) have "Peer-Address".
 *
 * Undefined for a name the connection has no property of, and for every frame of a connection no ZAP
 * handler authenticated (NULL without `zapDomain`, a PLAIN or CURVE client), of inproc, or made by the
 * application.
 *
 * ```ts
 * const [routingId, request] = await router.receive()
 * if (messageProperty(request, "User-Id") !== "admin") return
 * ```
 */
export function messageProperty(frame: Uint8Array, name: string): string | undefined {
  if (!(frame instanceof Uint8Array)) return undefined
  const found = properties.get(frame) ?? properties.get(frame.buffer)
  return found?.get(String(name))
}
