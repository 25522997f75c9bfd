import type { Buffer } from "#platform/buffer"
import type { Socket } from "./socket.js"

/**
 * v5's `zmq.proxy(frontend, backend, capture?)`, as zeromq.js's compatibility layer does it: messages are
 * forwarded between the two sockets' `"message"` events and `send()`, in both directions. The capture
 * socket gets what comes back from the back end (for ROUTER/DEALER without the two envelope frames,
 * routing id and delimiter). For zmq_proxy's full behaviour use the v6 `Proxy` on v6 sockets.
 */
export function proxy(frontend: Socket, backend: Socket, capture?: Socket): void {
  const forward = (to: Socket) => (...frames: Buffer[]) => void to.send(frames)
  switch (`${frontend.type}/${backend.type}`) {
    case "push/pull":
    case "pull/push":
    case "xpub/xsub":
      frontend.on("message", forward(backend))
      backend.on("message", (...frames: Buffer[]) => {
        frontend.send(frames)
        capture?.send(frames)
      })
      return
    case "router/dealer":
    case "xrep/xreq":
      frontend.on("message", forward(backend))
      backend.on("message", (...frames: Buffer[]) => {
        frontend.send(frames)
        capture?.send(frames.slice(2))
      })
      return
    default:
      throw new Error("This socket type order is not supported in compatibility mode")
  }
}
