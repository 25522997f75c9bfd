/**
 * pipeline-kill — @zmq-ts/patterns' Ventilator, PipelineWorker and Sink: the Guide's taskvent → taskwork2
 * → tasksink2 (chapter 2, "Handling Errors and ETERM") in one process, over tcp://127.0.0.1.
 *
 *   Ventilator PUSH ──100 tasks──▶ PipelineWorker ×3 ──results──▶ Sink PULL
 *                                  PipelineWorker ×3 ◀──"KILL"──── Sink XPUB
 *
 * Instead of the Guide's "Press Enter when the workers are ready", the ventilator waits until the three
 * workers are connected, so the tasks are spread over all of them. The sink collects the batch, broadcasts
 * KILL, and every worker exits cleanly.
 */
import { s_sleep } from "@zmq-ts/zhelpers"
import { PipelineWorker, Sink, Ventilator } from "@zmq-ts/patterns"

const WORKERS = 3
const TASKS = 100

const sink = new Sink({ endpoint: "tcp://127.0.0.1:*", control: "tcp://127.0.0.1:*" })
await sink.bind()
const ventilator = new Ventilator({ endpoint: "tcp://127.0.0.1:*", sinkEndpoint: sink.endpoints[0]! })
await ventilator.bind()

//  The workers: each task is a workload in msecs; the result is empty, as in the Guide
const workers = Array.from(
  { length: WORKERS },
  () =>
    new PipelineWorker({
      ventilator: ventilator.endpoints[0]!,
      sink: sink.endpoints[0]!,
      control: sink.controlEndpoints[0]!,
      handler: async ([workload]) => {
        await s_sleep(Number(workload!.toString())) //  Do the work
        return ""
      },
    }),
)
const exits = workers.map((worker) => worker.run())

console.log(`Waiting for ${WORKERS} workers…`)
await ventilator.waitForWorkers(WORKERS, { timeout: 5000 })
console.log("Sending tasks to workers…")
//  Random workloads from 1 to 20 msecs (the Guide's go to 100)
const workloads = Array.from({ length: TASKS }, () => String(1 + Math.floor(Math.random() * 20)))
const total = workloads.reduce((sum, workload) => sum + Number(workload), 0)
const started = performance.now()
await ventilator.dispatch(workloads)
console.log(`Total expected cost: ${total} msec`)

const results = await sink.collect({ timeout: 10_000 })
console.log(`Collected ${results.length} results. Total elapsed time: ${Math.round(performance.now() - started)} msec`)

//  Send kill signal to workers, and wait for them to go
await sink.kill({ waitForExit: true, timeout: 5000 })
for (const [index, exit] of (await Promise.all(exits)).entries()) {
  console.log(`worker ${index}: ${exit.tasks} tasks, exited (${exit.reason})`)
}
ventilator.close()
sink.close()
