import { zmqError } from "../../common/errors.js"
import type { SocketHost } from "../../pipes/socket-host.js"

/**
 * A socket of raw wire (STREAM) on ws:// or wss://: ENOCOMPATPROTO at bind and connect. libzmq takes the
 * endpoint but its ws engine speaks ZWS with the STREAM type, which no peer type accepts (mechanism.cpp's
 * check_socket_type), so no connection ever completes; raw bytes inside WebSocket messages are no protocol
 * anyone speaks. Refusing up front says so instead of a socket that waits forever.
 */
export function refuseStreamOverWs(host: SocketHost, address: string): void {
  if (host.wire === "raw") {
    throw zmqError("ENOCOMPATPROTO", `${host.type} sockets carry raw tcp or ipc bytes, not ZWS: ws:// and wss:// are not available to them`, address)
  }
}
