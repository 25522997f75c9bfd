import type { PipeEnd } from "./pipe.js"
import type { Frames } from "./message.js"

/**
 * libzmq's `lb_t`: sends each message to the next pipe in turn that has room below its high-water mark.
 * Whole messages only, so a multipart message never straddles two peers.
 */
export class LoadBalancer {
  readonly #pipes: PipeEnd[] = []
  #current = 0
  /** The pipe the last message went to (REQ reads its reply from it). */
  lastPipe: PipeEnd | undefined

  attach(pipe: PipeEnd): void {
    this.#pipes.push(pipe)
  }

  detach(pipe: PipeEnd): void {
    const index = this.#pipes.indexOf(pipe)
    if (index < 0) return
    this.#pipes.splice(index, 1)
    if (index < this.#current) this.#current--
  }

  get writable(): boolean {
    for (const pipe of this.#pipes) if (pipe.writable) return true
    return false
  }

  get size(): number {
    return this.#pipes.length
  }

  send(message: Frames): boolean {
    return this.#send(message)
  }

  /** `send` of a one-frame message, queued as its frame alone. */
  sendFrame(frame: Buffer): boolean {
    return this.#send(frame)
  }

  #send(item: Frames | Buffer): boolean {
    const pipes = this.#pipes
    const frame = !Array.isArray(item)
    for (let tries = pipes.length; tries > 0; tries--) {
      if (this.#current >= pipes.length) this.#current = 0
      const pipe = pipes[this.#current++]!
      if (frame ? pipe.writeFrame(item as Buffer) : pipe.write(item as Frames)) {
        this.lastPipe = pipe
        return true
      }
    }
    return false
  }
}
