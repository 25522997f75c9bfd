/**
 * Our Titanic with a libzmq TSP client (test/peers/ticlient.py, python3-zmq, written from RFC 9 over RFC 7's
 * MDP/Client framing):
 *
 *   ticlient.py (REQ, MDPC01) ──▶ our MajordomoBroker ◀── our Titanic (restarted mid-run) ──▶ temp dir
 *                                                    ◀── our "echo" MajordomoWorker
 *
 * No request lost across a Titanic restart: every "200" + UUID the client got is answered with its echo,
 * whether Titanic was restarted (the object dropped and the directory reopened) or SIGKILLed in a child
 * process and started again; then titanic.close leaves the directory empty.
 */
import { spawn } from "node:child_process"
import { mkdtempSync, readdirSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { Context } from "@zmq-ts/core"
import { afterEach, describe, expect, it } from "vitest"
import { MajordomoBroker } from "../../src/majordomo-broker.js"
import { MajordomoWorker } from "../../src/majordomo-worker.js"
import { Titanic } from "../../src/index.js"
import { within } from "../helpers/endpoints.js"
import { hasPythonZmq, startPythonPeer, stopPythonPeers } from "../helpers/python-peer.js"

const HEARTBEAT = 100
const COUNT = 20
const cleanups: Array<() => Promise<void> | void> = []
afterEach(async () => {
  await stopPythonPeers()
  for (const cleanup of cleanups.splice(0).reverse()) {
    try {
      await cleanup()
    } catch {
      // best effort
    }
  }
})

const TITANIC = fileURLToPath(new URL("../../src/titanic.ts", import.meta.url))
const TSX = import.meta.resolve("tsx")

describe.skipIf(!hasPythonZmq)("Titanic with a libzmq TSP client", () => {
  it.each(["restart", "sigkill"] as const)("no acknowledged request is lost across a Titanic %s", async (how) => {
    const context = new Context()
    cleanups.push(() => context.terminate())
    const directory = mkdtempSync(join(tmpdir(), "titanic-interop-"))
    cleanups.push(() => rmSync(directory, { recursive: true, force: true }))
    const broker = new MajordomoBroker({ context, heartbeat: HEARTBEAT })
    await broker.bind("tcp://127.0.0.1:*")
    cleanups.push(() => broker.close())
    const endpoint = broker.endpoints[0]!
    const options = { broker: endpoint, directory, dispatchInterval: 50, serviceTimeout: 400, workerOptions: { heartbeat: HEARTBEAT, reconnect: HEARTBEAT } }

    const startTitanic = async (): Promise<() => Promise<void>> => {
      if (how === "restart") {
        const titanic = new Titanic({ ...options, context })
        await titanic.start()
        const stop = (): Promise<void> => titanic.stop()
        cleanups.push(stop)
        return stop
      }
      const code = `import { Titanic } from ${JSON.stringify(TITANIC)}
        const titanic = new Titanic(${JSON.stringify(options)}); await titanic.start(); console.log("READY"); await titanic.done()`
      const child = spawn(process.execPath, ["--conditions=@zmq-ts/source", "--import", TSX, "--input-type=module", "-e", code], { stdio: ["ignore", "pipe", "inherit"] })
      const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()))
      const kill = async (): Promise<void> => {
        if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL")
        await exited
      }
      cleanups.push(kill)
      await within(new Promise<void>((resolve) => child.stdout.on("data", (chunk: Buffer) => chunk.toString().includes("READY") && resolve())), 15_000, "titanic child")
      return kill
    }

    let stopTitanic = await startTitanic()
    const client = startPythonPeer("ticlient", [endpoint, String(COUNT), "500"])
    await client.waitForCount(/^ACK /, COUNT / 2, 15_000)
    await stopTitanic() // mid-run, with requests on disk and no echo worker yet
    stopTitanic = await startTitanic()
    await client.waitForCount(/^ACK /, COUNT, 20_000)

    // Every acknowledged request is on disk, none answered yet (no echo worker so far).
    const files = readdirSync(directory)
    for (const line of client.lines.filter((l) => l.startsWith("ACK "))) expect(files).toContain(`${line.split(" ")[2]}.req`)
    expect(files.filter((name) => name.endsWith(".rep"))).toEqual([])

    const worker = new MajordomoWorker(endpoint, "echo", { context, heartbeat: HEARTBEAT, reconnect: HEARTBEAT })
    cleanups.push(() => worker.close())
    void (async () => {
      let reply: Buffer[] | undefined
      try {
        for (;;) reply = await worker.receive(reply)
      } catch {
        // closed
      }
    })()
    await client.waitFor(/^DONE$/, 30_000)
    expect(await client.exited()).toBe(0)

    const acked = client.lines.filter((l) => l.startsWith("ACK ")).map((l) => l.split(" "))
    expect(acked).toHaveLength(COUNT)
    for (const [, i, uuid] of acked) {
      expect(client.lines).toContain(`REPLY ${uuid} message ${i}`)
      expect(client.lines).toContain(`CLOSED ${uuid}`)
    }
    expect(readdirSync(directory).filter((name) => /\.(req|rep)$/.test(name))).toEqual([])
  }, 60_000)
})
