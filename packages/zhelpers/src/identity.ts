import { randomInt } from "node:crypto"
import type { Socket } from "@zmq-ts/core"

/**
 * s_set_id: gives the socket a random printable routing id ("XXXX-XXXX" in hex), before it connects. For
 * the socket types that have a routing id (REQ, REP, DEALER, ROUTER), as in zeromq.js.
 */
export function s_set_id(socket: Socket & { routingId: string | null }): string {
  const part = (): string => randomInt(0x10000).toString(16).toUpperCase().padStart(4, "0")
  const id = `${part()}-${part()}`
  socket.routingId = id
  return id
}
