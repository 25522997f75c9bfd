/**
 * The wire vocabulary of synchronised pub-sub (the Guide, chapter 2, "Node Coordination"), shared by
 * `waitForSubscribers` (publisher side) and `joinPublisher` (subscriber side).
 *
 *   publisher                                   subscriber
 *   PUB  ── [SYNC_HELLO] every helloInterval ──▶ SUB   ("hello" mode only: proves the SUB's subscription
 *                                                       is in force at the PUB, so what follows reaches it)
 *   REP  ◀── [token] ─────────────────────────── REQ   ("I am ready"; the token counts each subscriber once)
 *   REP  ─── [""] ───────────────────────────────▶ REQ
 *   PUB  ── data, once every expected subscriber said so ──▶ SUB
 */
import { localError, PatternErrorCode } from "./errors.js"

/**
 * How the publisher knows a subscriber is ready:
 * - `"hello"`: the Guide's "more robust model". The publisher sends hellos on the PUB socket until each
 *   subscriber has confirmed over REQ/REP that one reached it. A subscriber confirms only after its SUB got
 *   a hello, so its subscription is in force and no data message can be lost to the slow-joiner effect.
 * - `"handshake"`: the Guide's syncpub/syncsub. Subscribers connect and subscribe, wait `settleDelay`, then
 *   confirm over REQ/REP. Works with the Guide's own syncsub, but over tcp/ipc the SUB connection may still
 *   be on its way when the REQ/REP dialog ends ("there are no guarantees that outbound connects will finish
 *   in any order"), so the first messages can be lost if `settleDelay` is too short.
 */
export const SyncMode = {
  hello: "hello",
  handshake: "handshake",
} as const

export type SyncMode = (typeof SyncMode)[keyof typeof SyncMode]

/** The default mode: "hello", the one that cannot lose messages. */
export const DEFAULT_SYNC_MODE: SyncMode = SyncMode.hello
/** How often the publisher sends a hello while it waits ("hello" mode). Default 100 ms. */
export const DEFAULT_HELLO_INTERVAL = 100
/** How long a "handshake" subscriber waits between subscribing and confirming: the Guide's one second. */
export const DEFAULT_SETTLE_DELAY = 1000

/**
 * The one-frame message a publisher sends while it waits for subscribers ("hello" mode). Its first byte is
 * 0x00 so that no printable topic is a prefix of it; do not publish a message of exactly this frame.
 * Subscribers to everything (`""`) receive hellos too: skip them with `isSyncHello` (SynchronizedSubscriber
 * does).
 */
export const SYNC_HELLO: Buffer = Buffer.from("\u0000zmq-ts/sync-hello", "latin1")

/** The reply of the sync service: one empty frame, as the Guide's syncpub sends. */
export const SYNC_REPLY: Buffer = Buffer.alloc(0)

/** True for a hello of the synchronisation ("hello" mode), which is not data. */
export function isSyncHello(message: readonly Buffer[]): boolean {
  return message.length === 1 && message[0]!.equals(SYNC_HELLO)
}

/** @internal Checks a `mode` option. */
export function checkMode(mode: unknown): SyncMode {
  if (mode === SyncMode.hello || mode === SyncMode.handshake) return mode
  throw localError(PatternErrorCode.INVALID_OPTION, `mode must be "hello" or "handshake", got ${String(mode)}`)
}
