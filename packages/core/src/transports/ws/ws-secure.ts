import type { NetConnectOpts, Socket as NetSocket } from "node:net"
import { isIP } from "node:net"
import { checkServerIdentity, connect as tlsConnect, createServer as createTlsServer, rootCertificates } from "node:tls"
import { zmqError } from "../../common/errors.js"
import type { SocketOptionValues } from "../../common/options.js"
import type { WsEndpoint } from "./ws-endpoint.js"
import type { WsServerKind } from "./ws-listener.js"

/**
 * wss:// over node:tls with libzmq's draft options (ws_listener.cpp, wss_engine.cpp): a server needs
 * ZMQ_WSS_CERT_PEM and ZMQ_WSS_KEY_PEM; a client trusts ZMQ_WSS_TRUST_PEM and, with ZMQ_WSS_TRUST_SYSTEM, the
 * system's CAs — nothing else, as gnutls there: with neither, every server is refused.
 */
export const secureServer: WsServerKind = {
  scheme: "wss",
  check(options, address) {
    if (options.wssCertPem === null || options.wssKeyPem === null) {
      throw zmqError("EINVAL", "a wss:// bind needs the wssCertPem and wssKeyPem options", address)
    }
  },
  // A port's certificate is that of the socket that opened it; later binds on it share its TLS server.
  create(options, address) {
    try {
      return createTlsServer({
        cert: options.wssCertPem!,
        key: options.wssKeyPem!,
        noDelay: true,
        // The TLS handshake counts toward handshakeInterval, as the rest of the upgrade does.
        ...(options.handshakeInterval > 0 ? { handshakeTimeout: options.handshakeInterval } : {}),
      })
    } catch (error) {
      throw zmqError("EINVAL", `wssCertPem/wssKeyPem: ${error instanceof Error ? error.message : String(error)}`, address)
    }
  },
  streamEvent: "secureConnection",
  failureEvent: "tlsClientError",
}

/** The trust a wss client's options give: the PEM CAs, the system's if asked; an empty list trusts nobody. */
function trustedCas(options: Readonly<SocketOptionValues>): string[] {
  const cas = options.wssTrustPem === null ? [] : [options.wssTrustPem]
  return options.wssTrustSystem ? [...cas, ...rootCertificates] : cas
}

/**
 * One wss attempt: TLS to the server, whose certificate must chain to a trusted CA and name
 * `wssHostname` (default: the endpoint's host; libzmq then checks no name at all). The HTTP upgrade is
 * written at once; TLS sends it after its handshake.
 */
export function openSecure(connectOptions: NetConnectOpts, endpoint: WsEndpoint, options: Readonly<SocketOptionValues>): NetSocket {
  const expected = options.wssHostname ?? endpoint.host
  return tlsConnect({
    ...(connectOptions as object),
    ca: trustedCas(options),
    // RFC 6066 §3: SNI carries host names, never addresses.
    ...(isIP(expected) === 0 ? { servername: expected } : {}),
    checkServerIdentity: (_host, certificate) => checkServerIdentity(expected, certificate),
  })
}
