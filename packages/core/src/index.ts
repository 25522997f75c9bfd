/**
 * @zmq-ts/core — ZeroMQ sockets in pure TypeScript, with the zeromq.js v6 API.
 */
import { loadCurveModule } from "#platform/curve"
import { TRANSPORTS } from "#transports/schemes"

export { Context, context } from "./context/context.js"
export type { ContextOptions } from "./context/context.js"
export { Socket } from "./socket/socket-base.js"
export { ZmqError, ErrorCode } from "./common/errors.js"
export { Observer } from "./socket/observer.js"
export { Poller } from "./tools/poller.js"
export type { PollItem, PollEvents } from "./tools/poller.js"
export { Proxy } from "./tools/proxy.js"
export type {
  AuthError,
  EventAddress,
  EventError,
  EventInterval,
  EventSubscriber,
  ProtocolError,
  SocketEvent,
  SocketEventType,
  SocketEventOfType,
  SocketEvent as Event,
  SocketEventType as EventType,
  SocketEventOfType as EventOfType,
} from "./common/events.js"
export type { SocketOptions } from "./socket/socket-base.js"
export type { Message, MessageLike } from "./socket/message-like.js"
export type { Readable, Writable } from "./socket/readable-writable.js"
export { messageProperty } from "./engine/message-properties.js"
export { curveKeyPair } from "./security/curve-keys.js"
export type { CurveKeyPair } from "./security/curve-keys.js"
export { Push } from "./sockets/push.js"
export type { PushOptions } from "./sockets/push.js"
export { Pull } from "./sockets/pull.js"
export type { PullOptions } from "./sockets/pull.js"
export { Pair } from "./sockets/pair.js"
export type { PairOptions } from "./sockets/pair.js"
export { Dealer } from "./sockets/dealer.js"
export type { DealerOptions } from "./sockets/dealer.js"
export { Router } from "./sockets/router.js"
export type { RouterOptions, RouterConnectOptions } from "./sockets/router.js"
export { Request } from "./sockets/request.js"
export type { RequestOptions } from "./sockets/request.js"
export { Reply } from "./sockets/reply.js"
export type { ReplyOptions } from "./sockets/reply.js"
export { Publisher } from "./sockets/publisher.js"
export type { PublisherOptions } from "./sockets/publisher.js"
export { Subscriber } from "./sockets/subscriber.js"
export type { SubscriberOptions } from "./sockets/subscriber.js"
export { XPublisher } from "./sockets/xpub.js"
export type { XPublisherOptions } from "./sockets/xpub.js"
export { XSubscriber } from "./sockets/xsub.js"
export type { XSubscriberOptions } from "./sockets/xsub.js"
export { Stream } from "./sockets/stream.js"
export type { StreamOptions, StreamConnectOptions } from "./sockets/stream.js"
// libzmq 4.3.5's newer options: the values of routerNotify and reconnectStop (zmq_draft.h's names).
export {
  NOTIFY_CONNECT,
  NOTIFY_DISCONNECT,
  RECONNECT_STOP_AFTER_DISCONNECT,
  RECONNECT_STOP_CONN_REFUSED,
  RECONNECT_STOP_HANDSHAKE_FAILED,
} from "./common/options.js"
export type {
  DisconnectMessageOptionProperties,
  HelloMessageOptionProperties,
  HiccupMessageOptionProperties,
  OnlyFirstSubscribeOptionProperties,
  RouterNotifyOptionProperties,
  TopicsCountOptionProperties,
  XPublisherLastValueOptionProperties,
} from "./common/options.js"

/** The libzmq behaviour level zmq-ts matches. */
export const version = "4.3.5"

/** What this build supports, in zeromq.js's shape (a browser build: no ipc, no CURVE). */
export const capability = Object.freeze({
  ipc: Object.hasOwn(TRANSPORTS, "ipc"),
  pgm: false,
  tipc: false,
  norm: false,
  curve: loadCurveModule !== undefined,
  gssapi: false,
  draft: true,
})
