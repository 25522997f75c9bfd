/**
 * The browser build (bundled by esbuild as an app would be, run in a realm with only a browser's globals,
 * the `ws` package's WHATWG WebSocket as the platform's) against real ZWS 2.0 servers: ours on Node and
 * Debian's libzmq 4.3.4 (pyzmq), which takes the bare "ZWS2.0" a browser offers for NULL. REQ/REP, PUB/SUB,
 * DEALER/ROUTER; zeromq 6.8.0 (libzmq 4.3.5) too; wss; reconnect; HWM; maxMessageSize; bad servers.
 */
import { createServer } from "node:http"
import { fileURLToPath } from "node:url"
import { WebSocketServer } from "ws"
import { beforeAll, describe, expect, it } from "vitest"
import * as zmq from "zeromq"
import { Publisher, Push, Reply, Router } from "../../src/index.js"
import { afterThisTest, track } from "../helpers/cleanup.js"
import { pythonPasses, pythonPeer } from "../helpers/python-peer.js"
import { selfSigned } from "../ws/tls-certificates.js"
import { bundleBrowserApp } from "./bundle-browser-app.js"
import { runInBrowserSandbox } from "./browser-sandbox.js"

interface Outcome<T> {
  readonly result: T
  readonly events: readonly string[]
}
interface App {
  reqRep(url: string, count: number, timeout?: number): Promise<Outcome<string[]>>
  subscribe(url: string, topic: string, count: number): Promise<Outcome<string[][]>>
  dealer(url: string, id: string, messages: string[][]): Promise<Outcome<string[][]>>
  pull(url: string, count: number, options?: { receiveHighWaterMark?: number; maxMessageSize?: number; readDelay?: number }): Promise<Outcome<string[]>>
  largeRequest(url: string, size: number): Promise<Outcome<{ length: number; intact: boolean }>>
}

const PEER = fileURLToPath(new URL("../fixtures/pyzmq-ws-peer.py", import.meta.url))
const HAS_WS = pythonPasses("import zmq, sys; sys.exit(0 if zmq.has('WS') else 1)")

let code = ""
beforeAll(async () => {
  code = (await bundleBrowserApp(fileURLToPath(new URL("./app.ts", import.meta.url)), { bundler: "esbuild" })).code
}, 60_000)

/** A fresh page: its own realm, its own copy of core. */
const page = (): App => runInBrowserSandbox(code).zmqBrowserApp as App

describe("the browser build against zmq-ts on Node (bare ZWS2.0)", () => {
  it("REQ → our REP, with the monitor events a page sees", async () => {
    const rep = track(new Reply())
    await rep.bind("ws://127.0.0.1:*/zmq")
    void (async () => {
      for await (const [request] of rep) await rep.send(`node:${request!.toString()}`)
    })()
    const { result, events } = await page().reqRep(rep.lastEndpoint!, 3)
    expect(result).toEqual(["node:hello 0", "node:hello 1", "node:hello 2"])
    expect(events.slice(0, 2)).toEqual(["connect", "handshake"])
  })

  it("SUB ← our PUB: the page's subscription reaches the publisher, which filters for it", async () => {
    const pub = track(new Publisher())
    await pub.bind("ws://127.0.0.1:*/")
    let n = 0
    const timer = setInterval(() => {
      void pub.send(["other", String(n)])
      void pub.send(["news", String(n++)])
    }, 10)
    afterThisTest(() => clearInterval(timer))
    const { result } = await page().subscribe(pub.lastEndpoint!, "news", 5)
    expect(result.every(([topic]) => topic === "news")).toBe(true)
    expect(result).toHaveLength(5)
  })

  it("DEALER ↔ our ROUTER: the page's routing id (its bare ZWS2.0 first message) names it at the ROUTER", async () => {
    const router = track(new Router())
    await router.bind("ws://127.0.0.1:*/")
    const seen: string[] = []
    void (async () => {
      for await (const [id, ...frames] of router) {
        seen.push(id!.toString())
        await router.send([id!, "node", ...frames])
      }
    })()
    const { result } = await page().dealer(router.lastEndpoint!, "page-1", [["a", "b"], ["c"]])
    expect(result).toEqual([["node", "a", "b"], ["node", "c"]])
    expect(seen).toEqual(["page-1", "page-1"])
  })

  it("a 3 MB request and its echo, through the WebSocket's send buffer both ways", async () => {
    const rep = track(new Reply())
    await rep.bind("ws://127.0.0.1:*/")
    void (async () => {
      for await (const [request] of rep) await rep.send(request!)
    })()
    const { result } = await page().largeRequest(rep.lastEndpoint!, 3_000_000)
    expect(result).toEqual({ length: 3_000_000, intact: true })
  })

  it("a slow page with a small receive HWM gets every message, in order (what the pipe cannot take waits)", async () => {
    const push = track(new Push())
    await push.bind("ws://127.0.0.1:*/")
    void (async () => {
      for (let i = 0; i < 600; i++) await push.send(String(i))
    })()
    const { result } = await page().pull(push.lastEndpoint!, 600, { receiveHighWaterMark: 10, readDelay: 0 })
    expect(result).toEqual(Array.from({ length: 600 }, (_, i) => String(i)))
  })

  it("maxMessageSize: a larger message drops the connection (disconnect event); the page reconnects and reads on", async () => {
    const push = track(new Push())
    await push.bind("ws://127.0.0.1:*/")
    const events: string[] = []
    push.events.on("disconnect", () => events.push("disconnect"))
    push.events.on("accept", () => events.push("accept"))
    void (async () => {
      await push.send(Buffer.alloc(1000, 0x61))
      for (let i = 0; ; i++) {
        if (push.closed) return
        await push.send(`small ${i}`).catch(() => undefined)
        await new Promise((resolve) => setTimeout(resolve, 5))
      }
    })()
    const { result, events: pageEvents } = await page().pull(push.lastEndpoint!, 3, { maxMessageSize: 100 })
    expect(result.every((message) => message.startsWith("small "))).toBe(true)
    expect(pageEvents.filter((event) => event === "handshake").length).toBeGreaterThanOrEqual(2)
    expect(pageEvents).toContain("disconnect")
    expect(events.slice(0, 3)).toEqual(["accept", "disconnect", "accept"]) // the server saw the page go and come back
  })

  it("reconnects when the server comes up after the page connected", async () => {
    // A port that is free now: bind, note it, unbind.
    const probe = new Reply()
    await probe.bind("ws://127.0.0.1:*/")
    const endpoint = probe.lastEndpoint!
    probe.close()
    const pending = page().reqRep(endpoint, 1)
    await new Promise((resolve) => setTimeout(resolve, 300)) // the page has tried and failed at least once
    const rep = track(new Reply())
    await rep.bind(endpoint)
    void (async () => {
      for await (const [request] of rep) await rep.send(`late:${request!.toString()}`)
    })()
    const { result, events } = await pending
    expect(result).toEqual(["late:hello 0"])
    expect(events).toContain("close")
    expect(events.indexOf("handshake")).toBeGreaterThan(events.indexOf("close"))
  })

  it("a server that chooses no ZWS subprotocol is not spoken to", async () => {
    const http = createServer()
    const wss = new WebSocketServer({ server: http, handleProtocols: () => false })
    let messages = 0
    wss.on("connection", (ws) => ws.on("message", () => messages++))
    await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve))
    afterThisTest(() => {
      wss.close()
      http.close()
    })
    const port = (http.address() as { port: number }).port
    await expect(page().reqRep(`ws://127.0.0.1:${port}/`, 1, 500)).rejects.toMatchObject({ code: "EAGAIN" })
    expect(messages).toBe(0)
  })
})

describe("the browser build against zeromq 6.8.0 (libzmq 4.3.5, in process), bare ZWS2.0", () => {
  it("REQ → their REP, DEALER ↔ their ROUTER, SUB ← their PUB", async () => {
    const rep = new zmq.Reply()
    const router = new zmq.Router()
    const pub = new zmq.Publisher()
    afterThisTest(() => {
      rep.close()
      router.close()
      pub.close()
    })
    await rep.bind("ws://127.0.0.1:*/rep")
    await router.bind("ws://127.0.0.1:*/router")
    await pub.bind("ws://127.0.0.1:*/pub")
    void (async () => {
      for await (const [request] of rep) await rep.send(`libzmq:${request!.toString()}`)
    })().catch(() => undefined)
    void (async () => {
      for await (const [id, ...frames] of router) await router.send([id!, id!, ...frames])
    })().catch(() => undefined)
    const timer = setInterval(() => void pub.send(["news", "x"]).catch(() => undefined), 10)
    afterThisTest(() => clearInterval(timer))
    const app = page()
    expect((await app.reqRep(rep.lastEndpoint!, 2)).result).toEqual(["libzmq:hello 0", "libzmq:hello 1"])
    expect((await app.dealer(router.lastEndpoint!, "page-4", [["m", "n"]])).result).toEqual([["page-4", "m", "n"]])
    expect((await app.subscribe(pub.lastEndpoint!, "news", 2)).result).toEqual([["news", "x"], ["news", "x"]])
  })
})

describe("the browser build against a bad ZWS server", () => {
  /** A server that takes bare ZWS2.0, sends its routing id, then `bad`; counts connections and who closed. */
  async function badServer(bad: (ws: import("ws").WebSocket) => void): Promise<{ url: string; connections: () => number; closedByPage: () => number }> {
    const http = createServer()
    const wss = new WebSocketServer({ server: http, handleProtocols: (offers) => (offers.has("ZWS2.0") ? "ZWS2.0" : false) })
    let connections = 0
    let closedByPage = 0
    wss.on("connection", (ws) => {
      connections++
      ws.on("close", (code) => {
        if (code === 1000) closedByPage++
      })
      ws.send(Buffer.from([0x00])) // our (empty) routing id: the handshake is done
      bad(ws)
    })
    await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve))
    afterThisTest(() => {
      for (const client of wss.clients) client.terminate()
      wss.close()
      http.close()
    })
    return { url: `ws://127.0.0.1:${(http.address() as { port: number }).port}/`, connections: () => connections, closedByPage: () => closedByPage }
  }

  it.each([
    ["a text message", (ws: import("ws").WebSocket) => ws.send("hello")],
    ["an empty binary message", (ws: import("ws").WebSocket) => ws.send(Buffer.alloc(0))],
    ["a frame with reserved flag bits", (ws: import("ws").WebSocket) => ws.send(Buffer.from([0x04, 0x61]))],
  ])("%s: the page closes that connection (1000) and reconnects", async (_name, bad) => {
    const server = await badServer(bad)
    await expect(page().reqRep(server.url, 1, 800)).rejects.toMatchObject({ code: "EAGAIN" })
    expect(server.connections()).toBeGreaterThanOrEqual(2)
    expect(server.closedByPage()).toBeGreaterThanOrEqual(1)
  })
})

describe("the browser build over wss:// (TLS by the platform's WebSocket) against zmq-ts on Node", () => {
  const certificate = selfSigned("IP:127.0.0.1,DNS:localhost")
  const secure = { wssCertPem: certificate.certPem, wssKeyPem: certificate.keyPem }

  it("REQ → our REP and DEALER ↔ our ROUTER, two sockets on one port under their paths", async () => {
    const rep = track(new Reply(secure))
    await rep.bind("wss://127.0.0.1:*/rep")
    const port = /:(\d+)\//.exec(rep.lastEndpoint!)![1]
    const router = track(new Router(secure))
    await router.bind(`wss://127.0.0.1:${port}/router`)
    void (async () => {
      for await (const [request] of rep) await rep.send(`tls:${request!.toString()}`)
    })()
    void (async () => {
      for await (const [id, ...frames] of router) await router.send([id!, id!, ...frames])
    })()
    const app = runInBrowserSandbox(code, { trust: certificate.certPem }).zmqBrowserApp as App
    expect((await app.reqRep(`wss://127.0.0.1:${port}/rep`, 2)).result).toEqual(["tls:hello 0", "tls:hello 1"])
    expect((await app.dealer(`wss://127.0.0.1:${port}/router`, "page-3", [["z"]])).result).toEqual([["page-3", "z"]])
  })

  it("a certificate the page does not trust: no handshake, the page keeps retrying", async () => {
    const rep = track(new Reply(secure))
    await rep.bind("wss://127.0.0.1:*/")
    await expect(page().reqRep(rep.lastEndpoint!, 1, 500)).rejects.toMatchObject({ code: "EAGAIN" })
  })
})

describe.runIf(HAS_WS || process.env["CI"] === "true")("the browser build against libzmq 4.3.4 (pyzmq), bare ZWS2.0", () => {
  it("REQ → libzmq's REP", async () => {
    const peer = pythonPeer([PEER, "bind-rep", "ws://127.0.0.1:*/zmq"], {}, "bind-rep")
    const { result } = await page().reqRep(await peer.line("endpoint"), 3)
    expect(result).toEqual(["py:hello 0", "py:hello 1", "py:hello 2"])
  })

  it("SUB ← libzmq's PUB: the subscription travels as a data frame", async () => {
    const peer = pythonPeer([PEER, "bind-pub", "ws://127.0.0.1:*/"], {}, "bind-pub")
    const { result } = await page().subscribe(await peer.line("endpoint"), "top", 3)
    expect(result.map(([topic]) => topic)).toEqual(["topic", "topic", "topic"])
  })

  it("DEALER ↔ libzmq's ROUTER", async () => {
    const peer = pythonPeer([PEER, "bind-router", "ws://127.0.0.1:*/"], {}, "bind-router")
    const { result } = await page().dealer(await peer.line("endpoint"), "page-2", [["x", "y"]])
    expect(result).toEqual([["py", "x", "y"]])
  })
})
