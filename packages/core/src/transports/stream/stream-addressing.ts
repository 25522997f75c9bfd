import type { NetConnectOpts, Server, Socket as NetSocket } from "node:net"
import type { ZwsFraming } from "@zmq-ts/zmtp"
import type { SocketOptionValues } from "../../common/options.js"
import type { TransportEndpoint } from "../transport.js"

/**
 * What differs between the transports that are byte streams Node gives us as `net.Socket`s (tcp, ipc): how
 * an endpoint is listened on and connected to. The listener, the connecter and the ZMTP session behind them
 * are shared (stream-listener.ts, stream-connecter.ts).
 */
export interface StreamAddressing<E extends TransportEndpoint> {
  /** Listens on `server` at `endpoint`; resolves with the endpoint as bound (wildcards resolved). */
  listen(server: Server, endpoint: E, options: Readonly<SocketOptionValues>): Promise<string>
  /** What to pass to `net.connect` for one connection attempt. */
  connectOptions(endpoint: E, options: Readonly<SocketOptionValues>): NetConnectOpts
  /** Opens one connection attempt's stream from `connectOptions` (default `net.connect`; wss: `tls.connect`). */
  open?(connectOptions: NetConnectOpts, endpoint: E, options: Readonly<SocketOptionValues>): NetSocket
  /** How an accepted connection's peer is named in events and errors. */
  peerAddress(socket: NetSocket, boundEndpoint: string): string
  /**
   * The peer's address without port, as libzmq's engine gives it to the ZAP handler and as the
   * "Peer-Address" message property (stream_engine_base.cpp's get_peer_address).
   */
  peerHost(socket: NetSocket): string
  /**
   * A client handshake below ZMTP, before the session gets the stream (ws: the HTTP/1.1 upgrade, RFC 6455
   * §4). Resolves with the ZWS framing the engine must speak; rejects when the server refused (the stream is
   * then destroyed and the connecter retries). ws's server side has its own listener (ws/ws-listener.ts).
   */
  upgrade?(socket: NetSocket, endpoint: E, options: Readonly<SocketOptionValues>): Promise<ZwsFraming>
  /** The listener at `boundEndpoint` has closed (ipc removes the directory it made for `ipc://*`). */
  released?(boundEndpoint: string): void
}

/** What a connecter needs of the addressing (ws:// has its own listener and only this). */
export type StreamConnecting<E extends TransportEndpoint> = Pick<StreamAddressing<E>, "connectOptions" | "open" | "peerHost" | "upgrade">
