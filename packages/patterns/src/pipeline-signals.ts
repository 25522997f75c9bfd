/**
 * The control messages of the pipeline (the Guide, chapter 2, "Handling Errors and ETERM": taskvent →
 * taskwork2 → tasksink2):
 *
 *   ventilator PUSH ──tasks──▶ workers (PULL) ──results──▶ sink PULL
 *   ventilator PUSH ──[PIPELINE_BATCH, tasks, workers]──▶ sink PULL   (the Guide's "0": a batch starts)
 *   sink XPUB ──["KILL"]──▶ workers (SUB)                              (the Guide's kill signal)
 */
import type { Message } from "@zmq-ts/core"

/** The kill signal's only frame, as the Guide's tasksink2 sends it. Workers subscribe to exactly this. */
export const PIPELINE_KILL = "KILL"

/**
 * The first frame of the ventilator's batch start `[PIPELINE_BATCH, task count, worker count]`. Its first
 * byte is 0x00; do not send a result whose first frame equals it.
 */
export const PIPELINE_BATCH: Buffer = Buffer.from("\u0000zmq-ts/batch", "latin1")

/** A batch start: how many results the sink should expect, and how many workers may need killing. */
export interface BatchStart {
  readonly tasks: number
  readonly workers: number
}

/** @internal */
export function encodeBatchStart(batch: BatchStart): Message[] {
  return [PIPELINE_BATCH, Buffer.from(String(batch.tasks)), Buffer.from(String(batch.workers))]
}

/** @internal The batch start in `message`, or undefined for a result. */
export function decodeBatchStart(message: readonly Buffer[]): BatchStart | undefined {
  if (message.length !== 3 || !message[0]!.equals(PIPELINE_BATCH)) return undefined
  const tasks = Number(message[1]!.toString())
  const workers = Number(message[2]!.toString())
  if (!Number.isInteger(tasks) || tasks < 0 || !Number.isInteger(workers) || workers < 0) return undefined
  return { tasks, workers }
}
