import type { ReceiveOptionProperties, SendOptionProperties, WritableOptions } from "../common/options.js"
import { defineSocketOptions, type CommonSocketOptions } from "../socket/socket-base.js"
import { ExclusivePair } from "./exclusive-pair.js"

export interface PairOptions extends CommonSocketOptions, WritableOptions<SendOptionProperties & ReceiveOptionProperties> {}

/** PAIR (RFC 31): exactly one peer; a second one is refused (its pipe is closed at once). */
export class Pair extends ExclusivePair {
  constructor(options?: PairOptions) {
    super("PAIR", options)
    this.applyOptions(options)
  }
}

// eslint-disable-next-line @typescript-eslint/no-empty-interface, @typescript-eslint/no-unsafe-declaration-merging
export interface Pair extends SendOptionProperties, ReceiveOptionProperties {}
defineSocketOptions(Pair, "PAIR")
