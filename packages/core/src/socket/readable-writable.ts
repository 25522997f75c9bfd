import type { Message, MessageLike } from "./message-like.js"

/**
 * zeromq.js's `Writable`: what a socket that sends has (PAIR, PUB, REQ, REP, DEALER, ROUTER, PUSH, XPUB,
 * XSUB), for code typed against it (`function produce(socket: Writable)`). Every such socket of ours has
 * these members.
 */
export interface Writable<M extends MessageLike | MessageLike[] = MessageLike | MessageLike[], O extends [...object[]] = []> {
  /** ZMQ_MULTICAST_HOPS. Default 1. */
  multicastHops: number
  /** ZMQ_SNDBUF. Default -1 (the OS default). */
  sendBufferSize: number
  /** ZMQ_SNDHWM. Default 1000. */
  sendHighWaterMark: number
  /** ZMQ_SNDTIMEO. Default -1. */
  sendTimeout: number
  send(message: M, ...options: O): Promise<void>
}

/**
 * zeromq.js's `Readable`: what a socket that receives has (PAIR, SUB, REQ, REP, DEALER, ROUTER, PULL, XPUB,
 * XSUB).
 */
export interface Readable<M extends object[] = Message[]> {
  /** ZMQ_RCVBUF. Default -1 (the OS default). */
  receiveBufferSize: number
  /** ZMQ_RCVHWM. Default 1000. */
  receiveHighWaterMark: number
  /** ZMQ_RCVTIMEO. Default -1. */
  receiveTimeout: number
  receive(): Promise<M>
  [Symbol.asyncIterator](): AsyncIterator<M, undefined>
}
