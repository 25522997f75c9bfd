import { context as defaultContext, type Context } from "@zmq-ts/core"

/** s_interrupted: set once SIGINT or SIGTERM arrived (after s_catch_signals). A live binding. */
export let s_interrupted = false

let installed = false
const contexts = new Set<Context>()

/**
 * s_catch_signals: traps SIGINT and SIGTERM. On a signal, `s_interrupted` becomes true and every pending
 * `receive()`, `send()` and poll of the context's sockets rejects with EINTR, so the Guide's
 * `while (!s_interrupted)` loops end and can close their sockets and exit 0.
 */
export function s_catch_signals(context: Context = defaultContext): void {
  contexts.add(context)
  if (installed) return
  installed = true
  const onSignal = (): void => {
    s_interrupted = true
    for (const ctx of contexts) ctx.interrupt()
  }
  process.on("SIGINT", onSignal)
  process.on("SIGTERM", onSignal)
}

/** True for the error a signal makes pending calls reject with. */
export function isInterrupted(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { code?: unknown }).code === "EINTR"
}
