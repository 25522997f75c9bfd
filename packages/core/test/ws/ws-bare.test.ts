/**
 * Bare "ZWS2.0" (RFC 45: no mechanism, routing id first, no READY) in the Node ws transport, both roles: the
 * subprotocol browsers, `ws` and the runtimes' WebSocket can offer. A raw-net bare peer (bare-ws-peer.ts)
 * plays the browser; the same client scenarios run against libzmq 4.3.4's ws server (pyzmq), so what our
 * server answers is checked against what libzmq answers.
 */
import { spawn } from "node:child_process"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"
import { Dealer, Publisher, Reply, Router, Subscriber, type SocketEvent } from "../../src/index.js"
import { afterThisTest, track } from "../helpers/cleanup.js"
import { pythonPasses, pythonPeer } from "../helpers/python-peer.js"
import { bareClient, bareServer, type BarePeer } from "./bare-ws-peer.js"

const PEER = fileURLToPath(new URL("../fixtures/pyzmq-ws-peer.py", import.meta.url))
const HAS_WS = pythonPasses("import zmq, sys; sys.exit(0 if zmq.has('WS') else 1)")

const text = (frames: Buffer[]): string[] => frames.map((frame) => frame.toString())

/** A bare client as a REQ speaks: routing id first, then [delimiter, body]; the REP's answer comes back the same way. */
async function reqScenario(client: BarePeer, reply: string): Promise<void> {
  expect(client.protocol).toBe("ZWS2.0")
  client.send([""])
  // The server's routing id: empty, since a REP sets none.
  expect(text(await client.receive())).toEqual([""])
  client.send(["", "a"])
  expect(text(await client.receive())).toEqual(["", reply])
}

/** A bare client as a DEALER with routing id "b1" to a ROUTER that prefixes "py" to what it gets. */
async function routerScenario(client: BarePeer): Promise<void> {
  client.send(["b1"])
  expect(text(await client.receive())).toEqual([""])
  client.send(["x"])
  expect(text(await client.receive())).toEqual(["py", "x"])
}

describe("bare ZWS2.0: a browser-like client against our ws server", () => {
  it("REQ/REP: routing ids first, then the request and the reply; handshake event on our side", async () => {
    const rep = track(new Reply())
    const events: SocketEvent[] = []
    rep.events.on("handshake", (event: SocketEvent) => events.push(event))
    await rep.bind("ws://127.0.0.1:*/zmq")
    const serving = (async () => {
      const [request] = await rep.receive()
      await rep.send(`py:${request!.toString()}`)
    })()
    await reqScenario(await bareClient(rep.lastEndpoint!), "py:a")
    await serving
    expect(events.map((event) => event.type)).toEqual(["handshake"])
  })

  it("DEALER/ROUTER: the bare client's first message is its routing id, which the ROUTER routes by", async () => {
    const router = track(new Router())
    await router.bind("ws://127.0.0.1:*")
    const serving = (async () => {
      for (let i = 0; i < 2; i++) {
        const [id, ...rest] = await router.receive()
        await router.send([id!, "py", ...rest])
      }
    })()
    await routerScenario(await bareClient(router.lastEndpoint!))
    // A second client without a routing id gets one made by the ROUTER, and only its own replies.
    const anonymous = await bareClient(router.lastEndpoint!)
    anonymous.send([""])
    await anonymous.receive()
    anonymous.send(["y"])
    expect(text(await anonymous.receive())).toEqual(["py", "y"])
    await serving
  })

  it("PUB/SUB: subscriptions arrive as data frames 0x01 + topic and filter what the PUB sends", async () => {
    const pub = track(new Publisher())
    await pub.bind("ws://127.0.0.1:*")
    const client = await bareClient(pub.lastEndpoint!)
    client.send([""])
    expect(text(await client.receive())).toEqual([""])
    client.sendPayload(Buffer.from("\x00\x01weather"))
    const received = client.receive()
    let got: string[] | undefined
    void received.then((frames) => (got = text(frames)))
    for (let i = 0; i < 200 && got === undefined; i++) {
      await pub.send(["news", String(i)])
      await pub.send(["weather", String(i)])
      await new Promise((resolve) => setTimeout(resolve, 10))
    }
    expect((await received)[0]!.toString()).toBe("weather")
  })

  it("a bare client whose first message is a command is dropped (handshake:error:protocol); another is served", async () => {
    const rep = track(new Reply())
    const events: SocketEvent[] = []
    rep.events.on("handshake:error:protocol", (event: SocketEvent) => events.push(event))
    await rep.bind("ws://127.0.0.1:*")
    const bad = await bareClient(rep.lastEndpoint!)
    bad.sendPayload(Buffer.from("\x02\x05READY"))
    await bad.closed
    expect(events).toHaveLength(1)
    const serving = (async () => {
      const [request] = await rep.receive()
      await rep.send(`py:${request!.toString()}`)
    })()
    await reqScenario(await bareClient(rep.lastEndpoint!), "py:a")
    await serving
  })

  it("a server whose mechanism is not NULL refuses the bare offer with 400 (as libzmq's select_protocol)", async () => {
    const rep = track(new Reply({ plainServer: true }))
    const events: SocketEvent[] = []
    rep.events.on("handshake:error:other", (event: SocketEvent) => events.push(event))
    await rep.bind("ws://127.0.0.1:*")
    await expect(bareClient(rep.lastEndpoint!)).rejects.toThrow(/upgrade refused: HTTP\/1\.1 400/)
    for (let i = 0; i < 100 && events.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 10))
    expect(events).toHaveLength(1)
  })
})

/**
 * Node's own WebSocket client (undici, behind --experimental-websocket in Node 20): a third-party RFC 6455
 * implementation that, like a browser, can offer only "ZWS2.0". It sends `payloads` (hex) once open and prints
 * the protocol and then each binary message it receives (hex) until `expect` messages arrived.
 */
function platformWebSocket(url: string, payloads: string[], expect: number): Promise<string[]> {
  const script = `
    const ws = new WebSocket(${JSON.stringify(url)}, ["ZWS2.0"]); ws.binaryType = "arraybuffer"; const got = []
    ws.onopen = () => { console.log("protocol " + ws.protocol); for (const p of ${JSON.stringify(payloads)}) ws.send(Buffer.from(p, "hex")) }
    ws.onmessage = (m) => { got.push(Buffer.from(m.data).toString("hex")); if (got.length === ${expect}) { console.log("got " + got.join(" ")); ws.close() } }
    ws.onerror = () => { console.log("error"); process.exit(1) }`
  const child = spawn(process.execPath, ["--experimental-websocket", "--no-warnings", "-e", script])
  afterThisTest(() => child.kill("SIGKILL"))
  let out = ""
  child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()))
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`platform WebSocket: no answer; stdout ${out}`)), 8000)
    child.once("exit", () => {
      clearTimeout(timer)
      resolve(out.trim().split("\n"))
    })
  })
}

const hex = (text: string): string => Buffer.from(text).toString("hex")

describe("bare ZWS2.0: Node's platform WebSocket (undici) against our ws server", () => {
  it("REQ-style exchange with our REP: protocol ZWS2.0, routing ids, then the reply", async () => {
    const rep = track(new Reply())
    await rep.bind("ws://127.0.0.1:*/ws")
    const serving = (async () => {
      const [request] = await rep.receive()
      await rep.send(`re:${request!.toString()}`)
    })()
    // Our routing id (empty), then REQ's delimiter (MORE) and the body.
    const lines = await platformWebSocket(rep.lastEndpoint!, ["00", "01", `00${hex("ask")}`], 3)
    await serving
    expect(lines).toEqual(["protocol ZWS2.0", `got 00 01 00${hex("re:ask")}`])
  })

  it("DEALER-style exchange with our ROUTER, which routes by the routing id the client sent", async () => {
    const router = track(new Router())
    await router.bind("ws://127.0.0.1:*/ws")
    const serving = (async () => {
      const [id, body] = await router.receive()
      await router.send([id!, `to ${id!.toString()}: ${body!.toString()}`])
    })()
    const lines = await platformWebSocket(router.lastEndpoint!, [`00${hex("web-7")}`, `00${hex("hi")}`], 2)
    await serving
    expect(lines).toEqual(["protocol ZWS2.0", `got 00 00${hex("to web-7: hi")}`])
  })
})

describe("bare ZWS2.0: our ws client against a server that answers ZWS2.0", () => {
  it("DEALER: sends its routing id first, takes the server's, then messages both ways", async () => {
    const server = await bareServer()
    const dealer = track(new Dealer({ routingId: "me" }))
    const events: SocketEvent[] = []
    dealer.events.on("handshake", (event: SocketEvent) => events.push(event))
    dealer.connect(`ws://127.0.0.1:${server.port}/chat`)
    const peer = await server.next()
    expect(peer.protocol).toBe("ZWS2.0/NULL, ZWS2.0")
    expect(text(await peer.receive())).toEqual(["me"])
    peer.send(["server-id"])
    peer.send(["hello", "there"])
    expect(text(await dealer.receive())).toEqual(["hello", "there"])
    await dealer.send("up")
    expect(text(await peer.receive())).toEqual(["up"])
    expect(events.map((event) => event.type)).toEqual(["handshake"])
  })

  it("SUB: its subscriptions go out as 0x01 + topic data frames", async () => {
    const server = await bareServer()
    const sub = track(new Subscriber())
    sub.subscribe("topic")
    sub.connect(`ws://127.0.0.1:${server.port}`)
    const peer = await server.next()
    expect(text(await peer.receive())).toEqual([""])
    peer.send([""])
    expect(text(await peer.receive())).toEqual(["\x01topic"])
    peer.send(["topic", "1"])
    expect(text(await sub.receive())).toEqual(["topic", "1"])
  })
})

describe.runIf(HAS_WS || process.env["CI"] === "true")("bare ZWS2.0 against libzmq 4.3.4 (pyzmq), the same scenarios", () => {
  it("a bare client and libzmq's bound REP", async () => {
    const peer = pythonPeer([PEER, "bind-rep", "ws://127.0.0.1:*/zmq"], {}, "bind-rep")
    await reqScenario(await bareClient(await peer.line("endpoint")), "py:a")
  })

  it("a bare client and libzmq's bound ROUTER", async () => {
    const peer = pythonPeer([PEER, "bind-router", "ws://127.0.0.1:*/zmq"], {}, "bind-router")
    await routerScenario(await bareClient(await peer.line("endpoint")))
  })
})
