/**
 * ZMTP socket types and which may talk to which: RFC 23 §"Socket Semantics" (the stable types) plus the draft
 * pairs libzmq implements (RFC 41 CLIENT/SERVER, RFC 48 RADIO/DISH, RFC 49 SCATTER/GATHER, RFC 51 PEER,
 * RFC 52 CHANNEL). The name is what travels in the READY command's `Socket-Type` property.
 */
export const SocketType = {
  PAIR: "PAIR",
  PUB: "PUB",
  SUB: "SUB",
  REQ: "REQ",
  REP: "REP",
  DEALER: "DEALER",
  ROUTER: "ROUTER",
  PULL: "PULL",
  PUSH: "PUSH",
  XPUB: "XPUB",
  XSUB: "XSUB",
  SERVER: "SERVER",
  CLIENT: "CLIENT",
  RADIO: "RADIO",
  DISH: "DISH",
  GATHER: "GATHER",
  SCATTER: "SCATTER",
  PEER: "PEER",
  CHANNEL: "CHANNEL",
} as const

export type SocketType = (typeof SocketType)[keyof typeof SocketType]

const COMPATIBLE: Readonly<Record<SocketType, readonly SocketType[]>> = {
  PAIR: ["PAIR"],
  PUB: ["SUB", "XSUB"],
  SUB: ["PUB", "XPUB"],
  REQ: ["REP", "ROUTER"],
  REP: ["REQ", "DEALER"],
  DEALER: ["REP", "DEALER", "ROUTER"],
  ROUTER: ["REQ", "DEALER", "ROUTER"],
  PULL: ["PUSH"],
  PUSH: ["PULL"],
  XPUB: ["SUB", "XSUB"],
  XSUB: ["PUB", "XPUB"],
  SERVER: ["CLIENT"],
  CLIENT: ["SERVER"],
  RADIO: ["DISH"],
  DISH: ["RADIO"],
  GATHER: ["SCATTER"],
  SCATTER: ["GATHER"],
  PEER: ["PEER"],
  CHANNEL: ["CHANNEL"],
}

export function isSocketType(name: string): name is SocketType {
  return Object.prototype.hasOwnProperty.call(COMPATIBLE, name)
}

/** True when a socket of type `local` may exchange messages with a peer of type `peer`. */
export function isCompatibleSocketType(local: SocketType, peer: string): boolean {
  return isSocketType(peer) && COMPATIBLE[local].includes(peer)
}

/** Socket types whose READY carries an `Identity` property, as libzmq sends it (possibly empty). */
export function sendsIdentity(type: SocketType): boolean {
  return type === "REQ" || type === "DEALER" || type === "ROUTER"
}
