import { Buffer } from "#platform/buffer"
import { ZAP_ENDPOINT, ZAP_HANDLER_TYPES, type ZapChannel, type ZapChannelListener } from "../../engine/zap-channel.js"
import { PipeEnd, type PipeListener } from "../../pipes/pipe.js"
import type { SocketHost } from "../../pipes/socket-host.js"

/**
 * libzmq's session_base zap_connect: a pipe from a session to the socket bound at inproc://zeromq.zap.01,
 * made the way an inproc connect makes one, with no high-water mark either way. The handler sees a new
 * peer (a ROUTER gives it a generated routing id, as libzmq's empty routing id message makes it do), and
 * that peer goes when the request is answered or the connection ends. Undefined when `handler` cannot be
 * one: not bound, closed, or not a REP, ROUTER or SERVER (libzmq asserts; we refuse it as if unbound).
 */
export function openZapChannel(handler: SocketHost | undefined, listener: ZapChannelListener): ZapChannel | undefined {
  if (handler === undefined || handler.closed || !ZAP_HANDLER_TYPES.has(handler.type)) return undefined
  const ours: PipeListener = {
    pipeReadable(end) {
      for (let message = end.read(); message !== undefined; message = end.read()) listener.reply(message)
    },
    pipeWritable() {},
    pipeTerminated(end) {
      // A reply written just before the handler closed still counts.
      this.pipeReadable(end)
      listener.closed()
    },
  }
  const [sessionEnd, handlerEnd] = PipeEnd.create(ours, handler.listener, { aToB: 0, bToA: 0 }, ZAP_ENDPOINT)
  // The ZAP client speaks as a REQ does: an empty delimiter, the request, one reply.
  handlerEnd.peer = { socketType: "REQ", routingId: Buffer.alloc(0), properties: new Map() }
  handler.attachPipe(handlerEnd)
  return {
    send: (message) => sessionEnd.write(message),
    close: () => sessionEnd.close(),
  }
}
