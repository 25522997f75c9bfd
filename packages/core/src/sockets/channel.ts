import type { PipeEnd } from "../pipes/pipe.js"
import type { Frames } from "../pipes/message.js"
import type { ReceiveOptionProperties, SendOptionProperties, WritableOptions } from "../common/options.js"
import { defineSocketOptions, Socket, type CommonSocketOptions } from "../socket/socket-base.js"
import { refuseMultipart } from "./single-part.js"

export interface ChannelOptions extends CommonSocketOptions, WritableOptions<SendOptionProperties & ReceiveOptionProperties> {}

/**
 * CHANNEL (RFC 52, draft): PAIR with single-part messages: exactly one peer, a second one is refused. zeromq.js
 * has no CHANNEL; this is its shape in the style of its other draft types.
 */
export class Channel extends Socket {
  #pipe: PipeEnd | undefined

  constructor(options?: ChannelOptions) {
    super("CHANNEL", options)
    this.applyOptions(options)
  }

  protected xattach(pipe: PipeEnd): void {
    if (this.#pipe !== undefined && !this.#pipe.peerClosed) {
      pipe.close()
      return
    }
    this.#pipe = pipe
  }
  protected xdetach(pipe: PipeEnd): void {
    if (this.#pipe === pipe && !pipe.hasIncoming) this.#pipe = undefined
  }
  protected xsend(message: Frames): boolean {
    refuseMultipart(message)
    const pipe = this.#pipe
    return pipe !== undefined && pipe.write(message)
  }
  protected xreceive(): Frames | undefined {
    const pipe = this.#pipe
    if (pipe === undefined) return undefined
    for (let message = pipe.read(); message !== undefined; message = pipe.read()) {
      if (message.length === 1) return message // a multipart arrival is dropped whole
    }
    if (pipe.peerClosed) this.#pipe = undefined
    return undefined
  }
  protected xwritable(): boolean {
    return this.#pipe?.writable ?? false
  }
  protected xreadable(): boolean {
    return this.#pipe?.hasIncoming ?? false
  }
}

// eslint-disable-next-line @typescript-eslint/no-empty-interface, @typescript-eslint/no-unsafe-declaration-merging
export interface Channel extends SendOptionProperties, ReceiveOptionProperties {}
defineSocketOptions(Channel, "CHANNEL")
