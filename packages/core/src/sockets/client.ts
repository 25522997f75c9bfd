import type {
  HelloMessageOptionProperties,
  HiccupMessageOptionProperties,
  ReceiveOptionProperties,
  SendOptionProperties,
  WritableOptions,
} from "../common/options.js"
import { defineSocketOptions, type CommonSocketOptions } from "../socket/socket-base.js"
import { LoadBalancingDealer } from "./load-balancing-dealer.js"

export interface ClientOptions extends CommonSocketOptions, WritableOptions<SendOptionProperties & ReceiveOptionProperties & HelloMessageOptionProperties & HiccupMessageOptionProperties> {}

/**
 * CLIENT (RFC 41, draft): talks to SERVER peers, load-balancing what it sends and fair-queueing what it
 * receives, as DEALER does, with single-part messages only (a multipart send is EINVAL; one that arrives is
 * dropped whole).
 */
export class Client extends LoadBalancingDealer {
  constructor(options?: ClientOptions) {
    super("CLIENT", options)
    this.applyOptions(options)
  }
}

// eslint-disable-next-line @typescript-eslint/no-empty-interface, @typescript-eslint/no-unsafe-declaration-merging
export interface Client extends SendOptionProperties, ReceiveOptionProperties, HelloMessageOptionProperties, HiccupMessageOptionProperties {}
defineSocketOptions(Client, "CLIENT")
