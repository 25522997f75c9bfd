/**
 * The Freelance pattern, model three (RFC 10/FLP), one case at a time:
 *
 *   FreelanceClient (ROUTER) ──▶ FreelanceServer A (ROUTER, routing id = its endpoint)
 *                            ──▶ FreelanceServer B …
 *
 * The server table's rules with a hand-made clock; then a client against real servers: a reply, failover
 * when the first server stops, a restarted server used again, TIMEOUT when none answers, and a late reply
 * dropped instead of given to the next request.
 */
import { Context, Router } from "@zmq-ts/core"
import { describe, expect, it } from "vitest"
import { FreelanceClient, FreelanceServer, PatternError, PatternErrorCode, type FreelanceEvent } from "../src/index.js"
import { FreelanceServerTable } from "../src/freelance-server-table.js"
import { fixedAddress, sleep, within } from "./helpers/endpoints.js"

describe("FreelanceServerTable", () => {
  it("keeps a server alive for ttl after it was added or heard from, then drops it until it is heard again, at the back", () => {
    const table = new FreelanceServerTable(100, 300)
    table.add("a", 0)
    table.add("b", 10)
    expect(table.add("a", 20)).toBe(false)
    expect(table.alive(0)).toEqual(["a", "b"])
    expect(table.heard("b", 200)).toBe("refreshed")
    expect(table.expire(299)).toEqual([])
    expect(table.expire(300)).toEqual(["a"])
    expect(table.expire(301)).toEqual([]) // each death reported once
    expect(table.isAlive("a", 301)).toBe(false)
    expect(table.alive(301)).toEqual(["b"])
    expect(table.heard("a", 350)).toBe("revived")
    expect(table.alive(351)).toEqual(["b", "a"])
    expect(table.heard("zzz", 351)).toBe("unknown")
    // Without expire(), alive() still leaves out a server past its ttl.
    expect(table.alive(500)).toEqual(["a"])
  })

  it("pings every server pingInterval after it was last pinged or heard from, dead ones too", () => {
    const table = new FreelanceServerTable(100, 300)
    table.add("a", 0)
    table.add("b", 0)
    expect(table.nextDue()).toBe(100)
    expect(table.duePings(99)).toEqual([])
    table.heard("b", 50)
    expect(table.duePings(100)).toEqual(["a"])
    expect(table.duePings(150)).toEqual(["b"])
    expect(table.nextDue()).toBe(200)
    table.expire(1000)
    expect(table.duePings(1000)).toEqual(["a", "b"])
    expect(table.nextDue()).toBe(1100) // dead servers have no expiry left to wait for
  })
})

const FAST = { pingInterval: 50, serverTtl: 200, globalTimeout: 1000, routerOptions: { reconnectInterval: 20 } } as const

async function startServer(context: Context, bind: string, handler?: (body: Buffer[]) => string | Promise<string>): Promise<FreelanceServer> {
  const server = new FreelanceServer({ bind, context, ...(handler === undefined ? {} : { handler }) })
  await server.start()
  return server
}

describe("FreelanceClient", () => {
  it("gets the reply body from the first server, and fails over when it stops", async () => {
    const context = new Context()
    const [a, b] = [await fixedAddress("tcp", "a"), await fixedAddress("tcp", "b")]
    const events: FreelanceEvent[] = []
    const client = new FreelanceClient({ ...FAST, context, onEvent: (event) => events.push(event) })
    const servers = [await startServer(context, a!, ([body]) => `A ${body}`), await startServer(context, b!, ([body]) => `B ${body}`)]
    try {
      client.connect(a!)
      client.connect(b!)
      expect((await within(client.request("one"), 2000, "reply")).map(String)).toEqual(["A one"])
      expect((await client.request("two", "parts")).map(String)).toEqual(["A two"])
      await servers[0]!.stop()
      expect((await within(client.request("three"), 2000, "reply after failover")).map(String)).toEqual(["B three"])
      // A is not used again until it is back.
      for (let i = 0; i < 5; i++) expect((await client.request(`x${i}`)).map(String)).toEqual([`B x${i}`])
      const restarted = await startServer(context, a!, ([body]) => `A2 ${body}`)
      servers.push(restarted)
      await within(
        (async () => {
          while (!events.some((e) => e.type === "pong" && e.server === a) || !client.isAlive(a!)) await sleep(10)
        })(),
        3000,
        "A to answer pings again",
      )
      // A came back: it is alive, but behind B now (the Guide appends revived servers).
      expect(client.isAlive(a!)).toBe(true)
      expect((await client.request("four")).map(String)).toEqual(["B four"])
      await servers[1]!.stop()
      expect((await within(client.request("five"), 2000, "reply from A again")).map(String)).toEqual(["A2 five"])
    } finally {
      client.close()
      for (const server of servers) await server.stop()
      context.terminate()
    }
  })

  it("rejects with TIMEOUT after globalTimeout when no server answers, and CLOSED after close()", async () => {
    const context = new Context()
    const client = new FreelanceClient({ ...FAST, globalTimeout: 150, context })
    try {
      client.connect(await fixedAddress("tcp", "nobody"))
      const started = performance.now()
      const error: unknown = await client.request("anyone?").catch((e: unknown) => e)
      expect(PatternError.isInstance(error) && error.code).toBe(PatternErrorCode.TIMEOUT)
      expect(performance.now() - started).toBeGreaterThanOrEqual(140)
      const waiting = client.request("late")
      client.close()
      await expect(waiting).rejects.toMatchObject({ code: PatternErrorCode.CLOSED })
      await expect(client.request("after")).rejects.toMatchObject({ code: PatternErrorCode.CLOSED })
      expect(() => client.connect("tcp://127.0.0.1:1")).toThrow(PatternError)
    } finally {
      client.close()
      context.terminate()
    }
  })

  it("drops a late reply to an older request instead of giving it to the next one", async () => {
    const context = new Context()
    const endpoint = await fixedAddress("tcp", "slow")
    const events: FreelanceEvent[] = []
    const client = new FreelanceClient({ ...FAST, pingInterval: 1000, serverTtl: 3000, globalTimeout: 400, context, onEvent: (e) => events.push(e) })
    const server = await startServer(context, endpoint, async ([body]) => {
      if (String(body) === "slow") await sleep(600)
      return `re ${body}`
    })
    try {
      client.connect(endpoint)
      await expect(client.request("slow")).rejects.toMatchObject({ code: PatternErrorCode.TIMEOUT })
      // The server answers "slow" while this one waits: that reply must not settle it.
      expect((await within(client.request("fast"), 2000, "reply")).map(String)).toEqual(["re fast"])
      expect(events).toContainEqual({ type: "stale", server: endpoint, sequence: 1 })
    } finally {
      client.close()
      await server.stop()
      context.terminate()
    }
  })

  it("serves overlapping requests, each with its own reply", async () => {
    const context = new Context()
    const endpoint = await fixedAddress("tcp", "many")
    const client = new FreelanceClient({ ...FAST, context })
    const server = await startServer(context, endpoint, ([body]) => `re ${body}`)
    try {
      client.connect(endpoint)
      const replies = await within(Promise.all(Array.from({ length: 20 }, (_, i) => client.request(`r${i}`))), 3000, "replies")
      expect(replies.map((r) => String(r[0]))).toEqual(Array.from({ length: 20 }, (_, i) => `re r${i}`))
      expect(client.pendingRequests).toBe(0)
    } finally {
      client.close()
      await server.stop()
      context.terminate()
    }
  })

  it("speaks RFC 10 on the wire: PING → PONG, [CCF, body] → [CCF, reply], no client routing id needed", async () => {
    const context = new Context()
    const endpoint = await fixedAddress("tcp", "wire")
    const server = await startServer(context, endpoint)
    const raw = new Router({ context, mandatory: true })
    try {
      expect(server.identity).toBe(endpoint)
      raw.connect(endpoint)
      const send = async (frames: string[]): Promise<void> => {
        for (;;) {
          try {
            return await raw.send([endpoint, ...frames])
          } catch {
            await sleep(10) // not connected yet
          }
        }
      }
      await send(["PING"])
      expect((await within(raw.receive(), 2000, "PONG")).map(String)).toEqual([endpoint, "PONG"])
      await send(["7", "random name"])
      expect((await within(raw.receive(), 2000, "reply")).map(String)).toEqual([endpoint, "7", "OK"])
      const unstarted = new FreelanceServer({ bind: "tcp://*:5555", context })
      expect(unstarted.identity).toBe("tcp://localhost:5555") // the Guide's flserver3
      unstarted.socket.close()
      expect(() => new FreelanceServer({ bind: "tcp://127.0.0.1:*", context })).toThrow(PatternError)
    } finally {
      raw.close()
      await server.stop()
      context.terminate()
    }
  })
})
