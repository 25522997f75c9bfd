import { nullMechanism, plainClient, plainServer, type Mechanism } from "@zmq-ts/zmtp"
import type { SocketOptionValues } from "../common/options.js"
import { curveLoaded, curveMechanism, loadCurve } from "./curve-mechanism.js"
import { zapNullMechanism } from "./zap-null-mechanism.js"

/**
 * The security mechanism (RFC 23 §Security) a socket's options ask for, made fresh for each connection:
 * CURVE (RFC 26) when a CURVE key or `curveServer` selected it, else PLAIN server when `plainServer` is set
 * (ZMQ_PLAIN_SERVER), else PLAIN client when a username or password is (ZMQ_PLAIN_USERNAME/PASSWORD), else NULL; NULL asks the ZAP handler first when ZMQ_ZAP_DOMAIN is set.
 * A server mechanism's `authenticate` requests go to the ZAP handler (zap-client.ts).
 */
export function mechanismFor(options: Readonly<SocketOptionValues>): Mechanism {
  if (options.curve !== null) return curveMechanism(options.curve)
  if (options.plainServer) return plainServer()
  if (options.plainUsername !== null || options.plainPassword !== null) {
    return plainClient({ username: options.plainUsername ?? "", password: options.plainPassword ?? "" })
  }
  return options.zapDomain === null ? nullMechanism() : zapNullMechanism()
}

/**
 * Undefined when `mechanismFor(options)` can be called now; else a promise that settles once it can: the
 * CURVE crypto loads on first use (security/curve-mechanism.ts).
 */
export function mechanismReady(options: Readonly<SocketOptionValues>): Promise<unknown> | undefined {
  return options.curve === null || curveLoaded() ? undefined : loadCurve()
}
