/**
 * Every socket pair over tcp, ipc, inproc, ws and wss on the runtime running the suite, through the built
 * package (`@zmq-ts/core` and `@zmq-ts/core/draft` resolve to dist/ by the package's own exports):
 *
 *   REQ/REP  DEALER/ROUTER  PUB/SUB  XPUB/XSUB  PUSH/PULL  PAIR            (one binds, the other connects)
 *   SERVER/CLIENT  RADIO/DISH  SCATTER/GATHER  PEER/PEER  CHANNEL/CHANNEL  (the draft types)
 */
import { randomBytes } from "node:crypto"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Dealer, Pair, Publisher, Pull, Push, Reply, Request, Router, Subscriber, XPublisher, XSubscriber } from "@zmq-ts/core"
import { Channel, Client, Dish, Gather, Peer, Radio, Scatter, Server } from "@zmq-ts/core/draft"
import { selfSigned } from "../ws/tls-certificates.ts"
import { check, equal, repeatUntil, test, type Scope } from "./harness.ts"

interface Bindable {
  bind(address: string): Promise<void>
  readonly lastEndpoint: string | null
}

const unique = (): string => `${process.pid}-${randomBytes(4).toString("hex")}`

/** Per transport: a fresh address to bind. Peers connect to the binder's `lastEndpoint`. */
export const TRANSPORTS: Record<string, () => string> = {
  tcp: () => "tcp://127.0.0.1:*",
  ipc: () => `ipc://${join(tmpdir(), `zmqts-rt-${unique()}.sock`)}`,
  inproc: () => `inproc://rt-${unique()}`,
  ws: () => "ws://127.0.0.1:*/zmq",
  wss: () => "wss://127.0.0.1:*/zmq",
}

/**
 * wss:// (the runtime's node:tls): every socket of a wss pair gets a certificate made by /usr/bin/openssl for
 * 127.0.0.1 and trusts it, so either may bind and the connecter checks the binder's name (wssHostname's default).
 */
const CERTIFICATE = selfSigned("IP:127.0.0.1,DNS:localhost")
const WSS_OPTIONS = { wssCertPem: CERTIFICATE.certPem, wssKeyPem: CERTIFICATE.keyPem, wssTrustPem: CERTIFICATE.certPem }

/** Binds `socket` to a fresh address of `transport`; returns where to connect. */
async function bindTo(socket: Bindable, transport: string): Promise<string> {
  await socket.bind(TRANSPORTS[transport]!())
  check(socket.lastEndpoint?.startsWith(`${transport}://`) === true, `a ${transport}:// lastEndpoint after bind`)
  return socket.lastEndpoint
}

const text = (frames: readonly Uint8Array[]): string[] => frames.map((frame) => new TextDecoder().decode(frame))

type PairTest = (scope: Scope, transport: string) => Promise<void>

const PAIRS: Record<string, PairTest> = {
  "REQ/REP": async ({ track }, transport) => {
    const rep = track(new Reply())
    const req = track(new Request())
    req.connect(await bindTo(rep, transport))
    const big = new Uint8Array(100_000).fill(7)
    for (let i = 0; i < 3; i++) {
      await req.send([`hello ${i}`, big])
      const request = await rep.receive()
      equal(text(request.slice(0, 1)), [`hello ${i}`], "request")
      check(request[1]!.length === big.length && request[1]!.every((byte) => byte === 7), "the 100 kB frame intact")
      await rep.send(`world ${i}`)
      equal(text(await req.receive()), [`world ${i}`], "reply")
    }
  },
  "DEALER/ROUTER": async ({ track }, transport) => {
    const router = track(new Router())
    const dealer = track(new Dealer({ routingId: "dealer-1" }))
    dealer.connect(await bindTo(router, transport))
    await dealer.send(["a", "b"])
    const [id, ...body] = await router.receive()
    equal(text([id!]), ["dealer-1"], "routing id")
    equal(text(body), ["a", "b"], "body")
    await router.send([id!, "back"])
    equal(text(await dealer.receive()), ["back"], "reply")
  },
  "PUB/SUB": async ({ track }, transport) => {
    const pub = track(new Publisher())
    const sub = track(new Subscriber())
    sub.connect(await bindTo(pub, transport))
    sub.subscribe("top")
    const received = sub.receive()
    await repeatUntil(received, async () => {
      await pub.send(["other", "x"])
      await pub.send(["topic", "y"])
    }, "the subscription to reach the publisher")
    equal(text(await received), ["topic", "y"], "only the subscribed topic")
  },
  "XPUB/XSUB": async ({ track }, transport) => {
    const xpub = track(new XPublisher())
    const xsub = track(new XSubscriber())
    xsub.connect(await bindTo(xpub, transport))
    await xsub.send(new Uint8Array([1, ...new TextEncoder().encode("t")]))
    const [subscription] = await xpub.receive()
    equal([...subscription!], [1, 116], "the subscription message at the XPUB")
    await xpub.send(["t1", "body"])
    equal(text(await xsub.receive()), ["t1", "body"], "the message at the XSUB")
  },
  "PUSH/PULL": async ({ track }, transport) => {
    const pull = track(new Pull())
    const push = track(new Push())
    push.connect(await bindTo(pull, transport))
    const count = 2000
    const sending = (async () => {
      for (let i = 0; i < count; i++) await push.send(String(i))
    })()
    for (let i = 0; i < count; i++) {
      const [frame] = await pull.receive()
      if (new TextDecoder().decode(frame) !== String(i)) throw new Error(`message ${i} out of order`)
    }
    await sending
  },
  PAIR: async ({ track }, transport) => {
    const a = track(new Pair())
    const b = track(new Pair())
    b.connect(await bindTo(a, transport))
    await b.send("ping")
    equal(text(await a.receive()), ["ping"], "b → a")
    await a.send(["pong", "2"])
    equal(text(await b.receive()), ["pong", "2"], "a → b")
  },
  "SERVER/CLIENT": async ({ track }, transport) => {
    const server = track(new Server())
    const client = track(new Client())
    client.connect(await bindTo(server, transport))
    await client.send("X")
    const [request, { routingId }] = await server.receive()
    equal(text([request]), ["X"], "request")
    check(routingId > 0, "a routing id")
    await server.send("Y", { routingId })
    equal(text(await client.receive()), ["Y"], "reply")
  },
  "RADIO/DISH": async ({ track }, transport) => {
    const radio = track(new Radio())
    const dish = track(new Dish())
    dish.connect(await bindTo(radio, transport))
    dish.join("movies")
    const received = dish.receive()
    await repeatUntil(received, async () => {
      await radio.send("news", { group: "weather" })
      await radio.send("star wars", { group: "movies" })
    }, "the join to reach the radio")
    const [body, { group }] = await received
    equal(text([group, body]), ["movies", "star wars"], "only the joined group")
  },
  "SCATTER/GATHER": async ({ track }, transport) => {
    const gather = track(new Gather())
    const scatter = track(new Scatter())
    scatter.connect(await bindTo(gather, transport))
    for (let i = 0; i < 3; i++) await scatter.send(String(i))
    const seen: string[] = []
    for (let i = 0; i < 3; i++) seen.push(...text([(await gather.receive())[0]!]))
    equal(seen, ["0", "1", "2"], "in order")
  },
  "PEER/PEER": async ({ track }, transport) => {
    const peer1 = track(new Peer())
    const peer2 = track(new Peer())
    const peer1Id = peer2.connectPeer(await bindTo(peer1, transport))
    await peer2.send("1", { routingId: peer1Id })
    const [first, { routingId: peer2Id }] = await peer1.receive()
    equal(text([first]), ["1"], "peer2 → peer1")
    await peer1.send("2", { routingId: peer2Id })
    const [second, { routingId }] = await peer2.receive()
    equal(text([second]), ["2"], "peer1 → peer2")
    check(routingId === peer1Id, "from peer1's id")
  },
  "CHANNEL/CHANNEL": async ({ track }, transport) => {
    const a = track(new Channel())
    const b = track(new Channel())
    b.connect(await bindTo(a, transport))
    await b.send("there")
    equal(text(await a.receive()), ["there"], "b → a")
    await a.send("back")
    equal(text(await b.receive()), ["back"], "a → b")
  },
}

for (const transport of Object.keys(TRANSPORTS)) {
  for (const [pair, body] of Object.entries(PAIRS)) {
    test(`${pair} over ${transport}`, (scope) => {
      if (transport !== "wss") return body(scope, transport)
      const track: Scope["track"] = (socket) => Object.assign(scope.track(socket), WSS_OPTIONS)
      return body({ ...scope, track }, transport)
    })
  }
}
