/**
 * @zmq-ts/core/draft — libzmq's draft socket types, with zeromq.js's `zeromq/draft` names and shapes:
 * CLIENT/SERVER (RFC 41), RADIO/DISH (RFC 48), SCATTER/GATHER (RFC 49), and PEER (RFC 51) and CHANNEL
 * (RFC 52), which zeromq.js lacks. Single-part messages only.
 */
export { Radio } from "./sockets/radio.js"
export type { RadioOptions, RadioGroupOptions } from "./sockets/radio.js"
export { Dish } from "./sockets/dish.js"
export type { DishOptions, DishGroupOptions } from "./sockets/dish.js"
export { Datagram } from "./sockets/datagram.js"
export type { DatagramOptions } from "./sockets/datagram.js"
export type { AnySocket, Received } from "./socket/socket-base.js"
