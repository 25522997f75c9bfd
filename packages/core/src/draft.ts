/**
 * @zmq-ts/core/draft — libzmq's draft socket types, with zeromq.js's `zeromq/draft` names and shapes:
 * CLIENT/SERVER (RFC 41), RADIO/DISH (RFC 48), SCATTER/GATHER (RFC 49), and PEER (RFC 51) and CHANNEL
 * (RFC 52), which zeromq.js lacks. Single-part messages only.
 */
export { Server } from "./sockets/server.js"
export type { ServerOptions, ServerRoutingOptions } from "./sockets/server.js"
export { Client } from "./sockets/client.js"
export type { ClientOptions } from "./sockets/client.js"
export { Radio } from "./sockets/radio.js"
export type { RadioOptions, RadioGroupOptions } from "./sockets/radio.js"
export { Dish } from "./sockets/dish.js"
export type { DishOptions, DishGroupOptions } from "./sockets/dish.js"
export { Scatter } from "./sockets/scatter.js"
export type { ScatterOptions } from "./sockets/scatter.js"
export { Gather } from "./sockets/gather.js"
export type { GatherOptions } from "./sockets/gather.js"
export { Peer } from "./sockets/peer.js"
export type { PeerOptions } from "./sockets/peer.js"
export { Channel } from "./sockets/channel.js"
export type { ChannelOptions } from "./sockets/channel.js"
export { Datagram } from "./sockets/datagram.js"
export type { DatagramOptions } from "./sockets/datagram.js"
/** Any socket, the draft types included (a Poller of Servers: `new Poller<AnySocket>()`). */
export type { AnySocket, Received } from "./socket/socket-base.js"
