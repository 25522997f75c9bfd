import { Buffer } from "#platform/buffer"
import { isIPv4, isIPv6 } from "node:net"

/** libzmq's MAX_UDP_MSG: the largest datagram udp_engine sends or reads. */
export const MAX_UDP_MESSAGE = 8192

/** The 256 possible group-length bytes, made once: a datagram is sent as [length byte, group, body]. */
const LENGTH_BYTES: readonly Buffer[] = Array.from({ length: 256 }, (_, length) => Buffer.from([length]))

/**
 * RADIO's datagram (libzmq's udp_engine out_event): [group length: 1 byte][group][body], as the buffers to
 * send together; undefined when it would exceed MAX_UDP_MESSAGE or the group 255 bytes (libzmq drops the
 * message then, and the send still succeeds).
 */
export function groupDatagram(group: Buffer, body: Buffer): Buffer[] | undefined {
  if (group.length > 255 || 1 + group.length + body.length > MAX_UDP_MESSAGE) return undefined
  return [LENGTH_BYTES[group.length]!, group, body]
}

/**
 * A received datagram as DISH's [group, body] (views into it); undefined for one that is empty, longer than
 * MAX_UDP_MESSAGE, or whose length byte runs past its end: those are dropped.
 */
export function readGroupDatagram(datagram: Buffer): [Buffer, Buffer] | undefined {
  if (datagram.length === 0 || datagram.length > MAX_UDP_MESSAGE) return undefined
  const end = 1 + datagram[0]!
  if (end > datagram.length) return undefined
  return [datagram.subarray(1, end), datagram.subarray(end)]
}

/**
 * DGRAM's address frame for a datagram from `host:port`, as libzmq's sockaddr_to_msg writes it: "ip:port"
 * and a terminating NUL. An IPv4 peer seen on a dual-stack socket (::ffff:a.b.c.d) is named by its IPv4
 * address; an IPv6 peer (libzmq's DGRAM is IPv4-only) as "[ip]:port".
 */
export function peerAddressFrame(host: string, port: number): Buffer {
  const ip = host.startsWith("::ffff:") && isIPv4(host.slice(7)) ? host.slice(7) : host
  return Buffer.from(isIPv6(ip) ? `[${ip}]:${port}\0` : `${ip}:${port}\0`, "latin1")
}

/**
 * Where a DGRAM message's address frame says to send: "ip:port", with or without the NUL libzmq's received
 * frames end with (libzmq's resolve_raw_address reads the port with atoi); "[ipv6]:port" too. Undefined for
 * anything else (a name, port 0): libzmq discards such a message.
 */
export function readPeerAddress(frame: Buffer): { host: string; port: number } | undefined {
  let text = frame.toString("latin1")
  const nul = text.indexOf("\0")
  if (nul >= 0) text = text.slice(0, nul)
  const colon = text.lastIndexOf(":")
  if (colon <= 0) return undefined
  let host = text.slice(0, colon)
  const portText = text.slice(colon + 1)
  if (!/^\d{1,5}$/.test(portText)) return undefined
  const port = Number(portText)
  if (port === 0 || port > 65535) return undefined
  if (host.startsWith("[") && host.endsWith("]")) {
    host = host.slice(1, -1)
    return isIPv6(host) ? { host, port } : undefined
  }
  return isIPv4(host) ? { host, port } : undefined
}
