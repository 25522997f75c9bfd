import { emitsBeforeExit, onBeforeExit as whenLoopRunsDry, writeExitWarning } from "#platform/process"
import { holdAlive, releaseAlive } from "./keep-alive.js"

/**
 * Messages still queued when a thread would exit keep it alive for up to their socket's linger, as
 * libzmq's `zmq_ctx_term` blocks and zeromq.js blocks the process at exit. Whatever holds undelivered
 * messages (a tcp/ipc session, a pipe to another thread) registers here while it exists. When the event
 * loop runs dry (`beforeExit`), the thread waits until each has delivered, or its linger, counted from
 * then, has passed (-1: without end; 0: not at all). A wait longer than 500 ms prints zeromq.js's warning.
 * A thread that emits no `beforeExit` (a Deno worker) cannot wait then, so there an entry whose socket
 * closed with messages left holds the thread from the close instead (lingerAfterClose).
 */
export interface Undelivered {
  /** True while messages (or bytes of them) wait to be delivered. */
  readonly undelivered: boolean
  /** The socket's ZMQ_LINGER, in ms. */
  readonly linger: number
  /** The context's ZMQ_BLOCKY, for the warning's advice. */
  readonly blocky: boolean
}

/** How long a wait at exit may take before the warning, as zeromq.js's. */
const WARN_AFTER = 500
/** How often the wait checks what is left (only while a thread is exiting). */
const CHECK_EVERY = 10

const registered = new Set<Undelivered>()
/** When the current wait gives up on each entry; an entry keeps its deadline across `beforeExit`s. */
const deadlines = new Map<Undelivered, number>()
let waiting = false
let warned = false
let listening = false

/** Registers `entry`; returns the function that unregisters it (when it has nothing left, or ends). */
export function lingerAtExit(entry: Undelivered): () => void {
  registered.add(entry)
  if (!listening) {
    listening = true
    whenLoopRunsDry(onBeforeExit)
  }
  return () => {
    registered.delete(entry)
    deadlines.delete(entry)
  }
}

function pending(now: number): Undelivered[] {
  const out: Undelivered[] = []
  for (const entry of registered) {
    if (!entry.undelivered || entry.linger === 0) continue
    let deadline = deadlines.get(entry)
    if (deadline === undefined) {
      deadline = entry.linger < 0 ? Number.POSITIVE_INFINITY : now + entry.linger
      deadlines.set(entry, deadline)
    }
    if (now < deadline) out.push(entry)
  }
  return out
}

function onBeforeExit(): void {
  if (waiting) return
  const left = pending(Date.now())
  if (left.length === 0) return
  waiting = true
  holdAlive()
  const blocky = left.some((entry) => entry.blocky)
  const warning = setTimeout(() => {
    if (warned) return
    warned = true
    // zeromq.js writes this itself, in the shape of a Node warning, because it is printed during shutdown.
    const advice = blocky ? " Set 'context.blocky = false' to change this behaviour." : ""
    writeExitWarning(`Waiting for queued ZeroMQ messages to be delivered.${advice}`)
  }, WARN_AFTER)
  const check = setInterval(() => {
    if (pending(Date.now()).length > 0) return
    clearInterval(check)
    clearTimeout(warning)
    waiting = false
    releaseAlive()
  }, CHECK_EVERY)
}

/**
 * `entry`'s socket closed it with messages left. Where the thread emits no `beforeExit`, holds the thread
 * alive until they are delivered, the entry is unregistered, or linger (from now; -1: without end) has
 * passed, as libzmq's linger counts from close. Elsewhere `beforeExit` does the waiting (above) and this
 * does nothing, so exit timing there stays as it was. No warning here: the thread may not be exiting at all.
 */
export function lingerAfterClose(entry: Undelivered): void {
  if (emitsBeforeExit || entry.linger === 0 || !entry.undelivered) return
  const deadline = entry.linger < 0 ? Number.POSITIVE_INFINITY : Date.now() + entry.linger
  holdAlive()
  const check = setInterval(() => {
    if (registered.has(entry) && entry.undelivered && Date.now() < deadline) return
    clearInterval(check)
    releaseAlive()
  }, CHECK_EVERY)
}
