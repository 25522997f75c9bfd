/**
 * The Pirates across implementations, with libzmq peers on python3-zmq (libzmq 4.3.4) running our
 * test/peers/lpserver.py, lpclient.py, ppworker.py and ppqueue.py, written from the Guide's chapter 4 text and RFC 6:
 *
 *   LazyPirateClient (REQ) ──▶ lpserver.py (REP) that crashes; restarted, a new client is answered
 *   lpclient.py (REQ)      ──▶ a zmq-ts REP echo server, closed and bound again mid-run
 *   LazyPirateClient ──▶ ParanoidPirateQueue ◀── ppworker.py × 2 (DEALER, PPP), the first SIGKILLed
 *   LazyPirateClient ──▶ ppqueue.py (PPP) ◀── ParanoidPirateWorker × 2, the queue SIGKILLed and restarted
 *
 * What the Guide says the runs show: replies in order, a retry after a timeout, "server seems to be offline"
 * after the retries, and recovery once the server, or another worker, is back.
 */
import { Reply } from "@zmq-ts/core"
import { afterEach, describe, expect, it } from "vitest"
import { LazyPirateClient, ParanoidPirateQueue, ParanoidPirateWorker, PatternErrorCode, type ParanoidPirateEvent, type ParanoidPirateWorkerEvent } from "../../src/index.js"
import { bindAddress, fixedAddress, sleep, within } from "../helpers/endpoints.js"
import { hasPythonZmq, startPythonPeer, stopPythonPeers } from "../helpers/python-peer.js"

const closers: Array<() => unknown> = []
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close()
  await stopPythonPeers()
})

const echoes = (reply: Buffer[], request: Buffer[]): boolean => reply.length === 1 && reply[0]!.equals(request[0]!)

describe.skipIf(!hasPythonZmq)("Pirate interop with libzmq (python3-zmq)", () => {
  it("our LazyPirateClient with a libzmq Lazy Pirate server: replies in order, abandoned after the crash, and a new client is answered once the server is back", async () => {
    const endpoint = await fixedAddress("tcp", "lp")
    const server = startPythonPeer("lpserver", [endpoint, "10", "6"])
    await server.waitFor(/^READY$/)
    const retries: number[] = []
    const client = new LazyPirateClient({ endpoint, timeout: 300, retries: 3, matches: echoes, onEvent: (event) => event.type === "retry" && retries.push(event.attempt) })
    closers.push(() => client.close())
    for (let sequence = 1; sequence <= 5; sequence++) expect(String((await client.request(String(sequence)))[0])).toBe(String(sequence))
    // Cycle 6 crashes: three sends unanswered, then ERR_PATTERN_TIMEOUT.
    await expect(client.request("6")).rejects.toMatchObject({ code: PatternErrorCode.TIMEOUT })
    expect(retries).toHaveLength(2)
    await server.exited()

    const restarted = startPythonPeer("lpserver", [endpoint, "10", "0"])
    await restarted.waitFor(/^READY$/)
    const again = new LazyPirateClient({ endpoint, timeout: 300, retries: 3, matches: echoes })
    closers.push(() => again.close())
    for (let sequence = 1; sequence <= 5; sequence++) expect(String((await again.request(String(sequence)))[0])).toBe(String(sequence))
    expect(restarted.lines.filter((line) => line.startsWith("REQUEST "))).toEqual(["REQUEST 1", "REQUEST 2", "REQUEST 3", "REQUEST 4", "REQUEST 5"])
  })

  it("a libzmq Lazy Pirate client with our REP server: answered in order, and it retries through our server's restart", async () => {
    const endpoint = await fixedAddress("tcp", "lpc")
    let server = new Reply({ linger: 0 })
    await server.bind(endpoint)
    const serve = async (socket: Reply): Promise<void> => {
      try {
        for (;;) {
          const request = await socket.receive()
          await socket.send(request)
        }
      } catch {
        // closed
      }
    }
    let serving = serve(server)
    closers.push(async () => {
      server.close()
      await serving
    })
    const client = startPythonPeer("lpclient", [endpoint, "500", "5", "40"])
    await client.waitFor(/^OK 10$/)
    // Our server goes away for 700 ms and comes back on the same endpoint.
    server.close()
    await serving
    await sleep(700)
    server = new Reply({ linger: 0 })
    await server.bind(endpoint)
    serving = serve(server)
    await client.waitFor(/^DONE$/, 20_000)
    const ok = client.lines.filter((line) => line.startsWith("OK ")).map((line) => Number(line.slice(3)))
    expect(ok).toEqual(Array.from({ length: 40 }, (_, i) => i + 1))
    expect(client.lines.some((line) => line.startsWith("RETRY "))).toBe(true)
    expect(client.lines.some((line) => line.startsWith("ABANDON") || line.startsWith("MALFORMED"))).toBe(false)
  })

  it("our ParanoidPirateQueue with libzmq ppworkers: every request answered; a killed worker is purged, and a restarted one serves", async () => {
    const events: ParanoidPirateEvent[] = []
    const queue = new ParanoidPirateQueue({ frontend: bindAddress("tcp", "front"), backend: bindAddress("tcp", "back"), heartbeatInterval: 100, liveness: 3, onEvent: (event) => events.push(event) })
    await queue.start()
    closers.push(() => queue.stop())
    const backend = queue.backendEndpoints[0]!
    const first = startPythonPeer("ppworker", [backend, "100", "5", "first"])
    const second = startPythonPeer("ppworker", [backend, "100", "5", "second"])
    await Promise.all([first.waitFor(/^READY$/), second.waitFor(/^READY$/)])
    const client = new LazyPirateClient({ endpoint: queue.frontendEndpoints[0]!, timeout: 400, retries: 3, matches: echoes })
    closers.push(() => client.close())
    const ask = async (from: number, to: number): Promise<void> => {
      for (let sequence = from; sequence <= to; sequence++) {
        expect(String((await within(client.request(String(sequence)), 5000, `request ${sequence}`))[0])).toBe(String(sequence))
      }
    }
    await ask(1, 20)
    expect(first.lines.some((line) => line.startsWith("REQUEST "))).toBe(true)
    expect(second.lines.some((line) => line.startsWith("REQUEST "))).toBe(true)

    first.kill()
    await first.exited()
    await ask(21, 40)
    // Purged after 3 silent intervals (300 ms), with a margin for a loaded machine.
    const started = Date.now()
    while (!events.some((event) => event.type === "worker:expired" && event.worker.toString() === "first-1") && Date.now() - started < 3000) await sleep(20)
    expect(events.some((event) => event.type === "worker:expired" && event.worker.toString() === "first-1")).toBe(true)

    const third = startPythonPeer("ppworker", [backend, "100", "5", "third"])
    await third.waitFor(/^READY$/)
    second.kill()
    await second.exited()
    await ask(41, 60)
    expect(third.lines.some((line) => line.startsWith("REQUEST "))).toBe(true)
  })

  it("a libzmq ppqueue with our ParanoidPirateWorkers: every request answered; after the queue is killed the workers notice, reconnect to the restarted one and serve again", async () => {
    const [frontend, backend] = [await fixedAddress("tcp", "ppf"), await fixedAddress("tcp", "ppb")]
    let queue = startPythonPeer("ppqueue", [frontend, backend, "100"])
    await queue.waitFor(/^READY$/)
    const events: ParanoidPirateWorkerEvent[][] = [[], []]
    const workers = events.map((log, n) => {
      const worker = new ParanoidPirateWorker({
        queue: backend,
        handler: (request) => request,
        heartbeatInterval: 100,
        liveness: 3,
        reconnectInterval: 100,
        reconnectIntervalMax: 400,
        routingId: (generation) => `w${n}-${generation}`,
        onEvent: (event) => log.push(event),
      })
      closers.push(() => worker.close())
      return worker
    })
    for (const worker of workers) await worker.start()
    await queue.waitForCount(/^WORKER /, 2)
    const ask = async (client: LazyPirateClient, from: number, to: number): Promise<void> => {
      for (let sequence = from; sequence <= to; sequence++) {
        expect(String((await within(client.request(String(sequence)), 5000, `request ${sequence}`))[0])).toBe(String(sequence))
      }
    }
    const client = new LazyPirateClient({ endpoint: frontend, timeout: 400, retries: 5, matches: echoes })
    closers.push(() => client.close())
    await ask(client, 1, 20)
    expect(workers.every((worker) => worker.handled > 0)).toBe(true)

    queue.kill()
    await queue.exited()
    const started = Date.now()
    while (!events.every((log) => log.some((event) => event.type === "heartbeat-failure")) && Date.now() - started < 5000) await sleep(20)
    expect(events.every((log) => log.some((event) => event.type === "heartbeat-failure"))).toBe(true)

    queue = startPythonPeer("ppqueue", [frontend, backend, "100"])
    await queue.waitFor(/^READY$/)
    await queue.waitForCount(/^WORKER /, 2, 10_000)
    const handledBefore = workers.map((worker) => worker.handled)
    await ask(client, 21, 40)
    expect(workers.map((worker) => worker.handled).reduce((a, b) => a + b) - handledBefore.reduce((a, b) => a + b)).toBeGreaterThanOrEqual(20)
  })
})
