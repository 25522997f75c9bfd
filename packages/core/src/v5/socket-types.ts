import { Dealer, Pair, Publisher, Pull, Push, Reply, Request, Router, Stream, Subscriber, XPublisher, XSubscriber, type Socket as V6Socket } from "@zmq-ts/core"

/** libzmq's socket type numbers (zmq.h), as zeromq.js v5 exported them. */
export const ZMQ_PAIR = 0
export const ZMQ_PUB = 1
export const ZMQ_SUB = 2
export const ZMQ_REQ = 3
export const ZMQ_REP = 4
export const ZMQ_DEALER = 5
/** The pre-3.0 name of DEALER. */
export const ZMQ_XREQ = 5
export const ZMQ_ROUTER = 6
/** The pre-3.0 name of ROUTER. */
export const ZMQ_XREP = 6
export const ZMQ_PULL = 7
export const ZMQ_PUSH = 8
export const ZMQ_XPUB = 9
export const ZMQ_XSUB = 10
/** Raw TCP (and ipc): `socket("stream")` sends and receives [routing id, bytes]. */
export const ZMQ_STREAM = 11

/** v5's `zmq.types`: the type names `socket()` takes, with their numbers. */
export const types = Object.freeze({
  pub: ZMQ_PUB,
  xpub: ZMQ_XPUB,
  sub: ZMQ_SUB,
  xsub: ZMQ_XSUB,
  req: ZMQ_REQ,
  xreq: ZMQ_XREQ,
  rep: ZMQ_REP,
  xrep: ZMQ_XREP,
  push: ZMQ_PUSH,
  pull: ZMQ_PULL,
  dealer: ZMQ_DEALER,
  router: ZMQ_ROUTER,
  pair: ZMQ_PAIR,
  stream: ZMQ_STREAM,
})

/** The socket type names of the compatibility layer. */
export type SocketType = keyof typeof types

/** Whether the socket type can receive at all (PUSH and PUB cannot), so whether a receive loop is worth running. */
export function receives(type: SocketType): boolean {
  return type !== "push" && type !== "pub"
}

/** Whether the socket type can send at all (PULL and SUB cannot). */
export function sends(type: SocketType): boolean {
  return type !== "pull" && type !== "sub"
}

/** Makes the v6 socket behind a compat socket of `type`, in the default context as v5 did. */
export function makeSocket(type: SocketType): V6Socket {
  switch (type) {
    case "pair":
      return new Pair()
    case "req":
      return new Request()
    case "rep":
      return new Reply()
    case "pub":
      return new Publisher()
    case "sub":
      return new Subscriber()
    case "dealer":
    case "xreq":
      return new Dealer()
    case "router":
    case "xrep":
      return new Router()
    case "pull":
      return new Pull()
    case "push":
      return new Push()
    case "xpub":
      return new XPublisher()
    case "xsub":
      return new XSubscriber()
    case "stream":
      return new Stream()
    default:
      // zeromq.js's wording and class for a name it does not know (JavaScript callers can pass anything).
      throw new Error(`Invalid socket type: ${String(type)}`)
  }
}
