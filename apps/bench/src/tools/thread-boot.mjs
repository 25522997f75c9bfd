// Worker entry: on Node 20 a worker thread does not inherit the tsx loader that `--import tsx` gave the main
// thread (`--conditions=@zmq-ts/source` it does inherit), so register tsx here, then load the TypeScript
// module named in workerData.entry.
import { workerData } from "node:worker_threads"
import { register } from "tsx/esm/api"

register()
await import(workerData.entry)
