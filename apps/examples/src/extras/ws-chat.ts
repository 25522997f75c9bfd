/**
 * ws-chat — a chat room for browser tabs, on the Guide's chapter 2 pub-sub proxy ("Transport Bridging",
 * wuproxy) with WebSocket on both sides:
 *
 *   tab's PUB ──ws──▶ XSUB ws://*:8091/publish ══ Proxy ══ XPUB ws://*:8091/subscribe ◀──ws── tab's SUB
 *
 * Each tab publishes ["chat", nick, text] and subscribes to "chat", so every tab sees every line, its own
 * included. XSUB/XPUB (not SUB/PUB) let the tabs' subscriptions travel upstream, as in the Guide: a tab's
 * PUB sends nothing until some tab has subscribed. Both sockets share one port, told apart by the request
 * path (as libzmq's ws transport cannot: it ignores the path). The broker also serves the page: src/extras/ws-chat/
 * page.ts, bundled for the browser by esbuild at start, importing "@zmq-ts/core" as any web app would.
 *
 *   pnpm example ws-chat [http-port]   (default 8090: the page on http://localhost:8090/, ws on the next
 *                                       port; 0: any free ports)
 *
 * Runs until Ctrl-C, then closes its sockets and the web server and exits 0.
 */
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import { fileURLToPath } from "node:url"
import { Proxy, XPublisher, XSubscriber } from "@zmq-ts/core"
import { isInterrupted, s_catch_signals } from "@zmq-ts/zhelpers"
import { build } from "esbuild"

const httpPort = Number(process.argv[2] ?? 8090)
if (!Number.isInteger(httpPort) || httpPort < 0 || httpPort > 65533) {
  console.error("usage: pnpm example ws-chat [http-port]")
  process.exit(2)
}
const portOf = (endpoint: string): number => Number(/:(\d+)\//.exec(endpoint)![1])

//  The tabs' publishers connect here
const frontend = new XSubscriber()
await frontend.bind(`ws://*:${httpPort === 0 ? "*" : httpPort + 1}/publish`)
const wsPort = portOf(frontend.lastEndpoint!)

//  and their subscribers here, on the same port
const backend = new XPublisher()
await backend.bind(`ws://*:${wsPort}/subscribe`)

//  The page, bundled as a web app's build would bundle it: the "browser" condition picks zmq-ts's browser
//  entry (WebSocket, no node: imports); "@zmq-ts/source" runs it from the repository's sources, as the
//  other examples do.
const bundle = await build({
  entryPoints: [fileURLToPath(new URL("ws-chat/page.ts", import.meta.url))],
  bundle: true,
  platform: "browser",
  format: "esm",
  target: "es2022",
  conditions: ["@zmq-ts/source"],
  write: false,
  logLevel: "warning",
})
const script = bundle.outputFiles[0]!.text
const ports = JSON.stringify({ ws: wsPort })
const html = `<!doctype html>
<meta charset="utf-8">
<link rel="icon" href="data:,">
<title>zmq-ts ws-chat</title>
<style>
  body { font: 16px system-ui, sans-serif; max-width: 40rem; margin: 2rem auto; }
  #log { list-style: none; padding: 0; min-height: 12rem; border: 1px solid #ccc; padding: .5rem; }
  #say { display: flex; gap: .5rem; } #text { flex: 1; }
</style>
<h1>ws-chat</h1>
<p id="status">connecting…</p>
<ul id="log"></ul>
<form id="say"><input id="nick" size="10" aria-label="nick"><input id="text" autocomplete="off" aria-label="message" autofocus><button>Send</button></form>
<script type="application/json" id="ports">${ports}</script>
<script type="module" src="/app.js"></script>
`

const web = createServer((request, response) => {
  const path = (request.url ?? "/").split("?")[0]
  if (path === "/") response.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(html)
  else if (path === "/app.js") response.writeHead(200, { "content-type": "text/javascript; charset=utf-8" }).end(script)
  else response.writeHead(404).end()
})
await new Promise<void>((resolve) => web.listen(httpPort, resolve))
const url = `http://localhost:${(web.address() as AddressInfo).port}/`
console.log(`ws-chat broker: tabs publish to ${frontend.lastEndpoint}, subscribe at ${backend.lastEndpoint}`)
console.log(`Open ${url} in two browser tabs (Ctrl-C to stop)`)

//  Run the proxy until the user interrupts us
s_catch_signals()
try {
  await new Proxy(frontend, backend).run()
} catch (error) {
  if (!isInterrupted(error)) throw error
}
web.closeAllConnections()
web.close()
frontend.close()
backend.close()
