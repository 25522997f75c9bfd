import { nextTick, pid, stderr } from "node:process"

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

/** A line on stderr in the shape of a Node warning, for what is printed during shutdown. */
export function writeExitWarning(text: string): void {
  stderr.write(`(node:${pid}) WARNING: ${text}\n`)
}
