/**
 * The draft types over inproc between worker threads of one shared Context:
 *
 *   main CLIENT ──"request"──▶ worker SERVER          the routing id works across the thread pipe
 *   main RADIO  ──[group, body]──▶ worker DISH        the DISH's JOIN crosses threads upstream
 */
import { randomBytes } from "node:crypto"
import { Worker } from "node:worker_threads"
import { afterEach, describe, expect, it } from "vitest"
import { Context } from "../../src/index.js"
import { Client, Radio } from "../../src/draft.js"
import { track } from "../helpers/cleanup.js"

const boot = new URL("../fixtures/thread-boot.mjs", import.meta.url)
const entry = new URL("./fixtures/draft-thread-roles.ts", import.meta.url).href
const workers: Worker[] = []
const contexts: Context[] = []

afterEach(async () => {
  for (const context of contexts.splice(0)) context.terminate()
  await Promise.all(workers.splice(0).map((worker) => worker.terminate()))
})

/** Starts a worker in `role`; resolves with a function giving its reports in order. */
function start(context: Context, role: string, address: string, count: number): () => Promise<Record<string, unknown>> {
  const handle = context.share()
  const worker = new Worker(boot, { workerData: { entry, role, context: handle, address, count }, transferList: [handle] })
  workers.push(worker)
  const reports: Array<Record<string, unknown>> = []
  const waiting: Array<(report: Record<string, unknown>) => void> = []
  worker.on("message", (report: Record<string, unknown>) => {
    const waiter = waiting.shift()
    if (waiter !== undefined) waiter(report)
    else reports.push(report)
  })
  worker.on("error", (error) => {
    throw error
  })
  return () => {
    const report = reports.shift()
    return report !== undefined ? Promise.resolve(report) : new Promise((resolve) => waiting.push(resolve))
  }
}

describe("draft types across worker threads (inproc, one shared Context)", () => {
  it("a CLIENT in the main thread talks to a SERVER in a worker", async () => {
    const context = new Context()
    contexts.push(context)
    const address = `inproc://draft-threads-${randomBytes(4).toString("hex")}`
    const next = start(context, "server", address, 3)
    expect(await next()).toEqual({ ready: true })
    const client = track(new Client({ context }))
    client.connect(address)
    for (let i = 0; i < 3; i++) {
      await client.send(`request ${i}`)
      expect((await client.receive())[0]!.toString()).toBe(`request ${i} answered`)
    }
  }, 20_000)

  it("a DISH in a worker joins a RADIO in the main thread and gets only its group", async () => {
    const context = new Context()
    contexts.push(context)
    const address = `inproc://draft-threads-${randomBytes(4).toString("hex")}`
    const radio = track(new Radio({ context }))
    await radio.bind(address)
    const next = start(context, "dish", address, 0)
    expect(await next()).toEqual({ ready: true })
    // The JOIN crosses the thread pipe; until it has, the radio drops what it sends to the group.
    let first: Record<string, unknown> | undefined
    const firstReport = next().then((report) => (first = report))
    for (let i = 0; first === undefined; i++) {
      await radio.send(`probe ${i}`, { group: "wanted" })
      await radio.send("unwanted", { group: "other" })
      await Promise.race([firstReport, new Promise((resolve) => setTimeout(resolve, 20))])
    }
    expect(first).toMatchObject({ group: "wanted" })
    await radio.send("unwanted", { group: "other" })
    await radio.send("end", { group: "wanted" })
    const rest: Array<Record<string, unknown>> = []
    do rest.push(await next())
    while (rest.at(-1)!.body !== "end")
    // Only the joined group came through: probes still in flight, then the end.
    expect(rest.every((report) => report.group === "wanted")).toBe(true)
    expect(rest.slice(0, -1).every((report) => String(report.body).startsWith("probe"))).toBe(true)
  }, 20_000)
})
