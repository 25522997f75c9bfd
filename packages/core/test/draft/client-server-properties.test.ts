/**
 * Property: with any number of CLIENTs sending any single-part messages, a SERVER that answers each by the
 * routing id it came with reaches exactly the client that asked: every client gets its own answers, in
 * order, and nobody else's. Over inproc and tcp.
 */
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { Client, Server } from "../../src/draft.js"
import { track } from "../helpers/cleanup.js"

let counter = 0

async function run(perClient: readonly string[][], transport: "inproc" | "tcp"): Promise<void> {
  const server = track(new Server({ linger: 0 }))
  await server.bind(transport === "inproc" ? `inproc://client-server-property-${++counter}` : "tcp://127.0.0.1:*")
  const clients = perClient.map(() => track(new Client({ linger: 0, receiveTimeout: 5000 })))
  for (const client of clients) client.connect(server.lastEndpoint!)
  const total = perClient.reduce((sum, messages) => sum + messages.length, 0)
  const sending = Promise.all(clients.map(async (client, i) => {
    for (const [n, body] of perClient[i]!.entries()) await client.send(`${i}|${n}|${body}`)
  }))
  const ids = new Map<number, number>() // routing id → client index, as the server learns them
  for (let k = 0; k < total; k++) {
    const [request, { routingId }] = await server.receive()
    const client = Number(request.toString().split("|")[0])
    // One routing id per client, and one client per routing id.
    if (ids.has(routingId)) expect(ids.get(routingId)).toBe(client)
    ids.set(routingId, client)
    await server.send(Buffer.concat([Buffer.from("re:"), request]), { routingId })
  }
  await sending
  expect(new Set(ids.values()).size).toBe(ids.size)
  for (const [i, client] of clients.entries()) {
    const answers: string[] = []
    for (let n = 0; n < perClient[i]!.length; n++) answers.push((await client.receive())[0]!.toString())
    expect(answers).toEqual(perClient[i]!.map((body, n) => `re:${i}|${n}|${body}`))
    expect(client.readable).toBe(false)
  }
}

const workload = fc.array(fc.array(fc.string({ maxLength: 30 }), { maxLength: 8 }), { minLength: 1, maxLength: 5 })

describe("CLIENT/SERVER property", () => {
  it("inproc: each client gets exactly its own answers, in order", async () => {
    await fc.assert(fc.asyncProperty(workload, (perClient) => run(perClient, "inproc")), {
      numRuns: 100,
      interruptAfterTimeLimit: 20_000,
      markInterruptAsFailure: true,
    })
  }, 30_000)

  it("tcp: each client gets exactly its own answers, in order", async () => {
    await fc.assert(fc.asyncProperty(workload, (perClient) => run(perClient, "tcp")), {
      numRuns: 25,
      interruptAfterTimeLimit: 40_000,
      markInterruptAsFailure: true,
    })
  }, 60_000)
})
