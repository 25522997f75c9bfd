import type { Socket as NetSocket } from "node:net"
import type { SocketOptionValues } from "../../common/options.js"

/** ZMQ_TCP_KEEPALIVE and ZMQ_TCP_KEEPALIVE_IDLE on a connected stream (-1 leaves the OS default). */
export function applyKeepalive(socket: NetSocket, options: Readonly<SocketOptionValues>): void {
  const { tcpKeepalive, tcpKeepaliveIdle } = options
  if (tcpKeepalive === 1) socket.setKeepAlive(true, tcpKeepaliveIdle > 0 ? tcpKeepaliveIdle * 1000 : 0)
  else if (tcpKeepalive === 0) socket.setKeepAlive(false)
}
