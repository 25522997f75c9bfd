/**
 * The harness itself: Chromium launches from /usr/bin/chromium, a bundled page loads from our http server,
 * the page's own WebSocket completes bare ZWS2.0 with libzmq 4.3.4 (pyzmq), and a self-signed certificate
 * is refused unless the browser context is told to accept it (which is how the wss tests trust theirs).
 */
import { createHash } from "node:crypto"
import { createServer as createHttpsServer } from "node:https"
import type { AddressInfo, Socket } from "node:net"
import { fileURLToPath } from "node:url"
import type { Browser } from "playwright-core"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { selfSignedCertificate } from "../src/certificate.js"
import { launchChromium, openPage } from "../src/chromium.js"
import { afterThisTest, track } from "../src/cleanup.js"
import { bundlePage, servePage, type ServedPage } from "../src/page-server.js"
import { nodeReply } from "../src/node-servers.js"
import { pyzmqServer } from "../src/pyzmq-peer.js"
import type { RawZwsResult } from "../pages/raw-zws.js"

let browser: Browser
let served: ServedPage

beforeAll(async () => {
  browser = await launchChromium()
  const bundle = await bundlePage(fileURLToPath(new URL("../pages/raw-zws.ts", import.meta.url)))
  served = await servePage(bundle.code)
})

afterAll(async () => {
  await served?.close()
  await browser?.close()
})

const exchange = async (url: string, messages: number[][], count: number, ignoreHTTPSErrors = false): Promise<RawZwsResult> => {
  const { page, errors } = await openPage(browser, served.url, { ignoreHTTPSErrors })
  afterThisTest(() => page.context().close())
  const result = await page.evaluate(([u, m, c]) => globalThis.rawZws.exchange(u, m, c), [url, messages, count] as const)
  expect(errors.filter((e) => !e.includes("WebSocket"))).toEqual([])
  return result
}

const bytes = (text: string): number[] => [...Buffer.from(text)]

describe("harness", () => {
  it("Chromium runs a page bundled by esbuild and served from 127.0.0.1", async () => {
    const { page } = await openPage(browser, served.url)
    afterThisTest(() => page.context().close())
    expect(await page.evaluate(() => typeof globalThis.rawZws.exchange)).toBe("function")
    expect(await page.evaluate(() => navigator.userAgent)).toMatch(/HeadlessChrome\/\d+/)
  })

  it("the page's WebSocket speaks bare ZWS2.0 with libzmq 4.3.4's REP", async () => {
    const endpoint = await pyzmqServer("bind-rep", "ws://127.0.0.1:*/zmq")
    // Bare ZWS2.0: the routing id first (empty here), then a REQ message: empty delimiter (MORE), body.
    const result = await exchange(endpoint, [[0x00], [0x01], [0x00, ...bytes("hello")]], 3)
    expect(result.outcome).toBe("ZWS2.0")
    // libzmq's routing id (empty), then the reply with its delimiter.
    expect(result.messages).toEqual([[0x00], [0x01], [0x00, ...bytes("py:hello")]])
  })

  it("the page's WebSocket speaks bare ZWS2.0 with zmq-ts's REP on Node", async () => {
    const endpoint = await nodeReply("ws://127.0.0.1:*/zmq")
    const result = await exchange(endpoint, [[0x00], [0x01], [0x00, ...bytes("hello")]], 3)
    expect(result.outcome).toBe("ZWS2.0")
    expect(result.messages).toEqual([[0x00], [0x01], [0x00, ...bytes("node:hello")]])
  })

  it("wss with a self-signed certificate: refused by default, accepted with ignoreHTTPSErrors", async () => {
    const { key, cert } = selfSignedCertificate()
    // A minimal RFC 6455 server over TLS that sends one ZWS message after the upgrade.
    const server = createHttpsServer({ key, cert })
    server.on("upgrade", (request, socket: Socket) => {
      const accept = createHash("sha1").update(`${request.headers["sec-websocket-key"]}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest("base64")
      socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\nSec-WebSocket-Protocol: ZWS2.0\r\n\r\n`)
      socket.write(Buffer.from([0x82, 0x03, 0x00, 0x68, 0x69]))
    })
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
    track({ close: () => (server.closeAllConnections(), server.close()) })
    const url = `wss://127.0.0.1:${(server.address() as AddressInfo).port}/`
    expect((await exchange(url, [], 1)).outcome).toBe("error 1006")
    const trusted = await exchange(url, [], 1, true)
    expect(trusted).toEqual({ outcome: "ZWS2.0", messages: [[0x00, 0x68, 0x69]] })
  })
})
