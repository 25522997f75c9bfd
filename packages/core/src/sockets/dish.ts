import { zmqError } from "../common/errors.js"
import { FairQueue } from "../pipes/fair-queue.js"
import type { PipeEnd } from "../pipes/pipe.js"
import { subscriptionMessage, type Frames } from "../pipes/message.js"
import type { ReceiveOptionProperties, WritableOptions } from "../common/options.js"
import type { Message } from "../socket/message-like.js"
import { defineSocketOptions, RECEIVED, Socket, type CommonSocketOptions } from "../socket/socket-base.js"
import { toGroup } from "./group.js"

export interface DishOptions extends CommonSocketOptions, WritableOptions<ReceiveOptionProperties> {}

/** What a message received on a DISH carries besides its body, as zeromq.js types it. */
export interface DishGroupOptions {
  /** The group the RADIO sent it to. */
  group: Buffer
}

/**
 * DISH (RFC 48, draft): receives the messages of the groups it joined, fair-queued from its RADIO peers.
 * `join`/`leave` go to every RADIO (JOIN/LEAVE commands over tcp/ipc) and again on every new pipe and after
 * each reconnect. It filters what arrives itself, as libzmq's dish_t does (udp brings every group). Each
 * message received is `[body, { group }]`. Linger defaults to 0, as in libzmq.
 */
export class Dish extends Socket {
  declare readonly [RECEIVED]?: [Message, DishGroupOptions]
  readonly #in = new FairQueue()
  readonly #pipes = new Set<PipeEnd>()
  /** The groups joined, by their bytes as latin1, with those bytes. */
  readonly #joined = new Map<string, Buffer>()
  /** A message taken ahead by `xreadable`, so that "readable" is never one it would drop. */
  #stash: Frames | undefined

  constructor(options?: DishOptions) {
    super("DISH", options)
    this.applyOptions(options)
  }

  /** Joins each group (ZMQ_JOIN): EINVAL for a group over 255 bytes or one already joined. */
  join(...groups: Array<Buffer | string>): void {
    for (const value of groups) {
      const group = toGroup(value)
      this.#checkOpen("join")
      const key = group.toString("latin1")
      if (this.#joined.has(key)) throw zmqError("EINVAL", `already joined group ${JSON.stringify(key)}`)
      this.#joined.set(key, group)
      this.#toAll(subscriptionMessage(1, group))
    }
  }

  /** Leaves each group (ZMQ_LEAVE): EINVAL for a group not joined. */
  leave(...groups: Array<Buffer | string>): void {
    for (const value of groups) {
      const group = toGroup(value)
      this.#checkOpen("leave")
      const key = group.toString("latin1")
      if (!this.#joined.delete(key)) throw zmqError("EINVAL", `not a member of group ${JSON.stringify(key)}`)
      this.#toAll(subscriptionMessage(0, group))
      // What was already received for the group is no longer wanted (dish_t filters at receive time).
      if (this.#stash !== undefined && this.#stash[0]!.toString("latin1") === key) this.#stash = undefined
    }
  }

  protected override get receivedShape(): (message: Frames) => object[] {
    return shapeReceived
  }

  protected override get canSend(): boolean {
    return false
  }

  protected override xpipeReadable(pipe: PipeEnd): void {
    this.#in.activated(pipe)
  }

  protected xattach(pipe: PipeEnd): void {
    this.#in.attach(pipe)
    this.#pipes.add(pipe)
    this.#sendJoins(pipe)
  }

  protected xdetach(pipe: PipeEnd): void {
    this.#in.detach(pipe)
    this.#pipes.delete(pipe)
  }

  /** The pipe reconnected: what it had queued was dropped, so join every group again (dish_t::xhiccuped). */
  protected override xhiccuped(pipe: PipeEnd): void {
    this.#sendJoins(pipe)
  }

  protected xsend(): boolean {
    throw zmqError("ENOTSUP", "a DISH cannot send")
  }

  protected xreceive(): Frames | undefined {
    const stashed = this.#stash
    if (stashed !== undefined) {
      this.#stash = undefined
      return stashed
    }
    // [group, body] from a RADIO; anything else, or a group not joined, is dropped whole.
    for (let message = this.#in.read(); message !== undefined; message = this.#in.read()) {
      if (message.length === 2 && this.#joined.has(message[0]!.toString("latin1"))) return message
    }
    return undefined
  }

  protected xwritable(): boolean {
    return false
  }

  protected xreadable(): boolean {
    if (this.#stash === undefined) this.#stash = this.xreceive()
    return this.#stash !== undefined
  }

  #checkOpen(operation: string): void {
    if (this.closed) throw zmqError("ENOTSOCK", `the socket is closed: it can no longer ${operation} groups`)
  }

  #toAll(message: Buffer): void {
    // Forced past the high-water mark: a join or leave is never lost to a full pipe.
    for (const pipe of this.#pipes) pipe.forceWrite([message])
  }

  #sendJoins(pipe: PipeEnd): void {
    for (const group of this.#joined.values()) pipe.forceWrite([subscriptionMessage(1, group)])
  }
}

function shapeReceived(message: Frames): [Message, DishGroupOptions] {
  return [message[1]!, { group: message[0]! }]
}

// eslint-disable-next-line @typescript-eslint/no-empty-interface, @typescript-eslint/no-unsafe-declaration-merging
export interface Dish extends ReceiveOptionProperties {}
defineSocketOptions(Dish, "DISH")
