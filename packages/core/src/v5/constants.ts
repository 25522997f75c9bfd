/** Flags and states zeromq.js's compatibility layer exports besides socket types and options. */

/** `send(message, ZMQ_DONTWAIT)`: fail with EAGAIN instead of waiting when the message cannot be queued now. */
export const ZMQ_DONTWAIT = 1
/** `send(part, ZMQ_SNDMORE)`: more parts of the same message follow in later `send()` calls. */
export const ZMQ_SNDMORE = 2

/** Bits of ZMQ_EVENTS (`getsockopt(ZMQ_EVENTS)`, `sock._ioevents`). */
export const ZMQ_POLLIN = 1
export const ZMQ_POLLOUT = 2
export const ZMQ_POLLERR = 4

/** v5's socket states, kept as constants for code that compares against them. */
export const STATE_READY = 0
export const STATE_BUSY = 1
export const STATE_CLOSED = 2

/** v5's feature flags: all always available here. */
export const ZMQ_CAN_MONITOR = 1
export const ZMQ_CAN_DISCONNECT = 1
export const ZMQ_CAN_UNBIND = 1
export const ZMQ_CAN_SET_CTX = 1
