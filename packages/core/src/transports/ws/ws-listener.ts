import type { Server, Socket as NetSocket } from "node:net"
import { zmqError } from "../../common/errors.js"
import type { ZapConnector } from "../../engine/zap-channel.js"
import type { SocketOptionValues } from "../../common/options.js"
import type { SocketHost } from "../../pipes/socket-host.js"
import { applyKeepalive } from "../stream/keepalive.js"
import { listenHostFor } from "../stream/listen-host.js"
import { listenOn, reportBindFailure, StreamAcceptor } from "../stream/stream-listener.js"
import type { TransportBinding } from "../transport.js"
import { formatWsEndpoint, type WsEndpoint } from "./ws-endpoint.js"
import { acceptWsUpgrade } from "./ws-upgrade.js"

/** How a port's server is made: plain tcp for ws://, node:tls for wss:// (ws-secure.ts). */
export interface WsServerKind {
  readonly scheme: "ws" | "wss"
  /** Throws (EINVAL) when a socket's options cannot bind this kind at all (wss without a certificate). */
  check(options: Readonly<SocketOptionValues>, address: string): void
  /** A server for a new port, set up from the options of the socket that opens it. */
  create(options: Readonly<SocketOptionValues>, address: string): Server
  /** The event that hands over a stream ready for the HTTP upgrade ("connection"; after TLS, "secureConnection"). */
  readonly streamEvent: string
  /** The event of a stream that failed before that (TLS: "tlsClientError", with the error first). */
  readonly failureEvent?: string
}

/** One path bound on a port: a socket's endpoint and the sessions of the peers that asked for that path. */
interface WsRoute {
  readonly host: SocketHost
  readonly boundEndpoint: string
  readonly acceptor: StreamAcceptor
}

/** A listening host:port shared by every socket of this thread bound on it under its own path. */
interface WsPort {
  readonly server: Server
  readonly routes: Map<string, WsRoute>
  /** Accepted streams still in their upgrade, destroyed when the port closes. */
  readonly upgrading: Set<NetSocket>
}

/** Ports by "scheme host port" (the host as listened on); one thread's sockets of every context share them. */
const ports = new Map<string, WsPort>()
/** Listens in progress for an explicit port, so that a second bind on it waits and joins. */
const opening = new Map<string, Promise<unknown>>()

const portKey = (scheme: string, host: string, port: number): string => `${scheme} ${host} ${port}`

/**
 * `ws://host:port/path` bound (and wss:// alike): several sockets, of one context or several, bind one
 * host:port under different paths and share its listener; an upgrade goes to the socket bound at its
 * request path, or to the one bound at "/" (which therefore takes any path, as libzmq's server does), else
 * it is refused with 404 (docs/decisions/0013). The same path twice is EADDRINUSE; the last unbind closes
 * the port.
 */
export async function listenWs(host: SocketHost, endpoint: WsEndpoint, zap: ZapConnector, kind: WsServerKind): Promise<TransportBinding> {
  let port: WsPort
  let boundEndpoint: string
  try {
    kind.check(host.options, endpoint.address)
    const listenHost = listenHostFor(endpoint.host, host.options.ipv6, endpoint.address)
    if (endpoint.port === "*") {
      const server = kind.create(host.options, endpoint.address)
      await listenOn(server, { host: listenHost, port: 0, backlog: host.options.backlog, ipv6Only: false }, endpoint.address)
      port = openPort(kind, server, portKey(kind.scheme, listenHost, boundPort(server)))
    } else {
      const key = portKey(kind.scheme, listenHost, endpoint.port)
      // Looked up without a pause when nothing is opening: two binds in one turn must not both listen.
      const existing = opening.has(key) ? await joinable(key) : ports.get(key)
      if (existing !== undefined) {
        port = existing
      } else {
        const server = kind.create(host.options, endpoint.address)
        const listening = listenOn(server, { host: listenHost, port: endpoint.port, backlog: host.options.backlog, ipv6Only: false }, endpoint.address)
        opening.set(key, listening)
        try {
          await listening
        } finally {
          opening.delete(key)
        }
        port = openPort(kind, server, key)
      }
    }
    const address = port.server.address()
    if (address === null || typeof address === "string") throw zmqError("EINVAL", "ws server has no address", endpoint.address)
    boundEndpoint = formatWsEndpoint(address.address, address.port, endpoint.path, kind.scheme)
    if (port.routes.has(endpoint.path)) {
      throw zmqError("EADDRINUSE", `${boundEndpoint} is already bound`, endpoint.address)
    }
  } catch (error) {
    reportBindFailure(host, endpoint.address, error)
    throw error
  }
  const route: WsRoute = { host, boundEndpoint, acceptor: new StreamAcceptor(host, boundEndpoint, zap) }
  port.routes.set(endpoint.path, route)
  host.emit({ type: "bind", address: boundEndpoint })

  return {
    endpoint: boundEndpoint,
    close: async () => {
      if (port.routes.get(endpoint.path) !== route) return
      port.routes.delete(endpoint.path)
      route.acceptor.stop()
      if (port.routes.size > 0) {
        host.emit({ type: "close", address: boundEndpoint })
        return
      }
      for (const [key, value] of ports) if (value === port) ports.delete(key)
      for (const socket of port.upgrading) socket.destroy()
      port.upgrading.clear()
      // As listenStream: the close is reported at once; the callback waits for accepted connections to end.
      const closed = new Promise<void>((resolve) => port.server.close(() => resolve()))
      host.emit({ type: "close", address: boundEndpoint })
      await closed
    },
  }
}

/** The open port at `key`, waiting for a listen on it in progress; undefined when there is none. */
async function joinable(key: string): Promise<WsPort | undefined> {
  for (;;) {
    const open = ports.get(key)
    if (open !== undefined) return open
    const pending = opening.get(key)
    if (pending === undefined) return undefined
    await pending.catch(() => undefined)
  }
}

function boundPort(server: Server): number {
  const address = server.address()
  return address !== null && typeof address !== "string" ? address.port : 0
}

function openPort(kind: WsServerKind, server: Server, key: string): WsPort {
  const port: WsPort = { server, routes: new Map(), upgrading: new Set() }
  ports.set(key, port)
  // An idle bound socket does not keep the thread alive (zeromq.js); operations in progress do.
  server.unref()
  /** Who hears of a stream refused before its path is known: the socket bound first that is still bound. */
  const firstRoute = (): WsRoute | undefined => port.routes.values().next().value
  server.on(kind.streamEvent, (socket: NetSocket) => {
    const owner = firstRoute()
    if (owner === undefined) {
      socket.destroy()
      return
    }
    socket.unref()
    port.upgrading.add(socket)
    // The head is read under the first socket's handshakeInterval: the path that names the socket is in it.
    void acceptWsUpgrade(socket, owner.host.options.handshakeInterval, owner.boundEndpoint, (path) => port.routes.get(path) ?? port.routes.get("/"), (route) => route.host.options).then(
      (outcome) => {
        port.upgrading.delete(socket)
        const route = outcome.route ?? firstRoute()
        if (route === undefined || route.host.closed) {
          socket.destroy()
          return
        }
        route.host.emit({ type: "accept", address: route.boundEndpoint })
        if (!outcome.ok) {
          // A refusal was ended with its 400/404 answer: let it reach the peer, then make sure it is gone.
          if (socket.writableEnded) setTimeout(() => socket.destroy(), 1000).unref()
          else socket.destroy()
          route.acceptor.refused(outcome.error)
          return
        }
        applyKeepalive(socket, route.host.options)
        const peerAddress = socket.remoteAddress !== undefined && socket.remotePort !== undefined ? formatWsEndpoint(socket.remoteAddress, socket.remotePort, "") : route.boundEndpoint
        route.acceptor.start(socket, peerAddress, socket.remoteAddress ?? "", outcome.zws)
      },
    )
  })
  if (kind.failureEvent !== undefined) {
    // A TLS handshake that failed (a bad certificate, not TLS at all): no path is known yet.
    server.on(kind.failureEvent, (error: Error) => {
      const owner = firstRoute()
      if (owner === undefined || owner.host.closed) return
      owner.host.emit({ type: "accept", address: owner.boundEndpoint })
      owner.acceptor.refused(zmqError("EPROTO", `TLS handshake failed: ${error.message}`, owner.boundEndpoint))
    })
  }
  server.on("error", (error) => {
    for (const route of port.routes.values()) route.host.emit({ type: "accept:error", address: route.boundEndpoint, error })
  })
  return port
}
