import type { ZapConnector } from "../engine/zap-channel.js"
import { InprocTransport } from "./inproc/inproc-transport.js"
import { ipcTransport } from "./ipc/ipc-transport.js"
import { tcpTransport } from "./tcp/tcp-transport.js"
import type { Transport } from "./transport.js"
import { udpTransport } from "./udp/udp-transport.js"
import { wssTransport, wsTransport } from "./ws/ws-transport.js"

// The transports of a Node build (and Bun's, Deno's); a browser build takes schemes.browser.ts instead,
// through the `browser` condition of the package's "#transports/schemes" import (decision 0014).

/**
 * What a context gives the transports it makes (the Context itself): its inproc transport, which holds the
 * context's names. The stream transports' sessions find the context's ZAP handler (RFC 27) there, bound at
 * inproc://zeromq.zap.01, so nothing below reaches up for the context.
 */
export interface TransportContext {
  transport(scheme: "inproc"): InprocTransport
}

/**
 * Every transport zmq-ts has, by endpoint scheme. A Context makes its own instance of each on first use
 * (`Context.transport`): inproc keeps the context's names in its instance; tcp and ipc keep only the way to
 * the context's ZAP handler. A new transport is a folder under transports/ and a line here.
 */
export const TRANSPORTS = {
  tcp: (context: TransportContext) => tcpTransport(zapConnector(context)),
  ipc: (context: TransportContext) => ipcTransport(zapConnector(context)),
  inproc: () => new InprocTransport(),
  udp: () => udpTransport(),
  ws: (context: TransportContext) => wsTransport(zapConnector(context)),
  wss: (context: TransportContext) => wssTransport(zapConnector(context)),
} satisfies Record<string, (context: TransportContext) => Transport>

/** Opens a pipe to the ZAP handler bound in the context at the time of each request (libzmq's zap_connect). */
function zapConnector(context: TransportContext): ZapConnector {
  return (listener) => context.transport("inproc").connectZap(listener)
}

/** Why a scheme libzmq knows has no transport here, for EPROTONOSUPPORT. */
export const UNSUPPORTED = "is not supported by zmq-ts"
