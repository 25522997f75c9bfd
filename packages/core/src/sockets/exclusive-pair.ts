import type { PipeEnd } from "../pipes/pipe.js"
import type { Frames } from "../pipes/message.js"
import { Socket } from "../socket/socket-base.js"
import { refuseMultipart } from "./single-part.js"

/**
 * The routing of PAIR (RFC 31) and CHANNEL (RFC 52): exactly one peer; a second one is refused (its pipe is
 * closed at once). CHANNEL, a draft type, refuses multipart sends and drops a multipart arrival whole. One
 * strategy for both; each class stays its own.
 */
export abstract class ExclusivePair extends Socket {
  #pipe: PipeEnd | undefined
  readonly #singlePart: boolean

  protected constructor(type: "PAIR" | "CHANNEL", options: object | undefined) {
    super(type, options)
    this.#singlePart = type === "CHANNEL"
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
    if (this.#singlePart) refuseMultipart(message)
    const pipe = this.#pipe
    return pipe !== undefined && pipe.write(message)
  }
  protected xreceive(): Frames | undefined {
    const pipe = this.#pipe
    if (pipe === undefined) return undefined
    for (let message = pipe.read(); message !== undefined; message = pipe.read()) {
      if (!this.#singlePart || message.length === 1) return message
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
