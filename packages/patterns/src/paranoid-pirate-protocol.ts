/**
 * The Paranoid Pirate Protocol, RFC 6 (6/PPP), as the queue and the worker speak it. RFC 6 calls the queue
 * the "client" (of the worker); here it is the queue.
 *
 *   Synchronous dialog:          Asynchronous dialogs:
 *     W: READY                     repeat  W: HEARTBEAT
 *     repeat  C: REQUEST           repeat  C: HEARTBEAT
 *             W: REPLY
 *
 * Commands (RFC 6, "Command Specifications"), as the worker's DEALER sees them:
 *   READY      one frame, the single byte 0x01
 *   HEARTBEAT  one frame, the single byte 0x02
 *   REQUEST    an address stack ending in an empty frame, then 1 or more content frames
 *   REPLY      the request's address stack and empty frame, then 1 or more content frames
 *
 * Heartbeating (RFC 6, "Heartbeating Specification"): each side sends HEARTBEAT every `heartbeatInterval`
 * and considers the other disconnected when nothing arrived within `liveness` × `heartbeatInterval`. A
 * worker that finds its queue gone sends READY again on a new connection; a queue that finds a worker gone
 * stops sending it anything.
 */
import type { Message } from "@zmq-ts/core"

/** RFC 6 READY: 0x01 (the Guide's PPP_READY "\001"). */
export const PPP_READY: Buffer = Buffer.from([0x01])
/** RFC 6 HEARTBEAT: 0x02 (the Guide's PPP_HEARTBEAT "\002"). */
export const PPP_HEARTBEAT: Buffer = Buffer.from([0x02])

/** The Guide's HEARTBEAT_INTERVAL: ms between heartbeats, both ways. */
export const PPP_HEARTBEAT_INTERVAL = 1000
/** The Guide's HEARTBEAT_LIVENESS: heartbeats a peer may miss before it counts as gone ("3-5 is reasonable"). */
export const PPP_HEARTBEAT_LIVENESS = 3
/** The Guide's INTERVAL_INIT: the worker's first wait before reconnecting, in ms. */
export const PPP_RECONNECT_INTERVAL = 1000
/** The Guide's INTERVAL_MAX: the longest wait before reconnecting, after exponential back-off, in ms. */
export const PPP_RECONNECT_INTERVAL_MAX = 32_000

/** One PPP message, as read off the wire (after the queue's ROUTER took the worker's routing id off). */
export type PppMessage =
  | { readonly type: "ready" }
  | { readonly type: "heartbeat" }
  /** REQUEST or REPLY: `address` is the stack up to (not including) the empty frame; `body` is ≥ 1 frame. */
  | { readonly type: "envelope"; readonly address: Message[]; readonly body: Message[] }
  | { readonly type: "invalid" }

/** Reads a PPP message: READY, HEARTBEAT, a REQUEST/REPLY envelope, or `invalid` for anything else. */
export function parsePpp(frames: readonly Message[]): PppMessage {
  if (frames.length === 1) {
    const [frame] = frames
    if (frame!.equals(PPP_READY)) return { type: "ready" }
    if (frame!.equals(PPP_HEARTBEAT)) return { type: "heartbeat" }
    return { type: "invalid" }
  }
  const empty = frames.findIndex((frame) => frame.length === 0)
  // The address stack is optional (RFC 6), but the null terminator and ≥ 1 content frame are not.
  if (empty < 0 || empty === frames.length - 1) return { type: "invalid" }
  return { type: "envelope", address: frames.slice(0, empty), body: frames.slice(empty + 1) }
}
