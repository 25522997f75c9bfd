/**
 * helloMessage and disconnectMessage over inproc between worker threads (one shared Context), as on one
 * thread (test/options/peer-messages.test.ts):
 *
 *   main: ROUTER(hello "W", disconnectMessage "D") ◀──inproc── worker: DEALER "worker" (hello "H")
 *         ──▶ [worker]["H"]   the worker gets "W"   worker closes ──▶ [worker]["D"]
 */
import { randomBytes } from "node:crypto"
import { Worker } from "node:worker_threads"
import { expect, it } from "vitest"
import { Context, Router } from "../../src/index.js"
import { afterThisTest, track } from "../helpers/cleanup.js"

it("a ROUTER and a DEALER in another thread exchange hellos, and the ROUTER hears the DEALER leave", async () => {
  const context = new Context()
  afterThisTest(() => context.terminate())
  const router = track(new Router({ context, helloMessage: "W", disconnectMessage: "D", receiveTimeout: 5000 }))
  const address = `inproc://peer-messages-${randomBytes(4).toString("hex")}`
  await router.bind(address)
  const handle = context.share()
  const worker = new Worker(new URL("../fixtures/thread-boot.mjs", import.meta.url), {
    workerData: { entry: new URL("./fixtures/peer-message-roles.ts", import.meta.url).href, context: handle, address },
    transferList: [handle],
  })
  afterThisTest(() => void worker.terminate())
  const report = new Promise<{ first: string }>((resolve, reject) => {
    worker.once("message", resolve)
    worker.once("error", reject)
  })
  expect((await router.receive()).map(String)).toEqual(["worker", "H"])
  expect(await report).toEqual({ first: "W" })
  expect((await router.receive()).map(String)).toEqual(["worker", "D"])
})
