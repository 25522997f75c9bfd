import type { Socket } from "@zmq-ts/core"

/**
 * The Guide's C code sends and receives one frame at a time (`ZMQ_SNDMORE`, `ZMQ_RCVMORE`); our sockets
 * move whole messages. These maps bridge the two per socket: frames sent "more" wait until the last one,
 * and the frames of a received message are handed out one by one.
 */
export const pendingSends = new WeakMap<Socket, Buffer[]>()
export const pendingReceives = new WeakMap<Socket, Buffer[]>()
