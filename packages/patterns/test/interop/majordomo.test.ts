/**
 * Majordomo across implementations: our MajordomoBroker with libzmq clients and workers, and a libzmq
 * broker with our clients and worker. The libzmq side is python3-zmq (libzmq 4.3.4) running our peers in
 * test/peers/md_*.py, written from RFC 7 (MDP/0.1) and RFC 8 (MMI).
 *
 *   md_client.py (REQ) / md_async_client.py (DEALER) ─▶ MajordomoBroker ◀─ md_worker.py (DEALER)
 *   MajordomoClient / MajordomoAsyncClient ─▶ md_broker.py (ROUTER) ◀─ MajordomoWorker
 *
 * What the Guide says the runs show: every request is answered (the sync client's in order), the
 * asynchronous run (the Guide's 100,000 requests, here 2,000) gets every reply, and an MMI lookup of a
 * running service answers "200" (mmiecho's "Lookup echo service: 200"), "404" without a worker, "501" for an
 * unknown mmi.* service.
 */
import { afterEach, describe, expect, it } from "vitest"
import { MajordomoAsyncClient, MajordomoBroker, MajordomoClient, MajordomoWorker } from "../../src/index.js"
import { bindAddress, sleep, within } from "../helpers/endpoints.js"
import { hasPythonZmq, startPythonPeer, stopPythonPeers } from "../helpers/python-peer.js"

const HEARTBEAT = 200
const closers: Array<{ close(): void }> = []
afterEach(async () => {
  for (const closer of closers.splice(0).reverse()) closer.close()
  await stopPythonPeers()
})
const track = <T extends { close(): void }>(thing: T): T => {
  closers.push(thing)
  return thing
}

async function until(test: () => boolean, ms: number, label: string): Promise<void> {
  const end = performance.now() + ms
  while (!test()) {
    if (performance.now() > end) throw new Error(`timed out after ${ms} ms: ${label}`)
    await sleep(10)
  }
}

describe.skipIf(!hasPythonZmq)("Majordomo interop with libzmq (python3-zmq)", () => {
  describe("our MajordomoBroker, libzmq clients and workers", () => {
    async function ourBroker(): Promise<{ broker: MajordomoBroker; endpoint: string }> {
      const broker = track(new MajordomoBroker({ heartbeat: HEARTBEAT }))
      await broker.bind(bindAddress("tcp", "md"))
      return { broker, endpoint: broker.endpoints[0]! }
    }

    it("a libzmq sync client's requests are all answered, in order, by libzmq workers of the service", async () => {
      const { broker, endpoint } = await ourBroker()
      const workers = [startPythonPeer("md_worker", [endpoint, "echo", String(HEARTBEAT)]), startPythonPeer("md_worker", [endpoint, "echo", String(HEARTBEAT)])]
      const other = startPythonPeer("md_worker", [endpoint, "other", String(HEARTBEAT)])
      await until(() => broker.workerCount === 3, 10_000, "three workers registered")
      const client = startPythonPeer("md_client", [endpoint, "echo", "200"])
      await client.waitFor(/^DONE/, 20_000)
      expect(client.lines.at(-1)).toBe("DONE 200")
      expect(client.lines.filter((line) => line.startsWith("REPLY"))).toEqual(Array.from({ length: 200 }, (_, i) => `REPLY ${i} echo|r${i}`))
      // Both echo workers took a share (least recently used first); the other service's worker none.
      for (const worker of workers) expect(worker.lines.filter((line) => line.startsWith("REQUEST")).length).toBeGreaterThan(50)
      expect(other.lines.filter((line) => line.startsWith("REQUEST"))).toEqual([])
    })

    it("a libzmq async client's 2,000 requests (the Guide's 100,000, shortened) all come back", async () => {
      const { broker, endpoint } = await ourBroker()
      startPythonPeer("md_worker", [endpoint, "echo", String(HEARTBEAT)])
      await until(() => broker.workerCount === 1, 10_000, "worker registered")
      const client = startPythonPeer("md_async_client", [endpoint, "echo", "2000"])
      expect(await client.waitFor(/^DONE/, 30_000)).toBe("DONE 2000 2000")
    })

    it("MMI from a libzmq client: 200 with a worker, 404 without, 501 for an unknown mmi.* service; a dead libzmq worker expires", async () => {
      const { broker, endpoint } = await ourBroker()
      const lookup = async (service: string, body: string): Promise<string> => {
        const peer = startPythonPeer("md_client", [endpoint, service, "1", body])
        await peer.waitFor(/^DONE/, 15_000)
        return peer.lines.find((line) => line.startsWith("REPLY"))!.replace(/^REPLY 0 /, "")
      }
      expect(await lookup("mmi.service", "echo")).toBe("404")
      const worker = startPythonPeer("md_worker", [endpoint, "echo", String(HEARTBEAT)])
      await until(() => broker.workerCount === 1, 10_000, "worker registered")
      expect(await lookup("mmi.service", "echo")).toBe("200")
      expect(await lookup("mmi.stats", "echo")).toBe("501")
      worker.kill() // a crash: no DISCONNECT
      await worker.exited()
      await until(() => broker.workerCount === 0, HEARTBEAT * 6, "dead worker expired")
      expect(await lookup("mmi.service", "echo")).toBe("404")
    })

    it("a libzmq worker re-registers with a restarted MajordomoBroker", async () => {
      const { broker, endpoint } = await ourBroker()
      const worker = startPythonPeer("md_worker", [endpoint, "echo", String(HEARTBEAT)])
      await until(() => broker.workerCount === 1, 10_000, "worker registered")
      broker.close()
      await broker.done()
      const again = track(new MajordomoBroker({ heartbeat: HEARTBEAT }))
      await again.bind(endpoint)
      await until(() => again.workerCount === 1, 10_000, "worker registered again")
      expect(worker.lines.filter((line) => line === "CONNECT").length).toBeGreaterThanOrEqual(2)
      const client = track(new MajordomoClient(endpoint, { timeout: 1000 }))
      expect((await client.request("echo", ["back"]))?.map(String)).toEqual(["echo", "back"])
    })
  })

  describe("a libzmq broker, our clients and worker", () => {
    async function theirBroker(): Promise<string> {
      const broker = startPythonPeer("md_broker", ["tcp://127.0.0.1:*", String(HEARTBEAT)])
      return (await broker.waitFor(/^BOUND /)).slice("BOUND ".length)
    }

    it("our MajordomoWorker serves our MajordomoClient's requests, all answered in order; MMI answers 200/404/501", async () => {
      const endpoint = await theirBroker()
      const worker = track(new MajordomoWorker(endpoint, "echo", { heartbeat: HEARTBEAT }))
      void worker.serve((request) => ["echo", ...request])
      const client = track(new MajordomoClient(endpoint))
      expect((await client.request("mmi.service", ["nobody"]))?.map(String)).toEqual(["404"])
      expect((await client.request("mmi.services", ["echo"]))?.map(String)).toEqual(["501"])
      for (let i = 0; i < 300; i++) expect((await client.request("echo", [`r${i}`]))?.map(String)).toEqual(["echo", `r${i}`])
      expect((await client.request("mmi.service", ["echo"]))?.map(String)).toEqual(["200"])
      expect(worker.handled).toBe(300)
    })

    it("our MajordomoAsyncClient's 2,000 requests to a libzmq worker all come back", async () => {
      const endpoint = await theirBroker()
      const worker = startPythonPeer("md_worker", [endpoint, "echo", String(HEARTBEAT)])
      await worker.waitFor(/^CONNECT/)
      const client = track(new MajordomoAsyncClient(endpoint, { timeout: 5000 }))
      for (let i = 0; i < 2000; i++) await client.send("echo", [`a${i}`])
      const bodies = new Set<string>()
      for (let i = 0; i < 2000; i++) {
        const reply = await within(client.receive(), 10_000, `reply ${i}`)
        expect(reply).toBeDefined()
        bodies.add(reply!.map(String).join("|"))
      }
      expect(bodies.size).toBe(2000)
    })

    it("our MajordomoWorker registers again after the libzmq broker restarts; our client's retry is answered", async () => {
      const first = startPythonPeer("md_broker", ["tcp://127.0.0.1:*", String(HEARTBEAT)])
      const endpoint = (await first.waitFor(/^BOUND /)).slice("BOUND ".length)
      const worker = track(new MajordomoWorker(endpoint, "echo", { heartbeat: HEARTBEAT, reconnect: HEARTBEAT }))
      void worker.serve((request) => request)
      await first.waitFor(/^READY echo/)
      first.kill()
      await first.exited()
      const second = startPythonPeer("md_broker", [endpoint, String(HEARTBEAT)])
      await second.waitFor(/^BOUND /)
      await second.waitFor(/^READY echo/, 10_000)
      const client = track(new MajordomoClient(endpoint, { timeout: 1000 }))
      expect((await client.request("echo", ["again"]))?.map(String)).toEqual(["again"])
    })
  })
})
