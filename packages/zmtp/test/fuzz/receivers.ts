/**
 * The `ZmtpConnection` that accepts a recorded stream: the receiving socket type, its mechanism (NULL, or
 * PLAIN as the recorded peer's counterpart), ZWS framing for ws streams, and the size limit under test.
 */
import { nullMechanism, plainClient, plainServer, ZmtpConnection, type ZmtpEvent } from "../../src/index.js"
import type { Stream } from "./sessions.js"

export function receiverFor(stream: Stream, maxMessageSize: number): ZmtpConnection {
  const mechanism =
    stream.mechanism === "NULL"
      ? nullMechanism()
      : stream.receiver === "server"
        ? plainServer({ authenticate: () => ({ allow: true }) })
        : plainClient({ username: stream.username ?? "", password: stream.password ?? "" })
  return new ZmtpConnection({
    socketType: stream.receiverType,
    mechanism,
    maxMessageSize,
    ...(stream.transport === "ws" ? { zws: { role: stream.receiver, maskKey: () => Uint8Array.of(1, 2, 3, 4) } } : {}),
  })
}

/** After each batch: take what the connection queued for the peer (its greeting, PONGs), as a host would. */
export const drain =
  (connection: ZmtpConnection) =>
  (_events: readonly ZmtpEvent[]): readonly ZmtpEvent[] => {
    if (connection.state !== "failed" && connection.state !== "closed") connection.dataToSend()
    return []
  }

/** PUB and XPUB turn a message whose first byte is 0x00/0x01 into a cancel/subscribe (RFC 29 for 3.0). */
export function deliveredAsMessages(stream: Stream, messages: Uint8Array[][]): Uint8Array[][] {
  if (stream.receiverType !== "PUB" && stream.receiverType !== "XPUB") return messages
  return messages.filter((m) => !(m.length === 1 && (m[0]![0] === 0 || m[0]![0] === 1)))
}

/** maxMessageSize for one input: none, or a limit some recorded frames pass (255/256-byte frames). */
export const LIMITS = [-1, -1, 0, 100, 255, 300] as const
