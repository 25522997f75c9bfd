import { isIP } from "node:net"
import type { SocketOptionValues } from "../../common/options.js"
import { zmqError } from "../../common/errors.js"
import type { ZapConnector } from "../../engine/zap-channel.js"
import type { Transport, TransportEndpoint } from "../transport.js"
import type { StreamAddressing } from "./stream-addressing.js"
import { connectStream } from "./stream-connecter.js"
import { listenStream } from "./stream-listener.js"

/**
 * A transport of byte streams (tcp, ipc, ws): `parse` reads its endpoints, `addressing` says how to listen
 * and connect; the listener, connecter and sessions are the shared ones. One per context: its sessions reach
 * that context's ZAP handler through `zap`. `refuseConnect` throws, before anything starts, for an endpoint
 * that cannot be connected to at all.
 */
export function streamTransport<E extends TransportEndpoint>(
  parse: Transport<E>["parse"],
  addressing: StreamAddressing<E>,
  zap: ZapConnector,
  refuseConnect: (endpoint: E, options: Readonly<SocketOptionValues>) => void,
): Transport<E> {
  return {
    parse,
    bind: (host, endpoint) => listenStream(host, endpoint, addressing, zap),
    connect(host, endpoint, routingId) {
      refuseConnect(endpoint, host.options)
      return connectStream(host, endpoint, routingId, addressing, zap)
    },
  }
}

/** tcp and ws: an IPv6 address is connected to only with the `ipv6` option (EINVAL, as libzmq). */
export function refuseIpv6WithoutOption(endpoint: TransportEndpoint & { readonly host: string }, options: Readonly<SocketOptionValues>): void {
  if (isIP(endpoint.host) === 6 && !options.ipv6) {
    throw zmqError("EINVAL", `connecting to IPv6 address ${endpoint.host} needs the ipv6 option`, endpoint.address)
  }
}
