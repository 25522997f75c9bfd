/**
 * @zmq-ts/core/v5-compat — zeromq.js's v5 compatibility API (`require("zeromq/v5-compat")`) over the v6
 * sockets of @zmq-ts/core: `zmq.socket("pub")`, callbacks and `"message"` events. CURVE (curveKeypair,
 * curve_* options) is not available yet.
 */
export { Socket, createSocket, createSocket as socket } from "./v5/socket.js"
export type { Callback, CreateSocketOptions, ShortOptionProperties, SocketEventMap } from "./v5/socket.js"
export { Context } from "./v5/context.js"
export { proxy } from "./v5/proxy.js"
export { version, zmqVersion } from "./v5/version.js"
export { curveKeypair } from "./v5/curve-keypair.js"
export { events } from "./v5/monitor.js"
export type { MonitorEventArguments, MonitorEventName } from "./v5/monitor.js"
export type { OptionInput, OptionValue } from "./v5/socket-options.js"
export * from "./v5/constants.js"
export * from "./v5/option-constants.js"
export {
  types,
  ZMQ_DEALER,
  ZMQ_PAIR,
  ZMQ_PUB,
  ZMQ_PULL,
  ZMQ_PUSH,
  ZMQ_REP,
  ZMQ_REQ,
  ZMQ_ROUTER,
  ZMQ_STREAM,
  ZMQ_SUB,
  ZMQ_XPUB,
  ZMQ_XREP,
  ZMQ_XREQ,
  ZMQ_XSUB,
} from "./v5/socket-types.js"
export type { SocketType } from "./v5/socket-types.js"
