import { nextTick, pid, stderr } from "node:process"
import { isMainThread } from "node:worker_threads"

/** Node: process.nextTick, run before promise callbacks (the engines batch a turn's sends with it). */
export { nextTick }

/**
 * Node's process warning (zeromq.js's option warnings). Reaches for the global at each call, so that a
 * test or an application that replaces `process.emitWarning` sees it.
 */
export function emitWarning(message: string): void {
  process.emitWarning(message)
}

/** Node: runs `listener` each time the event loop runs dry (exit-linger.ts waits for queued messages). */
export function onBeforeExit(listener: () => void): void {
  process.on("beforeExit", listener) // the global: node:process exports no `on`
}

/**
 * Whether this thread emits `beforeExit` when its loop runs dry. Node and Bun do in every thread; Deno 2.9
 * does on its main thread only, so a Deno worker's closing sockets hold the thread alive themselves
 * (exit-linger.ts's lingerAfterClose).
 */
export const emitsBeforeExit: boolean = isMainThread || (globalThis as { Deno?: unknown }).Deno === undefined

/** A line on stderr in the shape of a Node warning, for what is printed during shutdown. */
export function writeExitWarning(text: string): void {
  stderr.write(`(node:${pid}) WARNING: ${text}\n`)
}
