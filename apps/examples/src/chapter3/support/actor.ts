/**
 * CZMQ's zactor, as far as chapter 3 needs it: a thread (lib/thread.ts) with a pipe from its parent. The
 * parent's `destroy()` sends "$TERM" down the pipe, as zactor_destroy does, and waits for the thread to
 * end; the thread sees the pipe become ready through `terminated()`, the `ready == pipe` branch of the
 * Guide's zpoller loops. The pipe is the thread's message port: unlike a socket, it needs no endpoint.
 */
import { parentPort, type Worker } from "node:worker_threads"
import { startThread } from "../../lib/thread.js"

const TERM = "$TERM"

export interface Actor {
  readonly thread: Worker
  /** Resolves when the thread has ended (by itself or after `destroy()`). */
  readonly exited: Promise<void>
  /** zactor_destroy: "$TERM" down the pipe, then wait for the thread to end. */
  destroy(): Promise<void>
}

/** zactor_new: starts `moduleUrl` in a thread of its own, with `data` as its workerData. */
export function startActor(moduleUrl: string, data: Record<string, unknown>): Actor {
  const thread = startThread(moduleUrl, data)
  let ended = false
  const exited = new Promise<void>((resolve) =>
    thread.once("exit", () => {
      ended = true
      resolve()
    }),
  )
  return {
    thread,
    exited,
    destroy: async () => {
      if (!ended) thread.postMessage(TERM)
      await exited
    },
  }
}

/**
 * In the actor's thread: resolves when the parent sends "$TERM". Once it has, the pipe no longer keeps the
 * thread alive, so the thread ends when its sockets are closed.
 */
export function terminated(): Promise<void> {
  return new Promise((resolve) => {
    const onMessage = (message: unknown): void => {
      if (message !== TERM) return
      parentPort?.off("message", onMessage)
      resolve()
    }
    parentPort?.on("message", onMessage)
  })
}
