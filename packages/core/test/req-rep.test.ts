/**
 * REQ ↔ REP (RFC 28, the Guide's request-reply) over tcp, ipc and inproc.
 *
 *   req ──request──▶ rep                  strict lockstep; misuse fails with EFSM
 *   req ◀──reply──── rep
 *
 *         ┌──▶ rep A
 *   req ──┤                               REQ load-balances requests over its servers
 *         └──▶ rep B
 *
 *   req 1 ──┐                     ┌──▶ rep A
 *           ├──▶ ROUTER ⇄ DEALER ─┤       a manual broker loop (the Guide's rrbroker): each REP keeps
 *   req 2 ──┘  frontend  backend  └──▶ rep B  the whole envelope, so replies find their way back
 */
import { describe, expect, it } from "vitest"
import { Dealer, Reply, Request, Router } from "../src/index.js"
import type { Message, Socket } from "../src/index.js"
import { handshakes, text, TRANSPORTS } from "./helpers/transports.js"
import type { Transport } from "./helpers/transports.js"

/** Answers every request with `[name, ...request]` until the socket closes. */
async function serve(rep: Reply, name: string): Promise<void> {
  for await (const request of rep) await rep.send([name, ...request])
}

/** One direction of the Guide's rrbroker: every message from `from`, whole, onto `to`. */
async function pump(from: Socket, to: Socket, seen?: Message[][]): Promise<void> {
  try {
    for await (const message of from) {
      seen?.push(message)
      await to.send(message)
    }
  } catch (error) {
    if (!to.closed) throw error // only a broker being torn down may fail here
  }
}

/**
 * A ROUTER frontend (bound) and a DEALER backend (bound, or connected to `backendTo`: the next broker's
 * frontend), with the broker loop running both ways.
 */
async function broker(transport: Transport, backendTo?: string) {
  const frontend = new Router()
  const backend = new Dealer()
  await frontend.bind(transport.bindAddress())
  if (backendTo === undefined) await backend.bind(transport.bindAddress())
  else backend.connect(backendTo)
  const fromClients: Message[][] = []
  const fromWorkers: Message[][] = []
  const loops = Promise.all([pump(frontend, backend, fromClients), pump(backend, frontend, fromWorkers)])
  return {
    frontend,
    backend,
    frontendAddress: transport.connectAddress(frontend),
    backendAddress: backendTo === undefined ? transport.connectAddress(backend) : "",
    fromClients,
    fromWorkers,
    async [Symbol.asyncDispose]() {
      frontend.close()
      backend.close()
      await loops
    },
  }
}

for (const transport of TRANSPORTS) {
  describe(`REQ ↔ REP over ${transport.name}`, () => {
    it("keeps lockstep over many round trips", async () => {
      await using rep = new Reply()
      await rep.bind(transport.bindAddress())
      await using req = new Request()
      req.connect(transport.connectAddress(rep))
      for (let i = 0; i < 20; i++) {
        await req.send(`request ${i}`)
        expect(text(await rep.receive())).toEqual([`request ${i}`])
        await rep.send(`reply ${i}`)
        expect(text(await req.receive())).toEqual([`reply ${i}`])
      }
    })

    it("carries multipart requests and replies, empty frames included", async () => {
      await using rep = new Reply()
      await rep.bind(transport.bindAddress())
      await using req = new Request()
      req.connect(transport.connectAddress(rep))
      await req.send(["a", "", "c", Buffer.alloc(70_000, 1)])
      const request = await rep.receive()
      expect(text(request.slice(0, 3))).toEqual(["a", "", "c"])
      expect(request[3]!.equals(Buffer.alloc(70_000, 1))).toBe(true)
      await rep.send(["", "x", "", "y"])
      expect(text(await req.receive())).toEqual(["", "x", "", "y"])
      await req.send([""]) // a request whose only frame is empty
      expect(text(await rep.receive())).toEqual([""])
      await rep.send([""])
      expect(text(await req.receive())).toEqual([""])
    })

    // zeromq.js's rule for calls out of step: EFSM at once when the call's timeout is 0; otherwise the call
    // waits until the state allows it (zeromq.js polls before calling libzmq), then goes through.
    it("REQ sending twice: EFSM with sendTimeout 0; by default it waits and goes once the reply is in", async () => {
      await using rep = new Reply()
      await rep.bind(transport.bindAddress())
      await using req = new Request()
      req.connect(transport.connectAddress(rep))
      await req.send("first")
      req.sendTimeout = 0
      await expect(req.send("second")).rejects.toMatchObject({ code: "EFSM", message: "Operation cannot be accomplished in current state" })
      req.sendTimeout = -1
      const second = req.send("second")
      expect(text(await rep.receive())).toEqual(["first"])
      await rep.send("answer")
      expect(text(await req.receive())).toEqual(["answer"])
      await second
      expect(text(await rep.receive())).toEqual(["second"])
    })

    it("REQ receiving before sending: EFSM with receiveTimeout 0; by default it waits for the reply to the next request", async () => {
      await using rep = new Reply()
      await rep.bind(transport.bindAddress())
      await using req = new Request()
      req.connect(transport.connectAddress(rep))
      req.receiveTimeout = 0
      await expect(req.receive()).rejects.toMatchObject({ code: "EFSM" })
      req.receiveTimeout = -1
      const reply = req.receive()
      await req.send("ping")
      expect(text(await rep.receive())).toEqual(["ping"])
      await rep.send("pong")
      expect(text(await reply)).toEqual(["pong"])
    })

    it("REP sending before receiving: EFSM with sendTimeout 0; by default it waits and answers the next request", async () => {
      await using rep = new Reply()
      await rep.bind(transport.bindAddress())
      await using req = new Request()
      req.connect(transport.connectAddress(rep))
      rep.sendTimeout = 0
      await expect(rep.send("unasked")).rejects.toMatchObject({ code: "EFSM" })
      rep.sendTimeout = -1
      const early = rep.send("early reply")
      await req.send("ping") // the REP still works
      expect(text(await rep.receive())).toEqual(["ping"])
      await early
      expect(text(await req.receive())).toEqual(["early reply"])
    })

    it("REP receiving twice: EFSM with receiveTimeout 0; by default it waits until the reply is sent and a request comes", async () => {
      await using rep = new Reply()
      await rep.bind(transport.bindAddress())
      await using req = new Request()
      req.connect(transport.connectAddress(rep))
      await req.send("ping")
      expect(text(await rep.receive())).toEqual(["ping"])
      rep.receiveTimeout = 0
      await expect(rep.receive()).rejects.toMatchObject({ code: "EFSM" })
      rep.receiveTimeout = -1
      const next = rep.receive()
      await rep.send("pong")
      expect(text(await req.receive())).toEqual(["pong"])
      await req.send("again")
      expect(text(await next)).toEqual(["again"])
    })

    it("relaxed + correlate: REQ may send again, and the stale reply is dropped", async () => {
      await using rep = new Reply()
      await rep.bind(transport.bindAddress())
      await using req = new Request({ relaxed: true, correlate: true })
      req.connect(transport.connectAddress(rep))
      await req.send("first")
      expect(text(await rep.receive())).toEqual(["first"])
      await req.send("second") // no EFSM: the reply to "first" is abandoned
      await rep.send("reply to first")
      expect(text(await rep.receive())).toEqual(["second"])
      await rep.send("reply to second")
      expect(text(await req.receive())).toEqual(["reply to second"])
    })

    it("relaxed without correlate takes whatever reply comes first (why correlate exists)", async () => {
      await using rep = new Reply()
      await rep.bind(transport.bindAddress())
      await using req = new Request({ relaxed: true })
      req.connect(transport.connectAddress(rep))
      await req.send("first")
      expect(text(await rep.receive())).toEqual(["first"])
      await req.send("second")
      await rep.send("reply to first")
      expect(text(await req.receive())).toEqual(["reply to first"])
      expect(text(await rep.receive())).toEqual(["second"])
      await rep.send("reply to second")
    })

    it("REQ load-balances requests over two REP servers in turn", async () => {
      await using repA = new Reply()
      await using repB = new Reply()
      await repA.bind(transport.bindAddress())
      await repB.bind(transport.bindAddress())
      const servers = Promise.all([serve(repA, "A"), serve(repB, "B")])
      await using req = new Request()
      req.connect(transport.connectAddress(repA))
      req.connect(transport.connectAddress(repB))
      const answeredBy: string[] = []
      for (let i = 0; i < 8; i++) {
        await req.send(["job", String(i)])
        const [server, ...echo] = text(await req.receive())
        expect(echo).toEqual(["job", String(i)])
        answeredBy.push(server!)
      }
      expect(answeredBy).toEqual(["A", "B", "A", "B", "A", "B", "A", "B"])
      repA.close()
      repB.close()
      await servers
    })

    it("behind a ROUTER/DEALER broker, each REP keeps the envelope and each REQ gets its own replies", async () => {
      await using hop = await broker(transport)
      await using repA = new Reply()
      await using repB = new Reply()
      const workersUp = handshakes(transport, hop.backend, 2)
      repA.connect(hop.backendAddress)
      repB.connect(hop.backendAddress)
      await workersUp
      const servers = Promise.all([serve(repA, "A"), serve(repB, "B")])

      await using client1 = new Request({ routingId: "client-1" })
      await using client2 = new Request()
      client1.connect(hop.frontendAddress)
      client2.connect(hop.frontendAddress)
      const ask = async (client: Request, name: string, i: number): Promise<string[]> => {
        await client.send([name, String(i), ""])
        return text(await client.receive())
      }
      for (let i = 0; i < 6; i++) {
        const [reply1, reply2] = await Promise.all([ask(client1, "c1", i), ask(client2, "c2", i)])
        expect(reply1!.slice(1)).toEqual(["c1", String(i), ""])
        expect(reply2!.slice(1)).toEqual(["c2", String(i), ""])
      }

      // What the broker shuttled: [client id, "", ...request] in, the same envelope back out.
      expect(hop.fromClients).toHaveLength(12)
      for (const message of hop.fromClients) {
        const [id, delimiter] = message
        expect(delimiter!.length).toBe(0)
        if (text(message)[2] === "c1") expect(id!.toString()).toBe("client-1")
        else expect(id!.length === 5 && id![0] === 0).toBe(true) // generated id
      }
      for (const message of hop.fromWorkers) {
        const request = hop.fromClients.find((candidate) => candidate[0]!.equals(message[0]!))
        expect(request, "reply for a client that never asked").toBeDefined()
        expect(message[1]!.length).toBe(0)
      }
      const workers = new Set(hop.fromWorkers.map((message) => text(message)[2]))
      expect(workers).toEqual(new Set(["A", "B"]))
      repA.close()
      repB.close()
      await servers
    })

    it("through two brokers in a row, the REP's envelope holds both routing ids", async () => {
      //   req ──▶ ROUTER₁ ⇄ DEALER₁ ──▶ ROUTER₂ ⇄ DEALER₂ ──▶ rep
      await using far = await broker(transport)
      await using near = await broker(transport, far.frontendAddress)
      await using rep = new Reply()
      rep.connect(far.backendAddress)
      const server = serve(rep, "far")
      await using req = new Request({ routingId: "asker" })
      req.connect(near.frontendAddress)
      for (let i = 0; i < 3; i++) {
        await req.send(["deep", String(i)])
        expect(text(await req.receive())).toEqual(["far", "deep", String(i)])
      }
      // The far broker saw two routing ids before the delimiter: DEALER₁'s (given by ROUTER₂) and the REQ's.
      const deepest = far.fromClients[0]!
      expect(deepest.findIndex((frame) => frame.length === 0)).toBe(2)
      expect(deepest[1]!.toString()).toBe("asker")
      expect(text(far.fromWorkers[0]!).slice(2)).toEqual(["", "far", "deep", "0"])
      rep.close()
      await server
    })

    it("a REP answers queued requests from several REQ clients, each on its own connection", async () => {
      await using rep = new Reply()
      await rep.bind(transport.bindAddress())
      const clients = [new Request(), new Request(), new Request()]
      try {
        for (const client of clients) client.connect(transport.connectAddress(rep))
        await Promise.all(clients.map((client, c) => client.send(`from ${c}`)))
        const seen = new Set<string>()
        for (let i = 0; i < clients.length; i++) {
          const [request] = text(await rep.receive())
          seen.add(request!)
          await rep.send(`re: ${request}`)
        }
        expect(seen).toEqual(new Set(["from 0", "from 1", "from 2"]))
        const replies = await Promise.all(clients.map(async (client) => text(await client.receive())))
        expect(replies).toEqual([["re: from 0"], ["re: from 1"], ["re: from 2"]])
      } finally {
        for (const client of clients) client.close()
      }
    })
  })
}
