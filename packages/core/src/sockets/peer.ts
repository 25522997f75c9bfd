import { zmqError } from "../common/errors.js"
import type {
  DisconnectMessageOptionProperties,
  HelloMessageOptionProperties,
  HiccupMessageOptionProperties,
  ReceiveOptionProperties,
  SendOptionProperties,
  WritableOptions,
} from "../common/options.js"
import { defineSocketOptions, type CommonSocketOptions } from "../socket/socket-base.js"
import { ServerBase } from "./server.js"

export interface PeerOptions extends CommonSocketOptions, WritableOptions<SendOptionProperties & ReceiveOptionProperties & DisconnectMessageOptionProperties & HelloMessageOptionProperties & HiccupMessageOptionProperties> {}

/**
 * PEER (RFC 51, draft): a SERVER that also connects out to other PEERs. `connectPeer(address)` connects
 * and returns the routing id to send to that peer with, known at once (zmq_connect_peer). zeromq.js has no
 * PEER; this is its shape in the style of `Server`.
 */
export class Peer extends ServerBase {
  constructor(options?: PeerOptions) {
    super("PEER", options)
    this.applyOptions(options)
  }

  /** Connects to `address` and returns the routing id of that peer. EFAULT with `immediate`, as libzmq. */
  connectPeer(address: string): number {
    if (this.immediate) throw zmqError("EFAULT", "connectPeer cannot work with immediate: the peer's pipe must exist at once", address)
    const id = this.connectNamingPeer(address)
    if (id === undefined) throw zmqError("EFAULT", "the connection made no pipe to name the peer by", address)
    return id
  }
}

// eslint-disable-next-line @typescript-eslint/no-empty-interface, @typescript-eslint/no-unsafe-declaration-merging
export interface Peer extends SendOptionProperties, ReceiveOptionProperties, DisconnectMessageOptionProperties, HelloMessageOptionProperties, HiccupMessageOptionProperties {}
defineSocketOptions(Peer, "PEER")
