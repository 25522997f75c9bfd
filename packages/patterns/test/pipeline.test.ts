/**
 * The pipeline with a kill signal (the Guide's taskvent → taskwork2 → tasksink2):
 *
 *   Ventilator PUSH ──tasks──▶ PipelineWorker ×1–4 (PULL) ──results──▶ Sink PULL
 *             PUSH ──batch start (tasks, workers)──────────────────────▶ Sink
 *                                   PipelineWorker (SUB) ◀──"KILL"───── Sink XPUB
 *
 * Property: for any task list (empty included) and worker count, over inproc and tcp, once the ventilator
 * has waited for the workers, the sink sees every result exactly once (and nothing more), and after KILL
 * every worker's `run()` resolves with "killed", its sockets closed, the task counts adding up. The sink
 * may start after the workers, whose SUB may reconnect more slowly than their PUSH: a worker can then be
 * done before it listens for KILL.
 */
import { Context } from "@zmq-ts/core"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { PatternError, PipelineWorker, Sink, Ventilator, type PipelineWorkerExit } from "../src/index.js"
import { bindAddress, fixedAddress, sleep, within, type TransportName } from "./helpers/endpoints.js"

interface Scenario {
  readonly transport: TransportName
  readonly workers: number
  /** Each task's pretend work, in ms. */
  readonly tasks: readonly number[]
  /** The sink binds after the workers and the ventilator started (they connect to it first). */
  readonly sinkLate: boolean
  /** The workers' SUB reconnect interval (ms); their PUSH to the sink retries every 5 ms. */
  readonly controlReconnect: number
}

const scenario: fc.Arbitrary<Scenario> = fc.record({
  transport: fc.constantFrom<TransportName>("inproc", "tcp"),
  workers: fc.integer({ min: 1, max: 4 }),
  tasks: fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 40 }),
  sinkLate: fc.boolean(),
  controlReconnect: fc.constantFrom(5, 60),
})

async function runScenario(s: Scenario): Promise<void> {
  const context = new Context()
  const [sinkAddress, controlAddress] = s.sinkLate
    ? [await fixedAddress(s.transport, "sink"), await fixedAddress(s.transport, "control")]
    : [bindAddress(s.transport, "sink"), bindAddress(s.transport, "control")]
  const sink = new Sink({ endpoint: sinkAddress, control: controlAddress, context })
  const workers: PipelineWorker[] = []
  try {
    if (!s.sinkLate) await sink.bind()
    const sinkEndpoint = sink.endpoints[0] ?? sinkAddress
    const controlEndpoint = sink.controlEndpoints[0] ?? controlAddress
    const vent = new Ventilator({
      endpoint: bindAddress(s.transport, "vent"),
      sinkEndpoint,
      context,
      sinkOptions: { reconnectInterval: 5 },
    })
    await vent.bind()
    const runs: Array<Promise<PipelineWorkerExit>> = []
    for (let i = 0; i < s.workers; i++) {
      const worker = new PipelineWorker({
        ventilator: vent.endpoints[0]!,
        sink: sinkEndpoint,
        control: controlEndpoint,
        context,
        senderOptions: { reconnectInterval: 5 },
        controllerOptions: { reconnectInterval: s.controlReconnect },
        handler: async ([task]) => {
          const [, ms] = task!.toString().split(":")
          await sleep(Number(ms))
          return [task!, `w${i}`]
        },
      })
      workers.push(worker)
      runs.push(worker.run())
    }
    expect(await vent.waitForWorkers(s.workers, { timeout: 5000 })).toBeGreaterThanOrEqual(s.workers)
    const tasks = s.tasks.map((ms, i) => `t${i}:${ms}`)
    expect(await vent.dispatch(tasks)).toBe(tasks.length)
    if (s.sinkLate) await sink.bind()
    const results = await sink.collect({ timeout: 5000 })
    expect(results.map(([task]) => task!.toString()).sort()).toEqual([...tasks].sort())
    // Nothing beyond the batch: a duplicate would be waiting now.
    const extra = await sink.collect({ results: 1, timeout: 20 }).catch((error: unknown) => error)
    expect(PatternError.isInstance(extra) && extra.code).toBe("ERR_PATTERN_TIMEOUT")

    await sink.kill({ timeout: 5000, waitForExit: s.transport === "tcp" })
    const exits = await within(Promise.all(runs), 2500, "every worker to exit after KILL")
    expect(exits.every((exit) => exit.reason === "killed")).toBe(true)
    expect(exits.reduce((sum, exit) => sum + exit.tasks, 0)).toBe(tasks.length)
    for (const worker of workers) {
      expect([worker.receiver.closed, worker.sender.closed, worker.controller.closed]).toEqual([true, true, true])
    }
    vent.close()
  } finally {
    for (const worker of workers) worker.stop()
    sink.close()
    context.terminate()
  }
}

describe("pipeline with a kill signal", () => {
  it("the sink sees every result exactly once and all workers exit on KILL", async () => {
    await fc.assert(fc.asyncProperty(scenario, runScenario), { numRuns: 40, interruptAfterTimeLimit: 10_000 })
  }, 25_000)

  it("spreads the tasks over all the workers it waited for (no first-joiner takes all)", async () => {
    const context = new Context()
    try {
      const sink = new Sink({ endpoint: "tcp://127.0.0.1:*", control: "tcp://127.0.0.1:*", context })
      await sink.bind()
      const ventilator = new Ventilator({ endpoint: "tcp://127.0.0.1:*", sinkEndpoint: sink.endpoints[0]!, context })
      await ventilator.bind()
      const workers = [0, 1, 2].map(
        () =>
          new PipelineWorker({
            ventilator: ventilator.endpoints[0]!,
            sink: sink.endpoints[0]!,
            control: sink.controlEndpoints[0]!,
            context,
            handler: () => "",
          }),
      )
      const runs = workers.map((worker) => worker.run())
      await ventilator.waitForWorkers(3, { timeout: 5000 })
      await ventilator.dispatch(Array.from({ length: 30 }, (_, i) => String(i)))
      expect(await sink.collect({ timeout: 5000 })).toHaveLength(30)
      await sink.kill({ timeout: 5000, waitForExit: true })
      expect(sink.killSubscribers).toBe(0)
      expect((await Promise.all(runs)).map((exit) => exit.tasks)).toEqual([10, 10, 10])
    } finally {
      context.terminate()
    }
  })

  it("stop() ends a worker without KILL; waits and bad calls reject with codes", async () => {
    const context = new Context()
    try {
      const sink = new Sink({ endpoint: bindAddress("inproc", "s"), control: bindAddress("inproc", "c"), context })
      await expect(sink.collect()).rejects.toMatchObject({ code: "ERR_PATTERN_INVALID_STATE" })
      await sink.bind()
      const ventilator = new Ventilator({ endpoint: bindAddress("inproc", "v"), sinkEndpoint: sink.endpoints[0]!, context })
      await ventilator.bind()
      await expect(ventilator.waitForWorkers(1, { timeout: 30 })).rejects.toMatchObject({ code: "ERR_PATTERN_TIMEOUT" })
      await expect(ventilator.waitForWorkers(-1)).rejects.toMatchObject({ code: "ERR_PATTERN_INVALID_OPTION" })
      const worker = new PipelineWorker({
        ventilator: ventilator.endpoints[0]!,
        sink: sink.endpoints[0]!,
        control: sink.controlEndpoints[0]!,
        context,
        handler: () => "",
      })
      const run = worker.run()
      await ventilator.waitForWorkers(1, { timeout: 2000 })
      worker.stop()
      expect(await within(run, 2000, "stopped worker")).toEqual({ reason: "stopped", tasks: 0 })
      await expect(sink.kill({ workers: 1, timeout: 30 })).rejects.toMatchObject({ code: "ERR_PATTERN_TIMEOUT" })
      const waiting = sink.collect()
      sink.close()
      await expect(waiting).rejects.toMatchObject({ code: "ERR_PATTERN_CLOSED" })
      const waitingForWorkers = ventilator.waitForWorkers(5)
      ventilator.close()
      await expect(waitingForWorkers).rejects.toMatchObject({ code: "ERR_PATTERN_CLOSED" })
    } finally {
      context.terminate()
    }
  })
})
