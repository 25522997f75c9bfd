/**
 * ws:// and wss:// parity with tcp: every socket pair that can talk, over both, each side binding; the listen
 * rules tcp has (interface names, IPv6 without `ipv6` is ENODEV); heartbeats as WebSocket pings (kept alive
 * by our pongs, cut when a peer never answers); SNDHWM backpressure through the WebSocket stream.
 */
import { createHash } from "node:crypto"
import { createServer } from "node:net"
import { describe, expect, it } from "vitest"
import { Client, Gather, Scatter, Server } from "../../src/draft.js"
import {
  Dealer,
  Pair,
  Publisher,
  Pull,
  Push,
  Reply,
  Request,
  Router,
  Subscriber,
  XPublisher,
  XSubscriber,
  type SocketEvent,
} from "../../src/index.js"
import { afterThisTest, track } from "../helpers/cleanup.js"
import { hasIpv6Loopback } from "../helpers/transports.js"
import { selfSigned } from "./tls-certificates.js"

const CERT = selfSigned("IP:127.0.0.1")
const SCHEMES = {
  ws: { bind: {}, connect: {} },
  wss: { bind: { wssCertPem: CERT.certPem, wssKeyPem: CERT.keyPem }, connect: { wssTrustPem: CERT.certPem } },
} as const

type Options = Record<string, unknown>
interface AnyPeer {
  bind(address: string): Promise<void>
  connect(address: string): void
  readonly lastEndpoint: string | null
  close(): void
}
const text = (frames: Buffer[]): string[] => frames.map((frame) => frame.toString())

/** Sends with `send` until `received` settles (subscriptions take a round trip to reach the publisher). */
async function untilReceived<T>(received: Promise<T>, send: () => Promise<void>): Promise<T> {
  let done = false
  void received.then(() => (done = true), () => (done = true))
  for (let i = 0; i < 300 && !done; i++) {
    await send()
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
  return received
}

/** A pair: how to make each side, and a conversation between them that asserts what each receives. */
interface PairCase {
  readonly name: string
  make(options: { a: Options; b: Options }): [AnyPeer, AnyPeer]
  talk(a: AnyPeer, b: AnyPeer): Promise<void>
  /** The first socket must bind (the second cannot start the conversation toward an unknown peer). */
  readonly aBinds?: boolean
}

/* eslint-disable @typescript-eslint/no-explicit-any -- each case knows its socket types */
const PAIRS: PairCase[] = [
  {
    name: "PAIR ↔ PAIR",
    make: ({ a, b }) => [new Pair(a), new Pair(b)],
    talk: async (a: any, b: any) => {
      await a.send("x")
      expect(text(await b.receive())).toEqual(["x"])
      await b.send("y")
      expect(text(await a.receive())).toEqual(["y"])
    },
  },
  {
    name: "REQ → REP",
    make: ({ a, b }) => [new Request(a), new Reply(b)],
    talk: async (req: any, rep: any) => {
      await req.send(["q", "2"])
      expect(text(await rep.receive())).toEqual(["q", "2"])
      await rep.send("r")
      expect(text(await req.receive())).toEqual(["r"])
    },
  },
  {
    name: "REQ → ROUTER",
    make: ({ a, b }) => [new Request(a), new Router(b)],
    talk: async (req: any, router: any) => {
      await req.send("q")
      const [id, empty, body] = await router.receive()
      expect([empty.length, body.toString()]).toEqual([0, "q"])
      await router.send([id, "", "r"])
      expect(text(await req.receive())).toEqual(["r"])
    },
  },
  {
    name: "DEALER → REP",
    make: ({ a, b }) => [new Dealer(a), new Reply(b)],
    talk: async (dealer: any, rep: any) => {
      await dealer.send(["", "q"])
      expect(text(await rep.receive())).toEqual(["q"])
      await rep.send("r")
      expect(text(await dealer.receive())).toEqual(["", "r"])
    },
  },
  {
    name: "DEALER → ROUTER (routing id)",
    make: ({ a, b }) => [new Dealer({ ...a, routingId: "dealer-1" }), new Router(b)],
    talk: async (dealer: any, router: any) => {
      await dealer.send("q")
      expect(text(await router.receive())).toEqual(["dealer-1", "q"])
      await router.send(["dealer-1", "r"])
      expect(text(await dealer.receive())).toEqual(["r"])
    },
  },
  {
    name: "DEALER ↔ DEALER",
    make: ({ a, b }) => [new Dealer(a), new Dealer(b)],
    talk: async (a: any, b: any) => {
      await a.send("x")
      expect(text(await b.receive())).toEqual(["x"])
      await b.send("y")
      expect(text(await a.receive())).toEqual(["y"])
    },
  },
  {
    name: "ROUTER ↔ ROUTER (routing ids)",
    aBinds: true,
    make: ({ a, b }) => [new Router({ ...a, routingId: "A" }), new Router({ ...b, routingId: "B" })],
    talk: async (a: any, b: any) => {
      // B connected to A, whose id it learns from the handshake.
      await untilReceived(a.receive(), async () => void (await b.send(["A", "hello"]).catch(() => undefined)))
      await a.send(["B", "back"])
      expect(text(await b.receive())).toEqual(["A", "back"])
    },
  },
  {
    name: "PUSH → PULL",
    make: ({ a, b }) => [new Push(a), new Pull(b)],
    talk: async (push: any, pull: any) => {
      await push.send(["a", Buffer.alloc(70_000, 7)])
      const [first, big] = await pull.receive()
      expect([first.toString(), big.length]).toEqual(["a", 70_000])
    },
  },
  {
    name: "PUB → SUB",
    make: ({ a, b }) => [new Publisher(a), new Subscriber(b)],
    talk: async (pub: any, sub: any) => {
      sub.subscribe("t")
      const [topic] = await untilReceived<Buffer[]>(sub.receive(), async () => {
        await pub.send(["other", "x"])
        await pub.send(["t", "x"])
      })
      expect(topic!.toString()).toBe("t")
    },
  },
  {
    name: "XPUB → XSUB",
    make: ({ a, b }) => [new XPublisher(a), new XSubscriber(b)],
    talk: async (xpub: any, xsub: any) => {
      await xsub.send(Buffer.from("\x01t"))
      expect(text(await xpub.receive())).toEqual(["\x01t"])
      await xpub.send(["t", "1"])
      expect(text(await xsub.receive())).toEqual(["t", "1"])
    },
  },
  {
    name: "PUB → XSUB",
    make: ({ a, b }) => [new Publisher(a), new XSubscriber(b)],
    talk: async (pub: any, xsub: any) => {
      await xsub.send(Buffer.from("\x01t"))
      const [topic] = await untilReceived<Buffer[]>(xsub.receive(), () => pub.send(["t", "1"]))
      expect(topic!.toString()).toBe("t")
    },
  },
  {
    name: "XPUB → SUB",
    make: ({ a, b }) => [new XPublisher(a), new Subscriber(b)],
    talk: async (xpub: any, sub: any) => {
      sub.subscribe("t")
      expect(text(await xpub.receive())).toEqual(["\x01t"])
      await xpub.send(["t", "1"])
      expect(text(await sub.receive())).toEqual(["t", "1"])
    },
  },
  {
    name: "CLIENT → SERVER",
    make: ({ a, b }) => [new Client(a), new Server(b)],
    talk: async (client: any, server: any) => {
      await client.send("X")
      const [request, { routingId }] = await server.receive()
      expect(request.toString()).toBe("X")
      await server.send("Y", { routingId })
      expect(text(await client.receive())).toEqual(["Y"])
    },
  },
  {
    name: "SCATTER → GATHER",
    make: ({ a, b }) => [new Scatter(a), new Gather(b)],
    talk: async (scatter: any, gather: any) => {
      await scatter.send("s")
      expect(text(await gather.receive())).toEqual(["s"])
    },
  },
]
/* eslint-enable @typescript-eslint/no-explicit-any */

for (const [scheme, options] of Object.entries(SCHEMES)) {
  describe(`every socket pair over ${scheme}://`, () => {
    for (const pair of PAIRS) {
      for (const binder of pair.aBinds === true ? (["a"] as const) : (["a", "b"] as const)) {
        it(`${pair.name} (${binder === "a" ? "first" : "second"} binds)`, async () => {
          const [a, b] = pair.make({ a: binder === "a" ? options.bind : options.connect, b: binder === "b" ? options.bind : options.connect })
          track(a)
          track(b)
          const [bound, connecting] = binder === "a" ? [a, b] : [b, a]
          await bound.bind(`${scheme}://127.0.0.1:*/matrix`)
          connecting.connect(bound.lastEndpoint!)
          await pair.talk(a, b)
        })
      }
    }
  })
}

describe("ws:// listen parity with tcp", () => {
  it("an interface name binds its address, as tcp://lo:* does", async () => {
    const rep = track(new Reply())
    await rep.bind("ws://lo:*/named")
    expect(rep.lastEndpoint).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/named$/)
  })

  it("an IPv6 address without the ipv6 option is ENODEV (bind:error), as tcp's listen; with it, it binds", async () => {
    const rep = track(new Reply())
    const failures: SocketEvent[] = []
    rep.events.on("bind:error", (event: SocketEvent) => failures.push(event))
    await expect(rep.bind("ws://[::1]:*/six")).rejects.toMatchObject({ code: "ENODEV" })
    expect(failures).toHaveLength(1)
    if (!(await hasIpv6Loopback())) return
    const six = track(new Reply({ ipv6: true }))
    await six.bind("ws://[::1]:*/six")
    expect(six.lastEndpoint).toMatch(/^ws:\/\/\[::1\]:\d+\/six$/)
    const req = track(new Request({ ipv6: true }))
    req.connect(six.lastEndpoint!)
    await req.send("v6")
    expect(text(await six.receive())).toEqual(["v6"])
  })
})

describe("ws:// heartbeats and HWM", () => {
  it("WebSocket pings between two of ours keep an idle connection up across many heartbeat timeouts", async () => {
    const router = track(new Router({ heartbeatInterval: 20, heartbeatTimeout: 60 }))
    await router.bind("ws://127.0.0.1:*/")
    const dealer = track(new Dealer({ heartbeatInterval: 20, heartbeatTimeout: 60, routingId: "d" }))
    const disconnects: SocketEvent[] = []
    dealer.events.on("disconnect", (event: SocketEvent) => disconnects.push(event))
    dealer.connect(router.lastEndpoint!)
    await dealer.send("one")
    await router.receive()
    await new Promise((resolve) => setTimeout(resolve, 400))
    expect(disconnects).toEqual([])
    await dealer.send("two")
    expect(text(await router.receive())).toEqual(["d", "two"])
  })

  it("a peer that never answers our pings is disconnected after heartbeatTimeout", async () => {
    // A bare ZWS2.0 server that sends its routing id and then ignores everything, pings included.
    const server = createServer((socket) => {
      afterThisTest(() => socket.destroy())
      socket.on("error", () => undefined)
      socket.once("data", (head: Buffer) => {
        const key = /sec-websocket-key: *([^\r\n]*)/i.exec(head.toString("latin1"))?.[1] ?? ""
        const accept = createHash("sha1").update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest("base64")
        socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\nSec-WebSocket-Protocol: ZWS2.0\r\n\r\n`)
        socket.write(Buffer.from([0x82, 0x01, 0x00]))
      })
    })
    afterThisTest(() => server.close())
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
    const port = (server.address() as { port: number }).port
    const dealer = track(new Dealer({ heartbeatInterval: 30, heartbeatTimeout: 90, reconnectInterval: 10_000 }))
    const events: string[] = []
    for (const type of ["handshake", "disconnect"] as const) dealer.events.on(type, () => events.push(type))
    dealer.connect(`ws://127.0.0.1:${port}/`)
    for (let i = 0; i < 200 && !events.includes("disconnect"); i++) await new Promise((resolve) => setTimeout(resolve, 10))
    expect(events).toEqual(["handshake", "disconnect"])
  })

  it("SNDHWM pushes back through the WebSocket stream: a PUSH whose PULL does not read stops at EAGAIN, then resumes", async () => {
    const pull = track(new Pull({ receiveHighWaterMark: 5 }))
    await pull.bind("ws://127.0.0.1:*/")
    const push = track(new Push({ sendHighWaterMark: 5, sendTimeout: 0 }))
    push.connect(pull.lastEndpoint!)
    const body = Buffer.alloc(64 * 1024, 1)
    let sent = 0
    for (; sent < 10_000; sent++) {
      try {
        await push.send(body)
      } catch (error) {
        expect((error as { code?: string }).code).toBe("EAGAIN")
        break
      }
    }
    expect(sent).toBeLessThan(10_000)
    for (let i = 0; i < sent; i++) expect((await pull.receive())[0]!.length).toBe(body.length)
    push.sendTimeout = 5000
    await push.send("after")
    expect(text(await pull.receive())).toEqual(["after"])
  })
})
