/**
 * The shared queue (the Guide's rrbroker and msgqueue), as a poll-loop broker and as a Proxy:
 *
 *   clients (REQ) ──▶ frontend ROUTER ══ RequestReplyBroker | MessageQueue ══ backend DEALER ◀── workers (REP)
 *
 * With clients and workers coming and going — a worker that joins after the first requests, one that leaves
 * while idle, a client that leaves and one that arrives — every request a live client sends is answered, to
 * that client, and `stop()` closes both sockets and ends the loop.
 */
import { Context, Reply, Request, type Socket } from "@zmq-ts/core"
import { describe, expect, it } from "vitest"
import { MessageQueue, RequestReplyBroker, type Service } from "../src/index.js"
import { bindAddress, within, type TransportName } from "./helpers/endpoints.js"

type Broker = Service & {
  readonly frontend: Socket
  readonly backend: Socket
  readonly frontendEndpoints: readonly string[]
  readonly backendEndpoints: readonly string[]
}

const makers: Record<string, (transport: TransportName, context: Context) => Broker> = {
  RequestReplyBroker: (transport, context) =>
    new RequestReplyBroker({ frontend: bindAddress(transport, "rr-front"), backend: bindAddress(transport, "rr-back"), context }),
  MessageQueue: (transport, context) =>
    new MessageQueue({ frontend: bindAddress(transport, "mq-front"), backend: bindAddress(transport, "mq-back"), context }),
}

/** A REP worker answering `name:request` until closed. */
function startWorker(endpoint: string, name: string, context: Context): Reply {
  const worker = new Reply({ context })
  worker.connect(endpoint)
  void (async () => {
    for await (const [request] of worker) await worker.send(`${name}:${request!.toString()}`)
  })()
  return worker
}

async function ask(client: Request, request: string): Promise<string> {
  await client.send(request)
  const [reply] = await within(client.receive(), 3000, `the reply to ${request}`)
  return reply!.toString()
}

for (const [name, make] of Object.entries(makers)) {
  for (const transport of ["inproc", "tcp"] as const) {
    describe(`${name} over ${transport}`, () => {
      it("answers every client while clients and workers come and go", async () => {
        const context = new Context()
        const broker = make(transport, context)
        try {
          await broker.start()
          expect(broker.state).toBe("running")
          const [front, back] = [broker.frontendEndpoints[0]!, broker.backendEndpoints[0]!]
          const a = new Request({ context })
          a.connect(front)
          // A request before any worker: it waits in the frontend, and replies keep flowing meanwhile.
          const early = ask(a, "early")
          const w1 = startWorker(back, "w1", context)
          expect(await early).toBe("w1:early")
          const w2 = startWorker(back, "w2", context)
          const b = new Request({ context })
          b.connect(front)
          const replies = await Promise.all([ask(a, "a1"), ask(b, "b1")])
          expect(replies.map((r) => r.split(":")[1])).toEqual(["a1", "b1"])
          w1.close() // an idle worker leaves
          a.close() // a client leaves
          const c = new Request({ context })
          c.connect(front)
          for (let i = 0; i < 4; i++) expect(await ask(c, `c${i}`)).toMatch(new RegExp(`^w2:c${i}$`))
          for (let i = 0; i < 2; i++) expect(await ask(b, `b${i + 2}`)).toMatch(/^w2:b/)
          w2.close()
          b.close()
          c.close()
        } finally {
          await broker.stop()
          context.terminate()
        }
        expect(broker.state).toBe("stopped")
        expect([broker.frontend.closed, broker.backend.closed]).toEqual([true, true])
      })
    })
  }
}

describe("services", () => {
  it("refuse a second start, and stop() before start() is harmless", async () => {
    const context = new Context()
    try {
      const broker = new RequestReplyBroker({ frontend: bindAddress("inproc", "f"), backend: bindAddress("inproc", "b"), context })
      await broker.start()
      await expect(broker.start()).rejects.toMatchObject({ code: "ERR_PATTERN_INVALID_STATE" })
      await broker.stop()
      await broker.stop()
      const idle = new MessageQueue({ frontend: bindAddress("inproc", "f2"), backend: bindAddress("inproc", "b2"), context })
      await idle.stop()
      expect(idle.state).toBe("stopped")
    } finally {
      context.terminate()
    }
  })

  it("a bind failure rejects start() and leaves the service stopped with its sockets closed", async () => {
    const context = new Context()
    try {
      const first = new RequestReplyBroker({ frontend: bindAddress("inproc", "dup"), backend: bindAddress("inproc", "b"), context })
      await first.start()
      const second = new RequestReplyBroker({ frontend: first.frontendEndpoints[0]!, backend: bindAddress("inproc", "b"), context })
      await expect(second.start()).rejects.toMatchObject({ code: "EADDRINUSE" })
      expect(second.state).toBe("stopped")
      expect(second.frontend.closed).toBe(true)
      await first.stop()
    } finally {
      context.terminate()
    }
  })

  it("a signal (context.interrupt(), as s_catch_signals does) ends the loop without an error", async () => {
    const context = new Context()
    try {
      const queue = new MessageQueue({ frontend: bindAddress("inproc", "f"), backend: bindAddress("inproc", "b"), context })
      await queue.start()
      context.interrupt()
      await within(queue.done(), 2000, "the loop to end on EINTR")
      expect(queue.state).toBe("stopped")
      const broker = new RequestReplyBroker({ frontend: bindAddress("inproc", "f3"), backend: bindAddress("inproc", "b3"), context })
      await broker.start()
      context.interrupt()
      await within(broker.stop(), 2000, "the broker loop to end on EINTR")
    } finally {
      context.terminate()
    }
  })
})
