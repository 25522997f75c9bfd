import { zmqError } from "../../common/errors.js"

/** A `ws://` or `wss://` endpoint for the platform's WebSocket: the URL it opens. */
export interface WebSocketEndpoint {
  readonly address: string
  readonly url: string
  /** The host without port, as events and the "Peer-Address" property name the peer. */
  readonly host: string
}

/**
 * Reads `ws://host:port[/path]` or `wss://…` for a connect. A bind is ENOTSUP: a page cannot listen for
 * connections (no web API accepts them); the other end binds, on Node or libzmq.
 */
export function parseWebSocketEndpoint(address: string, role: "bind" | "connect"): WebSocketEndpoint {
  if (role === "bind") throw bindRefusal(address)
  let url: URL
  try {
    url = new URL(address)
  } catch {
    throw zmqError("EINVAL", `invalid endpoint ${JSON.stringify(address)}: expected ws://host:port/path`, address)
  }
  if ((url.protocol !== "ws:" && url.protocol !== "wss:") || url.hostname === "") {
    throw zmqError("EINVAL", `invalid endpoint ${JSON.stringify(address)}: expected ws://host:port/path`, address)
  }
  if (url.port === "" && !/:\d+(\/|$)/.test(address.slice(url.protocol.length + 2))) {
    // libzmq's tcp address needs a port; a URL without one would mean 80/443, which libzmq never does.
    throw zmqError("EINVAL", `invalid endpoint ${JSON.stringify(address)}: the port is missing`, address)
  }
  if (url.hash !== "") throw zmqError("EINVAL", `invalid endpoint ${JSON.stringify(address)}: a fragment has no meaning in a WebSocket URL`, address)
  return { address, url: url.href, host: url.hostname.replace(/^\[(.*)\]$/, "$1") }
}

/** ENOTSUP for a bind: no web API accepts connections. */
export function bindRefusal(address: string): Error {
  return zmqError("ENOTSUP", `cannot bind ${address}: a browser can only connect (WebSocket has no server side); bind on Node or libzmq`, address)
}
