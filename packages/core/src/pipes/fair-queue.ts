import type { PipeEnd } from "./pipe.js"
import type { Frames } from "./message.js"

/**
 * libzmq's `fq_t`: reads whole messages from a set of pipes in turn, so a busy peer cannot starve the others.
 * After each message the turn moves to the next pipe. A pipe whose peer left stays until it is drained.
 *
 * As in libzmq, only pipes that may hold messages are visited: pipes[0, active) are those, the rest were
 * found empty and come back with `activated` when their owner hears `pipeReadable` (a queue going from empty
 * to not empty). A read then costs the same with 10,000 idle peers as with one (issue 19's connect storm:
 * scanning every pipe after each message made it quadratic).
 */
export class FairQueue {
  readonly #pipes: PipeEnd[] = []
  /** Where each pipe is in #pipes. */
  readonly #index = new Map<PipeEnd, number>()
  #active = 0
  #current = 0
  /** The pipe the last message came from (ROUTER prefixes its routing id; REP replies on it). */
  lastPipe: PipeEnd | undefined

  attach(pipe: PipeEnd): void {
    if (this.#index.has(pipe)) return
    this.#index.set(pipe, this.#pipes.length)
    this.#pipes.push(pipe)
    this.#swap(this.#pipes.length - 1, this.#active++)
  }

  /** `pipe` has messages again (the socket heard `pipeReadable`): read it in its turn. */
  activated(pipe: PipeEnd): void {
    const index = this.#index.get(pipe)
    if (index !== undefined && index >= this.#active) this.#swap(index, this.#active++)
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
    const pipes = this.#pipes
    for (let i = 0; i < this.#active; i++) if (pipes[i]!.hasIncoming) return true
    return false
  }

  read(): Frames | undefined {
    const pipes = this.#pipes
    while (this.#active > 0) {
      if (this.#current >= this.#active) this.#current = 0
      const pipe = pipes[this.#current]!
      const message = pipe.closed ? undefined : pipe.read()
      if (message !== undefined) {
        this.#current++
        this.lastPipe = pipe
        return message
      }
      if (pipe.peerClosed || pipe.closed) this.#remove(pipe)
      else this.#swap(this.#current, --this.#active) // empty: out of the turn until activated
    }
    return undefined
  }

  #swap(a: number, b: number): void {
    if (a === b) return
    const pipes = this.#pipes
    const first = pipes[a]!
    const second = pipes[b]!
    pipes[a] = second
    pipes[b] = first
    this.#index.set(second, a)
    this.#index.set(first, b)
  }

  #remove(pipe: PipeEnd): void {
    let index = this.#index.get(pipe)
    if (index === undefined) return
    if (index < this.#active) {
      // Out of the active region first; the pipe that takes its place keeps its turn.
      this.#swap(index, --this.#active)
      index = this.#active
    }
    this.#swap(index, this.#pipes.length - 1)
    this.#pipes.pop()
    this.#index.delete(pipe)
  }
}
