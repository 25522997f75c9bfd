/**
 * @zmq-ts/zhelpers — the ZeroMQ Guide's helpers with the Guide's names, so a reader can follow the book
 * line by line on @zmq-ts/core.
 */
export { s_send, s_sendmore, s_recv, s_recv_frame, s_rcvmore } from "./send-receive.js"
export type { Frame } from "./send-receive.js"
export { s_dump, formatFrame } from "./dump.js"
export { s_set_id } from "./identity.js"
export { s_sleep, s_clock, s_version } from "./time.js"
export { s_catch_signals, s_interrupted, isInterrupted } from "./signals.js"
