/**
 * zmq-ts in Chromium: a page bundled from "@zmq-ts/core" (its browser entry) runs REQ/REP, PUB/SUB and
 * DEALER/ROUTER over the platform WebSocket (bare ZWS2.0, NULL) against zmq-ts on Node and against libzmq
 * 4.3.4 (Debian's pyzmq), and over wss:// against zmq-ts — and is dropped cleanly when the server sends more
 * than its maxMessageSize. The same page built by Vite runs a pattern against each server too.
 */
import type { Browser } from "playwright-core"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { launchChromium, openPage } from "../src/chromium.js"
import { selfSignedCertificate } from "../src/certificate.js"
import { afterThisTest } from "../src/cleanup.js"
import { nodePublisher, nodeReply, nodeRouter } from "../src/node-servers.js"
import { bundleSuitePage, FROM_SOURCE } from "../src/page-bundle.js"
import { servePage, type ServedPage } from "../src/page-server.js"
import { pyzmqServer } from "../src/pyzmq-peer.js"
import type { SocketsPage } from "../pages/sockets.js"

let browser: Browser
/** The same page built by esbuild and by Vite. */
let served: ServedPage
let servedByVite: ServedPage

beforeAll(async () => {
  const bundle = await bundleSuitePage("sockets")
  const byVite = await bundleSuitePage("sockets", "vite")
  const from = FROM_SOURCE ? "sources" : "dist"
  console.log(`sockets page bundled from ${from}: esbuild ${bundle.bytes} bytes, Vite ${byVite.bytes} bytes (not minified)`)
  served = await servePage(bundle.code)
  servedByVite = await servePage(byVite.code)
  browser = await launchChromium()
})

afterAll(async () => {
  await served?.close()
  await servedByVite?.close()
  await browser?.close()
})

/** Runs one call of the page in a fresh browser context; the page must log no error while it runs. */
async function run(call: Exclude<keyof SocketsPage, "connectEvents">, endpoint: string, trust: { ignoreHTTPSErrors?: boolean } = {}, from = served): Promise<string[]> {
  const { page, errors } = await openPage(browser, from.url, trust)
  afterThisTest(() => page.context().close())
  const result = await page.evaluate(([c, e]) => globalThis.zmqSockets[c](e), [call, endpoint] as const)
  expect(errors).toEqual([])
  return result
}

describe("the page against zmq-ts on Node, ws://", () => {
  it("REQ/REP, with a 70 000-byte frame each way", async () => {
    expect(await run("reqRep", await nodeReply("ws://127.0.0.1:*/zmq"))).toEqual(["node:hello", "70005"])
  })

  it("PUB/SUB: the page's subscription reaches the Node PUB, which filters", async () => {
    expect(await run("pubSub", await nodePublisher("ws://127.0.0.1:*/"))).toEqual(["topic", "topic", "topic"])
  })

  it("DEALER/ROUTER", async () => {
    expect(await run("dealerRouter", await nodeRouter("ws://127.0.0.1:*/"))).toEqual(["node", "hi", "there"])
  })

  it("a message over the page's maxMessageSize drops the connection with a disconnect event, none delivered", async () => {
    const endpoint = await nodePublisher("ws://127.0.0.1:*/", {}, Buffer.alloc(4096, 1))
    const seen = await run("tooLarge", endpoint)
    expect(seen.slice(0, 3)).toEqual(["connect", "handshake", "disconnect"])
    expect(seen.at(-1)).toBe("received 0")
  })
})

describe("the page against libzmq 4.3.4 (pyzmq), ws:// (bare ZWS2.0: NULL only)", () => {
  it("REQ/REP, with a 70 000-byte frame each way", async () => {
    expect(await run("reqRep", await pyzmqServer("bind-rep", "ws://127.0.0.1:*/zmq"))).toEqual(["py:hello", "70003"])
  })

  it("PUB/SUB: the subscription travels as a data frame and libzmq filters", async () => {
    expect(await run("pubSub", await pyzmqServer("bind-pub", "ws://127.0.0.1:*/"))).toEqual(["topic", "topic", "topic"])
  })

  it("DEALER/ROUTER", async () => {
    expect(await run("dealerRouter", await pyzmqServer("bind-router", "ws://127.0.0.1:*/"))).toEqual(["py", "hi", "there"])
  })

  it("a libzmq message over the page's maxMessageSize: disconnect event, none delivered", async () => {
    const seen = await run("tooLarge", await pyzmqServer("bind-big", "ws://127.0.0.1:*/"))
    expect(seen.slice(0, 3)).toEqual(["connect", "handshake", "disconnect"])
    expect(seen.at(-1)).toBe("received 0")
  })
})

describe("the page against zmq-ts on Node, wss:// (a self-signed certificate made by the test)", () => {
  // libzmq has no wss here: Debian's 4.3.4 is built without it (zmq.has("WSS") is false) and zeromq 6.8's
  // 4.3.5 answers EPROTONOSUPPORT, so wss is between the page and zmq-ts only.
  const { key, cert } = selfSignedCertificate()
  const tls = { wssKeyPem: key, wssCertPem: cert }
  const trusted = { ignoreHTTPSErrors: true }

  it("REQ/REP, with a 70 000-byte frame each way", async () => {
    expect(await run("reqRep", await nodeReply("wss://127.0.0.1:*/zmq", tls), trusted)).toEqual(["node:hello", "70005"])
  })

  it("PUB/SUB", async () => {
    expect(await run("pubSub", await nodePublisher("wss://127.0.0.1:*/", tls), trusted)).toEqual(["topic", "topic", "topic"])
  })

  it("DEALER/ROUTER", async () => {
    expect(await run("dealerRouter", await nodeRouter("wss://127.0.0.1:*/", tls), trusted)).toEqual(["node", "hi", "there"])
  })

  it("a certificate the browser does not trust: no handshake, the page retries; trusted, it completes", async () => {
    const endpoint = await nodeRouter("wss://127.0.0.1:*/", tls)
    const events = async (options: { ignoreHTTPSErrors?: boolean }): Promise<string[]> => {
      const { page } = await openPage(browser, served.url, options)
      afterThisTest(() => page.context().close())
      return page.evaluate((e) => globalThis.zmqSockets.connectEvents(e, 1500), endpoint)
    }
    const untrusted = await events({})
    expect(untrusted).not.toContain("handshake")
    expect(untrusted).toContain("connect:retry")
    expect(await events(trusted)).toContain("handshake")
  })
})

describe("the same page built by Vite", () => {
  it("REQ/REP against zmq-ts on Node, PUB/SUB against libzmq 4.3.4", async () => {
    expect(await run("reqRep", await nodeReply("ws://127.0.0.1:*/zmq"), {}, servedByVite)).toEqual(["node:hello", "70005"])
    expect(await run("pubSub", await pyzmqServer("bind-pub", "ws://127.0.0.1:*/"), {}, servedByVite)).toEqual(["topic", "topic", "topic"])
  })
})
