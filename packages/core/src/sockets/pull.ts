import type { ConflateOptionProperties, ReceiveOptionProperties, WritableOptions } from "../common/options.js"
import { defineSocketOptions, type CommonSocketOptions } from "../socket/socket-base.js"
import { FairQueuedReceiver } from "./fair-queued-receiver.js"

export interface PullOptions extends CommonSocketOptions, WritableOptions<ReceiveOptionProperties & ConflateOptionProperties> {}

/** PULL (RFC 30): fair-queues messages from connected PUSH peers; never sends. */
export class Pull extends FairQueuedReceiver {
  constructor(options?: PullOptions) {
    super("PULL", options)
    this.applyOptions(options)
  }
}

// eslint-disable-next-line @typescript-eslint/no-empty-interface, @typescript-eslint/no-unsafe-declaration-merging
export interface Pull extends ReceiveOptionProperties, ConflateOptionProperties {}
defineSocketOptions(Pull, "PULL")
