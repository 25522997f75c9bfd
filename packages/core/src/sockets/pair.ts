import type { PipeEnd } from "../pipes/pipe.js"
import type { Frames } from "../pipes/message.js"
import type { ReceiveOptionProperties, SendOptionProperties, WritableOptions } from "../common/options.js"
import { defineSocketOptions, Socket, type CommonSocketOptions } from "../socket/socket-base.js"

export interface PairOptions extends CommonSocketOptions, WritableOptions<SendOptionProperties & ReceiveOptionProperties> {}

/** PAIR (RFC 31): exactly one peer; a second one is refused (its pipe is closed at once). */
export class Pair extends Socket {
  #pipe: PipeEnd | undefined

  constructor(options?: PairOptions) {
    super("PAIR", options)
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
    const pipe = this.#pipe
    return pipe !== undefined && pipe.write(message)
  }
  protected xreceive(): Frames | undefined {
    const pipe = this.#pipe
    if (pipe === undefined) return undefined
    const message = pipe.read()
    if (message === undefined && pipe.peerClosed) this.#pipe = undefined
    return message
  }
  protected xwritable(): boolean {
    return this.#pipe?.writable ?? false
  }
  protected xreadable(): boolean {
    return this.#pipe?.hasIncoming ?? false
  }
}

// eslint-disable-next-line @typescript-eslint/no-empty-interface, @typescript-eslint/no-unsafe-declaration-merging
export interface Pair extends SendOptionProperties, ReceiveOptionProperties {}
defineSocketOptions(Pair, "PAIR")
