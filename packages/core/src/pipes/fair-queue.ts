import type { PipeEnd } from "./pipe.js"
import type { Frames } from "./message.js"

/**
 * libzmq's `fq_t`: reads whole messages from a set of pipes in turn, so a busy peer cannot starve the others.
 * After each message the turn moves to the next pipe. A pipe whose peer left stays until it is drained.
 */
export class FairQueue {
  readonly #pipes: PipeEnd[] = []
  #current = 0
  /** The pipe the last message came from (ROUTER prefixes its routing id; REP replies on it). */
  lastPipe: PipeEnd | undefined

  attach(pipe: PipeEnd): void {
    this.#pipes.push(pipe)
  }

  detach(pipe: PipeEnd): void {
    // Keep a pipe with unread messages: what the peer sent before leaving is still delivered.
    if (pipe.hasIncoming && !pipe.closed) return
    this.#remove(pipe)
  }

  /** Stops reading `pipe` now, unread messages and all (STREAM: the application closed that connection). */
  remove(pipe: PipeEnd): void {
    this.#remove(pipe)
  }

  get hasIncoming(): boolean {
    for (const pipe of this.#pipes) if (pipe.hasIncoming) return true
    return false
  }

  read(): Frames | undefined {
    const pipes = this.#pipes
    for (let tries = pipes.length; tries > 0; tries--) {
      if (this.#current >= pipes.length) this.#current = 0
      const pipe = pipes[this.#current]!
      const message = pipe.closed ? undefined : pipe.read()
      if (message !== undefined) {
        this.#current++
        this.lastPipe = pipe
        return message
      }
      if (pipe.peerClosed || pipe.closed) this.#remove(pipe)
      else this.#current++
    }
    return undefined
  }

  #remove(pipe: PipeEnd): void {
    const index = this.#pipes.indexOf(pipe)
    if (index < 0) return
    this.#pipes.splice(index, 1)
    if (index < this.#current) this.#current--
  }
}
