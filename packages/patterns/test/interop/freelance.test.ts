/**
 * Freelance (model three, RFC 10/FLP) across implementations: our FreelanceClient with libzmq servers, and a
 * libzmq client with our FreelanceServers. The libzmq side is python3-zmq (libzmq 4.3.4) running our peers
 * test/peers/flserver3.py and flclient3.py, written from RFC 10.
 *
 *   FreelanceClient (ROUTER) ──▶ flserver3.py × 3 (ROUTER, routing id = endpoint), the first killed mid-run
 *   flclient3.py (ROUTER)    ──▶ FreelanceServer × 2, the first stopped mid-run
 *
 * What the Guide says the runs show: every request gets its reply (flclient3's 10,000, here a few hundred),
 * the servers are pinged (PING → PONG), and when a server dies the requests go to another one.
 */
import { afterEach, describe, expect, it } from "vitest"
import { FreelanceClient, FreelanceServer, type FreelanceEvent } from "../../src/index.js"
import { fixedAddress, sleep, within } from "../helpers/endpoints.js"
import { hasPythonZmq, startPythonPeer, stopPythonPeers } from "../helpers/python-peer.js"

const closers: Array<() => unknown> = []
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close()
  await stopPythonPeers()
})

describe.skipIf(!hasPythonZmq)("Freelance interop with libzmq (python3-zmq)", () => {
  it("our FreelanceClient: libzmq servers answer every request, are pinged, and the client fails over when the first is killed", async () => {
    const endpoints = [await fixedAddress("tcp", "a"), await fixedAddress("tcp", "b"), await fixedAddress("tcp", "c")]
    const servers = endpoints.map((endpoint) => startPythonPeer("flserver3", [endpoint, endpoint]))
    for (const server of servers) await server.waitFor(/^READY$/)
    const events: FreelanceEvent[] = []
    const client = new FreelanceClient({ pingInterval: 100, serverTtl: 300, globalTimeout: 2000, onEvent: (event) => events.push(event) })
    closers.push(() => client.close())
    for (const endpoint of endpoints) client.connect(endpoint)

    const replies: string[] = []
    for (let i = 0; i < 300; i++) {
      if (i === 100) {
        // The first server dies holding nothing or a request: the next requests must go to the second.
        servers[0]!.kill()
        await servers[0]!.exited()
      }
      const reply = await within(client.request(`name ${i}`), 3000, `reply ${i}`)
      replies.push(reply.map(String).join("|"))
    }
    expect(replies).toEqual(Array.from({ length: 300 }, (_, i) => `OK|name ${i}`))
    const sendsTo = (server: string): number => events.filter((e) => e.type === "send" && e.server === server).length
    // The preferred (first connected) server took every request while it lived, then the second.
    expect(servers[0]!.lines.filter((line) => line.startsWith("REQUEST")).length).toBeGreaterThanOrEqual(99)
    expect(servers[1]!.lines.filter((line) => line.startsWith("REQUEST")).length).toBeGreaterThanOrEqual(199)
    expect(sendsTo(endpoints[2]!)).toBe(0)
    // The CCF came back unmodified: each reply was matched to its request by the sequence number.
    expect(servers[1]!.lines.filter((line) => line.startsWith("REQUEST")).at(-1)).toBe("REQUEST 300 name 299")
    // Servers are pinged (RFC 10's PING/PONG), and the killed one is given up after its TTL.
    await within(
      (async () => {
        while (!events.some((e) => e.type === "expired" && e.server === endpoints[0])) await sleep(20)
      })(),
      3000,
      "the killed server to expire",
    )
    expect(servers[2]!.lines).toContain("PING")
    expect(events.some((e) => e.type === "pong" && e.server === endpoints[2])).toBe(true)
    expect(client.isAlive(endpoints[0]!)).toBe(false)
    expect(client.isAlive(endpoints[1]!)).toBe(true)
  }, 30_000)

  it("a libzmq model-three client: our FreelanceServers answer PING and every request, and it fails over when the first stops", async () => {
    const endpoints = [await fixedAddress("tcp", "a"), await fixedAddress("tcp", "b")]
    const servers: FreelanceServer[] = []
    for (const endpoint of endpoints) {
      const server = new FreelanceServer({ bind: endpoint })
      closers.push(() => server.stop())
      await server.start()
      servers.push(server)
    }
    const client = startPythonPeer("flclient3", ["200", "300", ...endpoints])
    await client.waitForCount(/^ALIVE /, 2)
    await client.waitForCount(/^REPLY /, 50)
    await servers[0]!.stop()
    await client.waitFor(/^DONE /, 20_000)
    expect(client.lines.at(-1)).toBe("DONE 200")
    const replies = client.lines.filter((line) => line.startsWith("REPLY "))
    expect(replies.map((line) => line.split(" ")[1])).toEqual(Array.from({ length: 200 }, (_, i) => String(i + 1)))
    for (const line of replies) expect(line).toMatch(/^REPLY (\d+) tcp:\S+ OK$/)
    // The first server answered until it stopped, then the client declared it dead and used the second.
    expect(replies.filter((line) => line.includes(endpoints[0]!)).length).toBeGreaterThanOrEqual(50)
    expect(replies.filter((line) => line.includes(endpoints[1]!)).length).toBeGreaterThan(0)
    expect(client.lines).toContain(`DEAD ${endpoints[0]}`)
    expect(servers[1]!.requests).toBe(replies.filter((line) => line.includes(endpoints[1]!)).length)
  }, 30_000)
})
