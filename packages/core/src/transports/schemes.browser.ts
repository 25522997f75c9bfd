import { InprocTransport } from "./inproc/inproc-transport.js"
import type { Transport } from "./transport.js"
import { webSocketTransport } from "./websocket/websocket-transport.js"

// The transports of a browser build (the `browser` condition of "#transports/schemes", decision 0014):
// what a page can have. inproc between the page's sockets; ws:// and wss:// through its WebSocket.

/** What a context gives the transports it makes (the Context itself): its inproc transport. */
export interface TransportContext {
  transport(scheme: "inproc"): InprocTransport
}

export const TRANSPORTS = {
  inproc: () => new InprocTransport(),
  ws: () => webSocketTransport(),
  wss: () => webSocketTransport(),
} satisfies Record<string, (context: TransportContext) => Transport>

/** tcp, ipc, udp… in a browser: EPROTONOSUPPORT that says why. */
export const UNSUPPORTED = "is not available in a browser (a page has no sockets but WebSocket: use ws://, wss:// or inproc://)"
