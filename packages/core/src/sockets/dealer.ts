import { Buffer } from "#platform/buffer"
import type {
  ConflateOptionProperties,
  HelloMessageOptionProperties,
  HiccupMessageOptionProperties,
  ProbeRouterOptionProperties,
  ReceiveOptionProperties,
  RoutingIdOptionProperties,
  SendOptionProperties,
  WritableOptions,
} from "../common/options.js"
import { defineSocketOptions, type CommonSocketOptions } from "../socket/socket-base.js"
import { LoadBalancingDealer } from "./load-balancing-dealer.js"

/** DEALER's options (zeromq.js defines these on Dealer). */
type DealerOptionProperties = SendOptionProperties &
  ReceiveOptionProperties &
  RoutingIdOptionProperties &
  ProbeRouterOptionProperties &
  ConflateOptionProperties &
  HelloMessageOptionProperties &
  HiccupMessageOptionProperties

export interface DealerOptions extends CommonSocketOptions, WritableOptions<DealerOptionProperties> {}

/** DEALER (RFC 28): load-balances outgoing and fair-queues incoming messages; no envelopes are touched. */
export class Dealer extends LoadBalancingDealer {
  constructor(options?: DealerOptions) {
    super("DEALER", options)
    this.applyOptions(options)
  }
}

// eslint-disable-next-line @typescript-eslint/no-empty-interface, @typescript-eslint/no-unsafe-declaration-merging
export interface Dealer
  extends SendOptionProperties,
    ReceiveOptionProperties,
    RoutingIdOptionProperties,
    ProbeRouterOptionProperties,
    ConflateOptionProperties,
    HelloMessageOptionProperties,
    HiccupMessageOptionProperties {}
defineSocketOptions(Dealer, "DEALER")
