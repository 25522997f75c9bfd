import type { ConflateOptionProperties, SendOptionProperties, WritableOptions } from "../common/options.js"
import { defineSocketOptions, type CommonSocketOptions } from "../socket/socket-base.js"
import { LoadBalancingSender } from "./load-balancing-sender.js"

export interface PushOptions extends CommonSocketOptions, WritableOptions<SendOptionProperties & ConflateOptionProperties> {}

/** PUSH (RFC 30): load-balances messages over connected PULL peers; never receives. */
export class Push extends LoadBalancingSender {
  constructor(options?: PushOptions) {
    super("PUSH", options)
    this.applyOptions(options)
  }
}

// eslint-disable-next-line @typescript-eslint/no-empty-interface, @typescript-eslint/no-unsafe-declaration-merging
export interface Push extends SendOptionProperties, ConflateOptionProperties {}
defineSocketOptions(Push, "PUSH")
