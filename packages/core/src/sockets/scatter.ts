import type { ConflateOptionProperties, SendOptionProperties, WritableOptions } from "../common/options.js"
import { defineSocketOptions, type CommonSocketOptions } from "../socket/socket-base.js"
import { LoadBalancingSender } from "./load-balancing-sender.js"

export interface ScatterOptions extends CommonSocketOptions, WritableOptions<SendOptionProperties & ConflateOptionProperties> {}

/** SCATTER (RFC 49, draft): PUSH with single-part messages: load-balanced over GATHER peers; never receives. */
export class Scatter extends LoadBalancingSender {
  constructor(options?: ScatterOptions) {
    super("SCATTER", options)
    this.applyOptions(options)
  }
}

// eslint-disable-next-line @typescript-eslint/no-empty-interface, @typescript-eslint/no-unsafe-declaration-merging
export interface Scatter extends SendOptionProperties, ConflateOptionProperties {}
defineSocketOptions(Scatter, "SCATTER")
