/**
 * The browser build (bundled by esbuild as an app would be, run in a realm with only a browser's globals,
 * the `ws` package's WHATWG WebSocket as the platform's) against real ZWS 2.0 servers: ours on Node and
 * Debian's libzmq 4.3.4 (pyzmq), which takes the bare "ZWS2.0" a browser offers for NULL. REQ/REP, PUB/SUB,
 * DEALER/ROUTER; reconnect; a server that picks no ZWS subprotocol. Chromium runs the same app in CI.
 */
import { createServer } from "node:http"
import { fileURLToPath } from "node:url"
import { WebSocketServer } from "ws"
import { beforeAll, describe, expect, it } from "vitest"
import { Publisher, Reply, Router } from "../../src/index.js"
import { afterThisTest, track } from "../helpers/cleanup.js"
import { pythonPasses, pythonPeer } from "../helpers/python-peer.js"
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
