import type {
  ConflateOptionProperties,
  InvertMatchingOptionProperties,
  TopicsCountOptionProperties,
  NoDropOptionProperties,
  SendOptionProperties,
  WritableOptions,
} from "../common/options.js"
import { defineSocketOptions, type CommonSocketOptions } from "../socket/socket-base.js"
import { PublisherBase } from "./xpub.js"

/** PUB's options (zeromq.js defines these on Publisher). */
type PublisherOptionProperties = SendOptionProperties & NoDropOptionProperties & ConflateOptionProperties & InvertMatchingOptionProperties

export interface PublisherOptions extends CommonSocketOptions, WritableOptions<PublisherOptionProperties> {}

/**
 * PUB (RFC 29): an XPUB that keeps subscriptions to itself. Never receives. Not an XPublisher (as in
 * zeromq.js): it has none of XPUB's own options (`manual`, `welcomeMessage`, `verbosity`).
 */
export class Publisher extends PublisherBase {
  constructor(options?: PublisherOptions) {
    super("PUB", options)
    this.applyOptions(options)
  }

  protected get deliversSubscriptions(): boolean {
    return false
  }

  protected override get canReceive(): boolean {
    return false
  }
}

// eslint-disable-next-line @typescript-eslint/no-empty-interface, @typescript-eslint/no-unsafe-declaration-merging
export interface Publisher extends SendOptionProperties, NoDropOptionProperties, ConflateOptionProperties, InvertMatchingOptionProperties, TopicsCountOptionProperties {}
defineSocketOptions(Publisher, "PUB")
