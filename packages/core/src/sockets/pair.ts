import type { PipeEnd } from "../pipes/pipe.js"
import type { Message } from "../pipes/message.js"
import { Socket, type SocketOptions } from "../socket/socket-base.js"

export interface PairOptions extends SocketOptions {}

/** PAIR (RFC 31): exactly one peer; a second one is refused (its pipe is closed at once). */
export class Pair extends Socket {
  #pipe: PipeEnd | undefined

  constructor(options: PairOptions = {}) {
    super("PAIR", options as Record<string, unknown>)
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
  protected xsend(message: Message): boolean {
    const pipe = this.#pipe
    return pipe !== undefined && pipe.write(message)
  }
  protected xreceive(): Message | undefined {
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
