/**
 * Records whole sessions between two real libzmq sockets (4.3.5, npm `zeromq`), both directions, as the
 * fuzz targets' seeds: seeds/libzmq-sessions.json next to this file. Run from the repository root:
 *
 *   pnpm --filter @zmq-ts/zmtp exec tsx --conditions=@zmq-ts/source test/fuzz/record-sessions.ts
 *
 *   libzmq client ──▶ relay (node:net, records each direction) ──▶ libzmq server
 *                 ◀──                                          ◀──
 *
 * Each session: tcp or ws, NULL or PLAIN, a handshake, a few messages each way (multipart, empty, 255- and
 * 256-byte frames so both size forms appear), heartbeats where asked. Both ends being libzmq, every byte is
 * libzmq's own; the client's direction of a ws session starts with its HTTP upgrade request, the server's
 * with the 101 response. (CURVE needs our side's randomness fixed: packages/curve/test/fuzz records it.)
 */
import { writeFileSync } from "node:fs"
import * as net from "node:net"
import { setTimeout as sleep } from "node:timers/promises"
import * as zmq from "zeromq"
import { toHex } from "./fuzz-kit.js"

export interface RecordedSession {
  readonly name: string
  readonly description: string
  readonly transport: "tcp" | "ws"
  readonly mechanism: "NULL" | "PLAIN"
  readonly clientType: string
  readonly serverType: string
  /** PLAIN credentials the client used. */
  readonly username?: string
  readonly password?: string
  readonly clientToServer: string
  readonly serverToClient: string
}

/** A TCP relay to `port` that keeps every byte of its one connection, each direction apart. */
async function relayTo(port: number): Promise<{ port: number; clientToServer: Buffer[]; serverToClient: Buffer[]; close(): void }> {
  const clientToServer: Buffer[] = []
  const serverToClient: Buffer[] = []
  const sockets: net.Socket[] = []
  const server = net.createServer((client) => {
    const upstream = net.connect(port, "127.0.0.1")
    sockets.push(client, upstream)
    client.on("data", (chunk) => {
      clientToServer.push(Buffer.from(chunk))
      upstream.write(chunk)
    })
    upstream.on("data", (chunk) => {
      serverToClient.push(Buffer.from(chunk))
      client.write(chunk)
    })
    client.on("error", () => undefined)
    upstream.on("error", () => undefined)
    client.on("close", () => upstream.destroy())
    upstream.on("close", () => client.destroy())
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const address = server.address() as net.AddressInfo
  return {
    port: address.port,
    clientToServer,
    serverToClient,
    close() {
      for (const socket of sockets) socket.destroy()
      server.close()
    },
  }
}

interface Scenario {
  readonly name: string
  readonly description: string
  readonly transport: "tcp" | "ws"
  readonly mechanism: "NULL" | "PLAIN"
  make(): { client: zmq.Socket; server: zmq.Socket; clientType: string; serverType: string }
  run(client: zmq.Socket, server: zmq.Socket): Promise<void>
}

const bytes = (n: number, seed: number): Buffer => Buffer.from(Array.from({ length: n }, (_, i) => (i * 7 + seed) & 0xff))
const VARIETY: Buffer[][] = [[Buffer.from("hello")], [Buffer.from("part-1"), Buffer.alloc(0), Buffer.from("part-3")], [bytes(255, 1)], [bytes(256, 3)]]
const CREDENTIALS = { plainUsername: "admin", plainPassword: "secret" }

/** DEALER sends the variety to ROUTER, which echoes each message back to its routing id. */
async function dealerRouter(client: zmq.Socket, server: zmq.Socket): Promise<void> {
  const dealer = client as zmq.Dealer
  const router = server as zmq.Router
  for (const message of VARIETY) {
    await dealer.send(message)
    const [id, ...frames] = await router.receive()
    await router.send([id!, ...frames])
    await dealer.receive()
  }
}

async function reqRep(client: zmq.Socket, server: zmq.Socket): Promise<void> {
  const req = client as zmq.Request
  const rep = server as zmq.Reply
  for (const message of VARIETY.slice(0, 3)) {
    await req.send(message)
    await rep.send(await rep.receive())
    await req.receive()
  }
}

function scenarios(): Scenario[] {
  const list: Scenario[] = []
  for (const transport of ["tcp", "ws"] as const) {
    for (const mechanism of ["NULL", "PLAIN"] as const) {
      const plain = mechanism === "PLAIN"
      list.push({
        name: `${transport}-${mechanism.toLowerCase()}-dealer-router`,
        description: `DEALER connects to ROUTER over ${transport}, ${mechanism}${plain ? " (admin/secret)" : ""}; four messages each way (ROUTER echoes)`,
        transport,
        mechanism,
        make: () => ({
          client: new zmq.Dealer({ routingId: "client-1", ...(plain ? CREDENTIALS : {}) }),
          server: new zmq.Router(plain ? { plainServer: true } : {}),
          clientType: "DEALER",
          serverType: "ROUTER",
        }),
        run: dealerRouter,
      })
    }
    list.push({
      name: `${transport}-null-req-rep-heartbeat`,
      description: `REQ connects to REP over ${transport}, NULL, both with ZMQ_HEARTBEAT_IVL 40 ms; three request/reply rounds, then 150 ms of heartbeats`,
      transport,
      mechanism: "NULL",
      make: () => ({
        client: new zmq.Request({ heartbeatInterval: 40, heartbeatTimeout: 1000 }),
        server: new zmq.Reply({ heartbeatInterval: 40, heartbeatTimeout: 1000 }),
        clientType: "REQ",
        serverType: "REP",
      }),
      run: async (client, server) => {
        await reqRep(client, server)
        await sleep(150)
      },
    })
    list.push({
      name: `${transport}-null-sub-pub`,
      description: `SUB connects to PUB over ${transport}, NULL; subscribes to "a" and "", unsubscribes "a"; PUB publishes two messages`,
      transport,
      mechanism: "NULL",
      make: () => ({ client: new zmq.Subscriber(), server: new zmq.Publisher(), clientType: "SUB", serverType: "PUB" }),
      run: async (client, server) => {
        const sub = client as zmq.Subscriber
        const pub = server as zmq.Publisher
        sub.subscribe("a")
        sub.subscribe("")
        await sleep(100)
        await pub.send(["a", "first"])
        await sub.receive()
        sub.unsubscribe("a")
        await sleep(50)
        await pub.send("b-second")
        await sub.receive()
      },
    })
  }
  return list
}

async function record(scenario: Scenario): Promise<RecordedSession> {
  const { client, server, clientType, serverType } = scenario.make()
  const scheme = scenario.transport
  await server.bind(`${scheme}://127.0.0.1:*${scheme === "ws" ? "/fuzz" : ""}`)
  const serverPort = Number(new URL(server.lastEndpoint!).port)
  const relay = await relayTo(serverPort)
  client.connect(`${scheme}://127.0.0.1:${relay.port}${scheme === "ws" ? "/fuzz" : ""}`)
  await scenario.run(client, server)
  await sleep(30)
  client.close()
  server.close()
  relay.close()
  return {
    name: scenario.name,
    description: scenario.description,
    transport: scenario.transport,
    mechanism: scenario.mechanism,
    clientType,
    serverType,
    ...(scenario.mechanism === "PLAIN" ? { username: CREDENTIALS.plainUsername, password: CREDENTIALS.plainPassword } : {}),
    clientToServer: toHex(Buffer.concat(relay.clientToServer)),
    serverToClient: toHex(Buffer.concat(relay.serverToClient)),
  }
}

/** libzmq's PLAIN server needs a ZAP handler (RFC 27): this one allows everyone. */
const zap = new zmq.Router({ linger: 0 })
await zap.bind("inproc://zeromq.zap.01")
void (async () => {
  for await (const [id, , version, requestId] of zap) await zap.send([id!, "", version!, requestId!, "200", "OK", "user", ""])
})().catch(() => undefined)

const sessions: RecordedSession[] = []
for (const scenario of scenarios()) {
  sessions.push(await record(scenario))
  process.stdout.write(`${scenario.name}: ${sessions.at(-1)!.clientToServer.length / 2} + ${sessions.at(-1)!.serverToClient.length / 2} bytes\n`)
}
const file = new URL("./seeds/libzmq-sessions.json", import.meta.url)
zap.close()
writeFileSync(file, `${JSON.stringify({ recorded: `libzmq ${zmq.version} (npm zeromq), two libzmq sockets through a recording relay`, sessions }, null, 1)}\n`)
