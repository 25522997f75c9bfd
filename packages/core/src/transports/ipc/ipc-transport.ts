import { existsSync, lstatSync, unlinkSync } from "node:fs"
import { platform } from "node:process"
import { zmqError } from "../../common/errors.js"
import { connectStream } from "../stream/stream-connecter.js"
import type { StreamAddressing } from "../stream/stream-addressing.js"
import { listenOn, listenStream } from "../stream/stream-listener.js"
import type { Transport } from "../transport.js"

/** `ipc://path` or, on Linux, `ipc://@name` in the abstract namespace (the path then starts with NUL). */
export interface IpcEndpoint {
  readonly address: string
  readonly path: string
  readonly abstract: boolean
}

function parseIpcEndpoint(address: string, rest: string): IpcEndpoint {
  if (rest.length === 0) throw zmqError("EINVAL", "ipc endpoint needs a path", address)
  if (rest === "*") throw zmqError("ENOTSUP", "ipc://* (a random path) is not supported; name the path", address)
  const abstract = rest.startsWith("@")
  if (abstract && platform !== "linux") {
    throw zmqError("ENOTSUP", "abstract ipc names (ipc://@name) exist only on Linux", address)
  }
  return { address, path: abstract ? `\0${rest.slice(1)}` : rest, abstract }
}

const addressing: StreamAddressing<IpcEndpoint> = {
  async listen(server, endpoint, options) {
    // libzmq replaces a stale socket file on bind; we do too, but never a file that is not a socket.
    if (!endpoint.abstract && existsSync(endpoint.path)) {
      if (!lstatSync(endpoint.path).isSocket()) {
        throw zmqError("EADDRINUSE", `${endpoint.path} exists and is not a socket`, endpoint.address)
      }
      unlinkSync(endpoint.path)
    }
    await listenOn(server, { path: endpoint.path, backlog: options.backlog }, endpoint.address)
    return endpoint.address
  },
  connectOptions: (endpoint) => ({ path: endpoint.path }),
  // A unix-domain peer has no address of its own: events name the bound endpoint.
  peerAddress: (_socket, boundEndpoint) => boundEndpoint,
}

/** `ipc://`: unix-domain sockets (paths, relative paths, Linux abstract names); stale socket files replaced. */
export const ipc: Transport<IpcEndpoint> = {
  parse: parseIpcEndpoint,
  bind: (host, endpoint) => listenStream(host, endpoint, addressing),
  connect: (host, endpoint, routingId) => connectStream(host, endpoint, routingId, addressing),
}
