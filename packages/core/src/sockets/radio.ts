import { zmqError } from "../common/errors.js"
import type { PipeEnd } from "../pipes/pipe.js"
import type { Frames } from "../pipes/message.js"
import type { MulticastLoopOptionProperties, NoDropOptionProperties, SendOptionProperties, WritableOptions } from "../common/options.js"
import type { MessageLike } from "../socket/message-like.js"
import { defineSocketOptions, Socket, type CommonSocketOptions } from "../socket/socket-base.js"
import { toGroup } from "./group.js"
import { onlyPart } from "./single-part.js"

export interface RadioOptions extends CommonSocketOptions, WritableOptions<SendOptionProperties & NoDropOptionProperties & MulticastLoopOptionProperties> {}

/** What `Radio.send()` takes besides the message, as zeromq.js types it. */
export interface RadioGroupOptions {
  /** The group the message is for (at most 255 bytes; a string is UTF-8). */
  group: Buffer | string
}

/**
 * RADIO (RFC 48, draft): sends each single-part message to the DISH peers that joined its group, exact
 * match. Lossy, as PUB is: a DISH whose pipe is full misses the message, unless `noDrop`, when the send
 * waits for room (EAGAIN after sendTimeout). In a pipe (and on the wire over tcp/ipc) a message is two
 * frames, `[group, body]`; a DISH's joins and leaves come up the pipe as `0x01`/`0x00` + group.
 */
export class Radio extends Socket {
  /** Who joined each group (by the group's bytes as latin1), with how many JOINs each pipe sent for it. */
  readonly #groups = new Map<string, Map<PipeEnd, number>>()
  /** Pipes that carry no joins (udp): they get every group's messages (libzmq's _udp_pipes). */
  readonly #allGroups = new Set<PipeEnd>()

  constructor(options?: RadioOptions) {
    super("RADIO", options)
    this.applyOptions(options)
  }

  /** Sends `message` (one part) to the DISH peers in `options.group`. */
  override send(message: MessageLike | readonly MessageLike[], options?: RadioGroupOptions): Promise<void> {
    if (message === undefined) throw new TypeError("Message must be present")
    if (Array.isArray(message) && message.length === 0) return super.send(message)
    let group: Buffer
    let body: MessageLike
    try {
      body = onlyPart(message)
      group = toGroup(options?.group)
    } catch (error) {
      return Promise.reject(error)
    }
    return super.send([group, body])
  }

  protected override get canReceive(): boolean {
    return false
  }

  protected xattach(pipe: PipeEnd): void {
    if (pipe.subscribeToAll) this.#allGroups.add(pipe)
    this.xpipeReadable(pipe) // JOINs the DISH sent before we had the pipe (inproc, or a fast peer)
  }

  protected xdetach(pipe: PipeEnd): void {
    this.#allGroups.delete(pipe)
    for (const [group, members] of this.#groups) {
      if (members.delete(pipe) && members.size === 0) this.#groups.delete(group)
    }
  }

  /** What comes up a pipe from a DISH: its joins and leaves (anything else is dropped, as radio.cpp does). */
  protected override xpipeReadable(pipe: PipeEnd): void {
    for (let message = pipe.read(); message !== undefined; message = pipe.read()) {
      const first = message[0]!
      if (message.length !== 1 || first.length === 0 || first[0]! > 1) continue
      const group = first.toString("latin1", 1)
      let members = this.#groups.get(group)
      if (first[0] === 1) {
        if (members === undefined) this.#groups.set(group, (members = new Map()))
        members.set(pipe, (members.get(pipe) ?? 0) + 1)
      } else if (members !== undefined) {
        const count = members.get(pipe)
        if (count === undefined) continue
        if (count > 1) members.set(pipe, count - 1)
        else if (members.delete(pipe) && members.size === 0) this.#groups.delete(group)
      }
    }
  }

  protected xsend(message: Frames): boolean {
    if (message.length !== 2) throw zmqError("EINVAL", "a RADIO message is one part sent to a group")
    const members = this.#groups.get(message[0]!.toString("latin1"))
    const allGroups = this.#allGroups
    if (members === undefined && allGroups.size === 0) return true
    if (this.options.noDrop) {
      // ZMQ_XPUB_NODROP: every DISH of the group must have room, or the send waits (radio.cpp check_hwm).
      if (members !== undefined) for (const pipe of members.keys()) if (!pipe.writable && !pipe.closed && !pipe.peerClosed) return false
      for (const pipe of allGroups) if (!pipe.writable && !pipe.closed && !pipe.peerClosed) return false
    }
    if (members !== undefined) for (const pipe of members.keys()) pipe.write(message)
    for (const pipe of allGroups) pipe.write(message)
    return true
  }

  protected xreceive(): Frames | undefined {
    return undefined
  }

  protected xwritable(): boolean {
    return true
  }

  protected xreadable(): boolean {
    return false
  }
}

// eslint-disable-next-line @typescript-eslint/no-empty-interface, @typescript-eslint/no-unsafe-declaration-merging
export interface Radio extends SendOptionProperties, NoDropOptionProperties, MulticastLoopOptionProperties {}
defineSocketOptions(Radio, "RADIO")
