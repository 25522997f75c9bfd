import type { ConflateOptionProperties, ReceiveOptionProperties, WritableOptions } from "../common/options.js"
import { defineSocketOptions, type CommonSocketOptions } from "../socket/socket-base.js"
import { FairQueuedReceiver } from "./fair-queued-receiver.js"

export interface GatherOptions extends CommonSocketOptions, WritableOptions<ReceiveOptionProperties & ConflateOptionProperties> {}

/** GATHER (RFC 49, draft): PULL with single-part messages: fair-queued from SCATTER peers; never sends. */
export class Gather extends FairQueuedReceiver {
  constructor(options?: GatherOptions) {
    super("GATHER", options)
    this.applyOptions(options)
  }
}

// eslint-disable-next-line @typescript-eslint/no-empty-interface, @typescript-eslint/no-unsafe-declaration-merging
export interface Gather extends ReceiveOptionProperties, ConflateOptionProperties {}
defineSocketOptions(Gather, "GATHER")
