import type { Context, DealerOptions, RouterOptions } from "@zmq-ts/core"
import type { Attachments } from "./attachment.js"

/**
 * The options of the Guide's shared queue (`RequestReplyBroker`, rrbroker) and of its Proxy form
 * (`MessageQueue`, msgqueue):
 *
 *   clients (REQ) ──▶ frontend ROUTER ══ broker ══ backend DEALER ◀── workers (REP)
 */
export interface SharedQueueOptions {
  /** Where the ROUTER facing clients goes; a string binds (the Guide: "tcp://*:5559"). */
  readonly frontend: Attachments
  /** Where the DEALER facing workers goes; a string binds (the Guide: "tcp://*:5560"). */
  readonly backend: Attachments
  /** The context of both sockets. Default: the shared context. */
  readonly context?: Context
  /** Options of the ROUTER socket. */
  readonly frontendOptions?: Omit<RouterOptions, "context">
  /** Options of the DEALER socket. */
  readonly backendOptions?: Omit<DealerOptions, "context">
}
