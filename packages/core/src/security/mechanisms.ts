import { nullMechanism, plainClient, plainServer, type Mechanism } from "@zmq-ts/zmtp"
import type { SocketOptionValues } from "../common/options.js"

/**
 * The security mechanism (RFC 23 §Security) a socket's options ask for, made fresh for each connection:
 * PLAIN server when `plainServer` is set (ZMQ_PLAIN_SERVER), else PLAIN client when a username or password
 * is (ZMQ_PLAIN_USERNAME/PASSWORD), else NULL.
 */
export function mechanismFor(options: Readonly<SocketOptionValues>): Mechanism {
  if (options.plainServer) return plainServer()
  if (options.plainUsername !== null || options.plainPassword !== null) {
    return plainClient({ username: options.plainUsername ?? "", password: options.plainPassword ?? "" })
  }
  return nullMechanism()
}
