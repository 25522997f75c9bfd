import { createContext, runInContext } from "node:vm"
import { WebSocket as WsWebSocket } from "ws"

export interface SandboxOptions {
  /** PEM certificates the page's WebSocket trusts for wss:// (as a browser trusts its store). */
  readonly trust?: string
}

/**
 * A realm with a browser's globals and none of Node's (no process, Buffer, setImmediate, require): a
 * bundle that leans on Node anywhere fails here as in a page. Its WebSocket is the `ws` package's WHATWG
 * class, which accepts the bare "ZWS2.0" token as a browser's does. Chromium itself is the CI-only suite's.
 */
export function browserSandbox(options: SandboxOptions = {}): Record<string, unknown> {
  const { trust } = options
  // A browser trusts its certificate store; this page trusts `trust` (a self-signed test certificate).
  const PageWebSocket =
    trust === undefined
      ? WsWebSocket
      : class extends WsWebSocket {
          constructor(url: string, protocols?: string | string[]) {
            super(url, protocols, { ca: trust })
          }
        }
  const sandbox: Record<string, unknown> = {
    WebSocket: PageWebSocket,
    console,
    setTimeout,
    clearTimeout,
    setInterval,
    clearInterval,
    queueMicrotask,
    structuredClone,
    TextEncoder,
    TextDecoder,
    URL,
    MessageChannel,
    crypto: globalThis.crypto,
    performance,
    AbortController,
    EventTarget,
    Event,
  }
  sandbox.globalThis = sandbox
  sandbox.window = sandbox
  sandbox.self = sandbox
  return sandbox
}

/** Runs a classic-script bundle (iife) in a fresh browser sandbox; returns the sandbox, the page's globals. */
export function runInBrowserSandbox(code: string, options: SandboxOptions = {}): Record<string, unknown> {
  const context = createContext(browserSandbox(options))
  runInContext(code, context, { filename: "browser-app.js" })
  return context as Record<string, unknown>
}
