/**
 * What the fault harness's peer processes report (one JSON object a line on stdout), shared by the
 * zmq-ts peers, the orchestrating cases and, by convention, the Python (libzmq) peers.
 */

/** A reply or tick arriving after at least this much silence is reported as `resumed`. */
export const QUIET_MS = 400

/** The client's counters: what it sent, what came back, and every integrity violation seen. */
export interface ClientStats {
  /** Messages the DEALER accepted. */
  sent: number
  /** Sends refused at the high-water mark (sendTimeout 0): never sent, so never lost. */
  eagain: number
  /** Whole, intact echoes. */
  received: number
  /** Jumps in the echoed sequence, and how many accepted messages they skipped (lost). */
  gaps: number
  lostInGaps: number
  duplicated: number
  reordered: number
  /** Checksum mismatch, or a message with the wrong number of parts. */
  corrupt: number
  partial: number
  /** PUB ticks received on the SUB socket. */
  ticks: number
  /** Echo round trips, ms (median, max); -1 before the first. Filled in by the stats line. */
  rttP50?: number
  rttMax?: number
}

/** The server's counters: per routing id, messages and violations. */
export interface ServerStats {
  received: number
  /** Distinct routing ids seen on the ROUTER, in order of first appearance (hex). */
  identities: string[]
  corrupt: number
  partial: number
  reordered: number
  duplicated: number
}

export type PeerLine =
  | ({ ev: "stats"; t: number } & Partial<ClientStats> & Partial<ServerStats>)
  | { ev: "ready"; t: number; endpoint?: string }
  | { ev: "resumed"; t: number; what: "reply" | "tick"; quietMs: number }
  | { ev: "answered"; t: number; seq: number; tries: number }
  | { ev: "done"; t: number; requests: number; answered: number; answeredTwice: number; retries: number; wrongReply: number }
  | { ev: string; t: number }
