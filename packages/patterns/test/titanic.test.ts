/**
 * Titanic (RFC 9 TSP) on the Majordomo broker, over tcp, against a model:
 *
 *   TSP client (MajordomoClient) ──▶ MajordomoBroker ◀── Titanic (titanic.request/.reply/.close workers + dispatcher ──▶ store dir)
 *                                                   ◀── "echo" / "upper" workers (MajordomoWorker), coming and going
 *
 * Property: for any sequence of requests, worker starts and stops (a stopped worker may die holding a
 * request), Titanic restarts (the object dropped, the directory reopened), reply polls and closes: every
 * request answered "200" + UUID is eventually answered by its service with the right reply, a poll never
 * shows another reply, a closed UUID is unknown ("400") and its files are gone, and nothing is left on disk
 * once everything is closed. A dispatcher that drops a request is shown to be caught.
 */
import { spawn, type ChildProcess } from "node:child_process"
import { mkdtempSync, readdirSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { Context } from "@zmq-ts/core"
import fc from "fast-check"
import { afterEach, describe, expect, it } from "vitest"
import { MajordomoBroker } from "../src/majordomo-broker.js"
import { MajordomoClient } from "../src/majordomo-client.js"
import { MajordomoWorker } from "../src/majordomo-worker.js"
import { Titanic, TitanicStatus, type TitanicOptions } from "../src/index.js"
import { sleep, within } from "./helpers/endpoints.js"

const HEARTBEAT = 100
const SERVICES = { echo: (body: string) => body, upper: (body: string) => body.toUpperCase() } as const
type ServiceName = keyof typeof SERVICES

const cleanups: Array<() => Promise<void> | void> = []
async function cleanup(): Promise<void> {
  for (const fn of cleanups.splice(0).reverse()) {
    try {
      await fn()
    } catch {
      // best effort
    }
  }
}
afterEach(cleanup)

interface World {
  readonly context: Context
  readonly broker: string
  readonly directory: string
  readonly client: MajordomoClient
  startWorker(service: ServiceName): MajordomoWorker
  startTitanic(): Promise<Titanic>
}

async function world(TitanicClass: typeof Titanic = Titanic, extra: Partial<TitanicOptions> = {}): Promise<World> {
  const context = new Context()
  cleanups.push(() => context.terminate())
  const directory = mkdtempSync(join(tmpdir(), "titanic-"))
  cleanups.push(() => rmSync(directory, { recursive: true, force: true }))
  const mdBroker = new MajordomoBroker({ context, heartbeat: HEARTBEAT })
  await mdBroker.bind("tcp://127.0.0.1:*")
  cleanups.push(() => mdBroker.close())
  const broker = mdBroker.endpoints[0]!
  const client = new MajordomoClient(broker, { context, timeout: 1000, retries: 5 })
  cleanups.push(() => client.close())
  return {
    context,
    broker,
    directory,
    client,
    startWorker(service) {
      const worker = new MajordomoWorker(broker, service, { context, heartbeat: HEARTBEAT, reconnect: HEARTBEAT })
      void (async () => {
        let reply: string[] | undefined
        try {
          for (;;) {
            const [body] = await worker.receive(reply)
            reply = [SERVICES[service](body!.toString())]
          }
        } catch {
          // closed
        }
      })()
      cleanups.push(() => worker.close())
      return worker
    },
    async startTitanic() {
      const titanic = new TitanicClass({
        broker,
        directory,
        context,
        dispatchInterval: 50,
        serviceTimeout: 400,
        workerOptions: { heartbeat: HEARTBEAT, reconnect: HEARTBEAT },
        ...extra,
      })
      await titanic.start()
      cleanups.push(() => titanic.stop())
      return titanic
    },
  }
}

/** A TSP call: [status, …rest], as ticlient's s_service_call sees it. */
async function call(client: MajordomoClient, service: string, body: readonly string[]): Promise<[string, ...string[]]> {
  const reply = await client.request(service, body)
  if (reply === undefined) throw new Error(`${service}: no reply`)
  return reply.map((frame) => frame.toString()) as [string, ...string[]]
}

type Action =
  | { readonly kind: "request"; readonly service: ServiceName; readonly body: string }
  | { readonly kind: "worker"; readonly service: ServiceName }
  | { readonly kind: "stop-worker"; readonly index: number }
  | { readonly kind: "restart" }
  | { readonly kind: "poll"; readonly index: number }
  | { readonly kind: "close"; readonly index: number }
  | { readonly kind: "pause"; readonly ms: number }

const service = fc.constantFrom<ServiceName>("echo", "upper")
const action: fc.Arbitrary<Action> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant("request" as const), service, body: fc.string({ minLength: 1, maxLength: 12 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("worker" as const), service }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("stop-worker" as const), index: fc.nat(5) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("restart" as const) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("poll" as const), index: fc.nat(20) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("close" as const), index: fc.nat(20) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("pause" as const), ms: fc.integer({ min: 0, max: 150 }) }) },
)

function scenario(TitanicClass: typeof Titanic, settle: number) {
  return async (actions: readonly Action[]): Promise<void> => {
    try {
      const w = await world(TitanicClass)
      let titanic = await w.startTitanic()
      const workers: MajordomoWorker[] = []
      /** The model: accepted UUID → the reply its service must give; closed UUIDs. */
      const expected = new Map<string, string>()
      const closed = new Set<string>()
      const open = (): string[] => [...expected.keys()].filter((uuid) => !closed.has(uuid))
      const poll = async (uuid: string): Promise<string> => {
        const [status, ...rest] = await call(w.client, "titanic.reply", [uuid])
        if (closed.has(uuid)) expect(status).toBe(TitanicStatus.UNKNOWN)
        else expect([TitanicStatus.OK, TitanicStatus.PENDING]).toContain(status)
        if (status === TitanicStatus.OK) expect(rest).toEqual([expected.get(uuid)])
        return status
      }
      for (const a of actions) {
        if (a.kind === "request") {
          const [status, uuid] = await call(w.client, "titanic.request", [a.service, a.body])
          expect(status).toBe(TitanicStatus.OK)
          expect(uuid).toMatch(/^[0-9A-F]{32}$/)
          expect(expected.has(uuid!)).toBe(false)
          expected.set(uuid!, SERVICES[a.service](a.body))
        } else if (a.kind === "worker") {
          workers.push(w.startWorker(a.service))
        } else if (a.kind === "stop-worker") {
          if (workers.length > 0) workers.splice(a.index % workers.length, 1)[0]!.close()
        } else if (a.kind === "restart") {
          await titanic.stop() // the in-memory object is dropped; a new one reopens the directory
          titanic = await w.startTitanic()
        } else if (a.kind === "poll") {
          const uuids = [...expected.keys()]
          if (uuids.length > 0) await poll(uuids[a.index % uuids.length]!)
        } else if (a.kind === "close") {
          const uuids = open()
          if (uuids.length === 0) continue
          const uuid = uuids[a.index % uuids.length]!
          expect(await call(w.client, "titanic.close", [uuid])).toEqual([TitanicStatus.OK])
          closed.add(uuid)
          expect(readdirSync(w.directory).filter((name) => name.startsWith(uuid))).toEqual([])
          await poll(uuid)
        } else await sleep(a.ms)
      }
      // Both services available from now on: every open request gets its reply.
      w.startWorker("echo")
      w.startWorker("upper")
      await within(
        (async () => {
          for (const uuid of open()) while ((await poll(uuid)) !== TitanicStatus.OK) await sleep(50)
        })(),
        settle,
        `every accepted request answered (${open().length} open)`,
      )
      for (const uuid of open()) {
        expect(await call(w.client, "titanic.close", [uuid])).toEqual([TitanicStatus.OK])
        closed.add(uuid)
      }
      expect(readdirSync(w.directory).filter((name) => /\.(req|rep)$/.test(name))).toEqual([])
      expect(titanic.pendingRequests).toBe(0)
    } finally {
      await cleanup()
    }
  }
}

/** Seeded mutation: a dispatcher that drops one request (says it is done without sending it). */
class DroppingTitanic extends Titanic {
  #dispatched = 0
  protected override async dispatch(uuid: string): Promise<boolean> {
    if (++this.#dispatched === 1) return true
    return super.dispatch(uuid)
  }
}

const actions = fc.array(action, { minLength: 5, maxLength: 24, size: "medium" })

const TITANIC = fileURLToPath(new URL("../src/titanic.ts", import.meta.url))
const TSX = import.meta.resolve("tsx")

/** Titanic in a child process (to be SIGKILLed): prints "READY" once its services are up. */
function spawnTitanic(broker: string, directory: string): ChildProcess {
  const code = `
    import { Titanic } from ${JSON.stringify(TITANIC)}
    const titanic = new Titanic({ broker: ${JSON.stringify(broker)}, directory: ${JSON.stringify(directory)}, dispatchInterval: 50,
      serviceTimeout: 400, workerOptions: { heartbeat: ${HEARTBEAT}, reconnect: ${HEARTBEAT} } })
    await titanic.start()
    console.log("READY")
    await titanic.done()
  `
  const child = spawn(process.execPath, ["--conditions=@zmq-ts/source", "--import", TSX, "--input-type=module", "-e", code], { stdio: ["ignore", "pipe", "inherit"] })
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()))
  cleanups.push(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL")
    await exited
  })
  return child
}

const ready = (child: ChildProcess): Promise<void> =>
  within(new Promise<void>((resolve) => child.stdout!.on("data", (chunk: Buffer) => chunk.toString().includes("READY") && resolve())), 15_000, "titanic child ready")

describe("Titanic", () => {
  it("property: Titanic SIGKILLed at a random moment while requests and replies are being written loses no acknowledged request", async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 400 }), fc.boolean(), async (killAfter, withWorker) => {
        try {
          const w = await world()
          let child = spawnTitanic(w.broker, w.directory)
          await ready(child)
          if (withWorker) w.startWorker("echo") // replies are being written too
          const acked: string[] = []
          let sending = true
          const sender = (async () => {
            for (let i = 0; sending; i++) {
              const [status, uuid] = await call(w.client, "titanic.request", ["echo", `request ${i}`])
              if (status === "200") acked.push(`${uuid} request ${i}`)
            }
          })()
          await sleep(killAfter)
          child.kill("SIGKILL")
          await sleep(HEARTBEAT * 2)
          child = spawnTitanic(w.broker, w.directory)
          await ready(child)
          await sleep(200)
          sending = false
          await sender
          if (!withWorker) w.startWorker("echo")
          expect(acked.length).toBeGreaterThan(0)
          await within(
            (async () => {
              for (const entry of acked) {
                const [uuid, ...body] = entry.split(" ")
                let reply: string[]
                while ((reply = await call(w.client, "titanic.reply", [uuid!]))[0] !== "200") {
                  expect(reply[0]).toBe("300")
                  await sleep(50)
                }
                expect(reply).toEqual(["200", body.join(" ")])
              }
            })(),
            15_000,
            "every acknowledged request answered after the crash",
          )
        } finally {
          await cleanup()
        }
      }),
      { numRuns: 2 },
    )
  }, 60_000)

  it("ticlient's dialogue: titanic.request → 200 + UUID, titanic.reply → 300 until the service exists, then 200 + reply, titanic.close → 200", async () => {
    const w = await world()
    await w.startTitanic()
    const [status, uuid] = await call(w.client, "titanic.request", ["echo", "Hello world"])
    expect(status).toBe("200")
    expect(await call(w.client, "titanic.reply", [uuid!])).toEqual(["300"])
    expect(await call(w.client, "titanic.reply", ["0".repeat(32)])).toEqual(["400"])
    expect(await call(w.client, "titanic.reply", ["nonsense"])).toEqual(["400"])
    expect(await call(w.client, "titanic.request", ["echo"])).toEqual(["400"]) // RFC 9: 2 or more frames
    w.startWorker("echo")
    let reply: string[] = []
    await within((async () => { while ((reply = await call(w.client, "titanic.reply", [uuid!]))[0] !== "200") await sleep(50) })(), 10_000, "the reply")
    expect(reply).toEqual(["200", "Hello world"])
    expect(await call(w.client, "titanic.reply", [uuid!.toLowerCase()])).toEqual(["200", "Hello world"]) // idempotent
    expect(await call(w.client, "titanic.close", [uuid!])).toEqual(["200"])
    expect(await call(w.client, "titanic.close", [uuid!])).toEqual(["200"]) // idempotent, unknown is OK
    expect(await call(w.client, "titanic.reply", [uuid!])).toEqual(["400"])
    expect(readdirSync(w.directory)).toEqual([])
  }, 20_000)

  it("property: no accepted request is lost across worker deaths and Titanic restarts; replies match; close removes files", async () => {
    await fc.assert(fc.asyncProperty(actions, scenario(Titanic, 10_000)), { numRuns: 8, interruptAfterTimeLimit: 20_000 })
  }, 40_000)

  it("catches a seeded mutation: a dispatcher that drops a request", async () => {
    const withRequests = fc.tuple(actions, fc.constantFrom<ServiceName>("echo", "upper")).map(([list, s]) => [{ kind: "request", service: s, body: "x" } as Action, ...list])
    const result = await fc.check(fc.asyncProperty(withRequests, scenario(DroppingTitanic, 2500)), { numRuns: 2, endOnFailure: true })
    expect(result.failed).toBe(true)
  }, 20_000)
})
