/**
 * The Freelance Protocol's wire format (RFC 10/FLP) and the Guide's timing constants (chapter 4, "Model Three:
 * Complex and Nasty", flcliapi.c).
 *
 * Both sides use ROUTER sockets (RFC 10, "Request and Reply Routing"); the frames below come after the routing
 * id. A server's routing id is its public endpoint, the very string clients connect to.
 *
 *   client → server  ["PING"]                 a ping command: one frame (RFC 10, "Overall Operation")
 *   server → client  ["PONG"]
 *   client → server  [CCF, body…]             a request: the Client Control Frame, then one or more frames
 *   server → client  [CCF, reply…]            the CCF unmodified, then one or more frames of reply
 */
/** RFC 10: a ping command is a single frame of the four characters "PING". */
export const FREELANCE_PING = Buffer.from("PING")
/** RFC 10: the server answers a ping with a message of the four characters "PONG". */
export const FREELANCE_PONG = Buffer.from("PONG")

/** How long a request may wait for a reply from any server: the Guide's GLOBAL_TIMEOUT (flclient2.c), 2500 ms. */
export const DEFAULT_FREELANCE_GLOBAL_TIMEOUT = 2500
/** How often each server is pinged when nothing else was heard from it: the Guide's PING_INTERVAL, 2000 ms. */
export const DEFAULT_FREELANCE_PING_INTERVAL = 2000
/**
 * How long a silent server stays "alive": the Guide's SERVER_TTL, 6000 ms (RFC 10, "Server Reliability": a
 * server is disconnected when no pong arrived within some multiple, usually 2–3, of the ping interval).
 */
export const DEFAULT_FREELANCE_SERVER_TTL = 6000

/**
 * The CCF this client writes: the request's sequence number in decimal ASCII, as the Guide's agent does
 * (RFC 10 lets clients use the CCF "for any purpose, including request sequence numbering").
 */
export function encodeSequence(sequence: number): Buffer {
  return Buffer.from(String(sequence))
}

/** The sequence number in a reply's CCF, or undefined when the frame is not one this client wrote. */
export function decodeSequence(frame: Buffer): number | undefined {
  const text = frame.toString("latin1")
  if (!/^[1-9][0-9]{0,15}$/.test(text)) return undefined
  return Number(text)
}
