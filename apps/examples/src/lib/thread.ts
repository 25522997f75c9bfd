import { Worker, type Transferable } from "node:worker_threads"

/**
 * Starts `moduleUrl` again in a worker thread — the examples' `pthread_create`. The worker sees `data` as
 * its `workerData`; a shared context handle (`context.share()`) must also be in `transfer`.
 *
 * With compiled JavaScript this is just `new Worker(new URL(moduleUrl), { workerData, transferList })`. These
 * examples run as TypeScript under tsx, whose loader Node 20 does not pass on to worker threads, so a .ts
 * module starts through a small bootstrap that registers tsx first.
 */
export function startThread(moduleUrl: string, data: Record<string, unknown>, transfer: Transferable[] = []): Worker {
  const typescript = moduleUrl.endsWith(".ts")
  const entry = typescript ? new URL("./thread-boot.mjs", import.meta.url) : new URL(moduleUrl)
  return new Worker(entry, {
    workerData: typescript ? { ...data, threadModule: moduleUrl } : data,
    transferList: transfer,
  })
}
