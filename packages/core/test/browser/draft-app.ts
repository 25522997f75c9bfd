// A page using the draft types next to the main entry: both from one copy of core (one default context).
import { Socket, context } from "@zmq-ts/core"
import { Client, Server } from "@zmq-ts/core/draft"

async function clientServer(): Promise<{ sharedCore: boolean; reply: string }> {
  const server = new Server()
  const client = new Client()
  try {
    await server.bind("inproc://draft-page")
    client.connect("inproc://draft-page")
    await client.send("ping")
    const [request, { routingId }] = await server.receive()
    await server.send(`${new TextDecoder().decode(request)}:pong`, { routingId })
    const [reply] = await client.receive()
    return { sharedCore: client instanceof Socket && client.context === context, reply: new TextDecoder().decode(reply) }
  } finally {
    client.close()
    server.close()
  }
}

;(globalThis as { zmqDraftApp?: unknown }).zmqDraftApp = { clientServer }
