/**
 * Regression: a client of ours must survive its server going away and coming back on the same address.
 * The connecting side's session is persistent (libzmq's `session_base` with a connecter): its pipe outlives
 * each TCP/ipc connection, so the client reconnects by itself and what was sent while the server was down
 * waits in that pipe (DEALER and PUSH queue up to the send high-water mark; beyond it, EAGAIN) and is
 * delivered, in order, once the server is back.
 *
 *   DEALER / PUSH / REQ (ours) ──connect──▶ ROUTER / PULL / REP (ours or libzmq), bound at one address
 *                                             │ close … rebind the same tcp port / ipc path
 *                                             ▼
 *                                          a new server: receives what was queued while it was down
 */
import { existsSync, unlinkSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { setTimeout as sleep } from "node:timers/promises"
import { afterEach, describe, expect, it } from "vitest"
import * as zmq from "zeromq"
import { Dealer, Pull, Push, Reply, Request, Router, ZmqError, type SocketEventType } from "../src/index.js"

type ServerImpl = "ours" | "libzmq"
type Pattern = "DEALER→ROUTER" | "PUSH→PULL" | "REQ→REP"
type Transport = "tcp" | "ipc"

const HIGH_WATER_MARK = 10

async function waitUntil(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await sleep(5)
  }
}

/**
 * A server that records every message body it receives; a ROUTER echoes each message to its sender, a REP
 * answers `reply:<request>`.
 */
interface Server {
  readonly received: string[]
  /** The bound address, wildcards resolved. */
  readonly address: string
  close(): Promise<void>
}

async function startServer(impl: ServerImpl, pattern: Pattern, address: string): Promise<Server> {
  const received: string[] = []
  if (impl === "ours") {
    const socket = pattern === "DEALER→ROUTER" ? new Router({ linger: 0 }) : pattern === "PUSH→PULL" ? new Pull({ linger: 0 }) : new Reply({ linger: 0 })
    await socket.bind(address)
    const loop = (async () => {
      for await (const message of socket) {
        if (socket instanceof Router) {
          received.push(message[1]!.toString())
          await socket.send(message)
        } else {
          received.push(message[0]!.toString())
          if (socket instanceof Reply) await socket.send(`reply:${message[0]!.toString()}`)
        }
      }
    })()
    return {
      received,
      address: socket.lastEndpoint!,
      close: async () => {
        socket.close()
        await loop
      },
    }
  }
  const socket = pattern === "DEALER→ROUTER" ? new zmq.Router({ linger: 0 }) : pattern === "PUSH→PULL" ? new zmq.Pull({ linger: 0 }) : new zmq.Reply({ linger: 0 })
  await socket.bind(address)
  const loop = (async () => {
    try {
      for await (const message of socket) {
        if (socket instanceof zmq.Router) {
          received.push(message[1]!.toString())
          await socket.send(message)
        } else {
          received.push(message[0]!.toString())
          if (socket instanceof zmq.Reply) await socket.send(`reply:${message[0]!.toString()}`)
        }
      }
    } catch (error) {
      if (!socket.closed) throw error
    }
  })()
  return {
    received,
    address: socket.lastEndpoint!,
    close: async () => {
      socket.close()
      await loop
    },
  }
}

/** Binds the same address again; the old listener may take a moment to let go of it (libzmq closes in the background). */
async function restartServer(impl: ServerImpl, pattern: Pattern, address: string): Promise<Server> {
  const deadline = Date.now() + 3000
  for (;;) {
    try {
      return await startServer(impl, pattern, address)
    } catch (error) {
      const code = (error as { code?: string }).code
      if (code !== "EADDRINUSE" || Date.now() > deadline) throw error
      await sleep(20)
    }
  }
}

let ipcCounter = 0
function addressFor(transport: Transport): string {
  return transport === "tcp" ? "tcp://127.0.0.1:*" : `ipc://${join(tmpdir(), `zmq-ts-restart-${process.pid}-${ipcCounter++}.sock`)}`
}

const cleanups: Array<() => unknown> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

function countEvents(socket: Dealer | Push | Request, types: readonly SocketEventType[]): Map<SocketEventType, number> {
  const counts = new Map<SocketEventType, number>()
  for (const type of types) socket.events.on(type, () => counts.set(type, (counts.get(type) ?? 0) + 1))
  return counts
}

async function expectEagain(promise: Promise<unknown>): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (failure: unknown) => failure,
  )
  expect(ZmqError.isInstance(error) && error.code).toBe("EAGAIN")
}

const MATRIX = (["ours", "libzmq"] as const).flatMap((impl) => (["tcp", "ipc"] as const).map((transport) => [impl, transport] as const))

describe.each(MATRIX)("a client resumes after its %s server restarts on the same %s address", (impl, transport) => {
  for (const pattern of ["DEALER→ROUTER", "PUSH→PULL"] as const) {
    it(`${pattern}: queues up to the high-water mark while the server is down, delivers it after the restart`, async () => {
      let server = await startServer(impl, pattern, addressFor(transport))
      const address = server.address
      cleanups.push(() => server.close())
      if (transport === "ipc") cleanups.push(() => existsSync(address.slice(6)) && unlinkSync(address.slice(6)))

      const client =
        pattern === "DEALER→ROUTER"
          ? new Dealer({ linger: 0, sendHighWaterMark: HIGH_WATER_MARK, sendTimeout: 0 })
          : new Push({ linger: 0, sendHighWaterMark: HIGH_WATER_MARK, sendTimeout: 0 })
      cleanups.push(() => client.close())
      const events = countEvents(client, ["handshake", "disconnect", "connect:retry"])
      client.connect(address)

      const echoes: string[] = []
      const echoLoop =
        client instanceof Dealer
          ? (async () => {
              for await (const [body] of client) echoes.push(body!.toString())
            })()
          : Promise.resolve()
      cleanups.push(() => {
        client.close() // ends the echo loop
        return echoLoop
      })

      const before = ["before-0", "before-1", "before-2"]
      for (const body of before) await client.send(body)
      await waitUntil(() => server.received.length === before.length, 3000, "the first server to receive")
      expect(server.received).toEqual(before)
      if (client instanceof Dealer) await waitUntil(() => echoes.length === before.length, 3000, "the first echoes")

      await server.close()
      await waitUntil(() => (events.get("disconnect") ?? 0) >= 1, 3000, "the client to notice the server left")

      // While the server is down: HIGH_WATER_MARK messages queue, the next one does not fit.
      const down = Array.from({ length: HIGH_WATER_MARK }, (_, i) => `down-${i}`)
      for (const body of down) await client.send(body) // sendTimeout 0: resolves only if queued at once
      await expectEagain(client.send("over-the-mark"))
      // The client keeps trying by itself; the queue survives the failed attempts.
      await waitUntil(() => (events.get("connect:retry") ?? 0) >= 2, 3000, "reconnect attempts")

      server = await restartServer(impl, pattern, address)
      await waitUntil(() => server.received.length >= down.length, 3000, "the restarted server to receive the queue")
      expect(server.received).toEqual(down)
      expect(events.get("handshake")).toBe(2)

      await client.send("after-0")
      await waitUntil(() => server.received.length === down.length + 1, 3000, "a message after the restart")
      expect(server.received).toEqual([...down, "after-0"])
      if (client instanceof Dealer) {
        await waitUntil(() => echoes.length === before.length + down.length + 1, 3000, "every echo")
        expect(echoes).toEqual([...before, ...down, "after-0"])
      }
    })
  }

  it("REQ→REP: a request sent while the server is down is answered after the restart", async () => {
    let server = await startServer(impl, "REQ→REP", addressFor(transport))
    const address = server.address
    cleanups.push(() => server.close())
    if (transport === "ipc") cleanups.push(() => existsSync(address.slice(6)) && unlinkSync(address.slice(6)))

    const client = new Request({ linger: 0, receiveTimeout: 5000 })
    cleanups.push(() => client.close())
    const events = countEvents(client, ["handshake", "disconnect", "connect:retry"])
    client.connect(address)

    await client.send("req-0")
    expect((await client.receive()).map(String)).toEqual(["reply:req-0"])

    await server.close()
    await waitUntil(() => (events.get("disconnect") ?? 0) >= 1, 3000, "the client to notice the server left")
    await client.send("req-1")
    await waitUntil(() => (events.get("connect:retry") ?? 0) >= 2, 3000, "reconnect attempts")

    server = await restartServer(impl, "REQ→REP", address)
    expect((await client.receive()).map(String)).toEqual(["reply:req-1"])
    expect(server.received).toEqual(["req-1"])
    expect(events.get("handshake")).toBe(2)

    await client.send("req-2")
    expect((await client.receive()).map(String)).toEqual(["reply:req-2"])
  })
})
