import { existsSync, lstatSync, mkdtempSync, rmSync, unlinkSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { platform } from "node:process"
import { zmqError } from "../../common/errors.js"
import type { StreamAddressing } from "../stream/stream-addressing.js"
import { listenOn } from "../stream/stream-listener.js"
import { streamTransport } from "../stream/stream-transport.js"
import type { Transport } from "../transport.js"
import type { ZapConnector } from "../../engine/zap-channel.js"

/**
 * `ipc://path`; `ipc://*` for a path of its own in a fresh temporary directory (libzmq's ipc wildcard); on
 * Linux `ipc://@name` in the abstract namespace (the path then starts with NUL).
 */
export interface IpcEndpoint {
  readonly address: string
  readonly path: string
  readonly abstract: boolean
}

function parseIpcEndpoint(address: string, rest: string): IpcEndpoint {
  if (rest.length === 0) throw zmqError("EINVAL", "ipc endpoint needs a path", address)
  const abstract = rest.startsWith("@")
  if (abstract && platform !== "linux") {
    throw zmqError("ENOTSUP", "abstract ipc names (ipc://@name) exist only on Linux", address)
  }
  return { address, path: abstract ? `\0${rest.slice(1)}` : rest, abstract }
}

/** Endpoints bound as `ipc://*`, whose directory goes when their listener closes (as libzmq's). */
const wildcardEndpoints = new Set<string>()

/** ipc_listener.cpp's wildcard: a `socket` in a new temporary directory, reported as ZMQ_LAST_ENDPOINT. */
function wildcardEndpoint(): IpcEndpoint {
  const path = join(mkdtempSync(join(tmpdir(), "zmq-")), "socket")
  const address = `ipc://${path}`
  wildcardEndpoints.add(address)
  return { address, path, abstract: false }
}

const addressing: StreamAddressing<IpcEndpoint> = {
  async listen(server, given, options) {
    const endpoint = given.path === "*" ? wildcardEndpoint() : given
    // libzmq replaces a stale socket file on bind; we do too, but never a file that is not a socket.
    if (!endpoint.abstract && existsSync(endpoint.path)) {
      if (!lstatSync(endpoint.path).isSocket()) {
        throw zmqError("EADDRINUSE", `${endpoint.path} exists and is not a socket`, endpoint.address)
      }
      unlinkSync(endpoint.path)
    }
    try {
      await listenOn(server, { path: endpoint.path, backlog: options.backlog }, endpoint.address)
    } catch (error) {
      this.released?.(endpoint.address)
      throw error
    }
    return endpoint.address
  },
  connectOptions: (endpoint) => ({ path: endpoint.path }),
  // A unix-domain peer has no address of its own: events name the bound endpoint.
  peerAddress: (_socket, boundEndpoint) => boundEndpoint,
  // libzmq gives getnameinfo's name for a Unix socket, "localhost", then ":uid:gid:pid" from SO_PEERCRED
  // (Linux) or LOCAL_PEERCRED (BSD); Node.js cannot read the peer's credentials, so "localhost" alone.
  peerHost: () => "localhost",
  released(boundEndpoint) {
    if (!wildcardEndpoints.delete(boundEndpoint)) return
    rmSync(dirname(boundEndpoint.slice("ipc://".length)), { recursive: true, force: true })
  },
}

/**
 * `ipc://`: unix-domain sockets (paths, relative paths, Linux abstract names); stale socket files replaced.
 * One per context: its sessions reach that context's ZAP handler through `zap`.
 */
export function ipcTransport(zap: ZapConnector): Transport<IpcEndpoint> {
  return streamTransport(parseIpcEndpoint, addressing, zap, (endpoint) => {
    if (endpoint.path === "*") throw zmqError("EINVAL", "ipc://* names no path to connect to; bind to it and connect to lastEndpoint", endpoint.address)
  })
}
