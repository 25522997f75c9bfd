// Node: worker_threads' MessageChannel, which carries a shared context's pipes between threads.
export { MessageChannel } from "node:worker_threads"

/** Whether a context can be shared with other threads here (Context.share/attach). */
export const threadsAvailable = true
