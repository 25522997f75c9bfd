// The entry of every example worker thread: Node 20 does not pass the parent's TypeScript loader on to
// worker threads, so register tsx here, then load the example module named in workerData.
import { workerData } from "node:worker_threads"
import { register } from "tsx/esm/api"

register()
await import(workerData.threadModule)
