import type { ReceiveOptionProperties, SendOptionProperties, WritableOptions } from "../common/options.js"
import { defineSocketOptions, type CommonSocketOptions } from "../socket/socket-base.js"
import { ExclusivePair } from "./exclusive-pair.js"

export interface ChannelOptions extends CommonSocketOptions, WritableOptions<SendOptionProperties & ReceiveOptionProperties> {}

/**
 * CHANNEL (RFC 52, draft): PAIR with single-part messages: exactly one peer, a second one is refused. zeromq.js
 * has no CHANNEL; this is its shape in the style of its other draft types.
 */
export class Channel extends ExclusivePair {
  constructor(options?: ChannelOptions) {
    super("CHANNEL", options)
    this.applyOptions(options)
  }
}

// eslint-disable-next-line @typescript-eslint/no-empty-interface, @typescript-eslint/no-unsafe-declaration-merging
export interface Channel extends SendOptionProperties, ReceiveOptionProperties {}
defineSocketOptions(Channel, "CHANNEL")
