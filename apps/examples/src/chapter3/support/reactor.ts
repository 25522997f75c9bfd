/**
 * CZMQ's zloop, as far as chapter 3 needs it: a reactor that calls a handler whenever a socket has input.
 * `reader()` sets a handler, `readerEnd()` cancels it (both allowed inside handlers), `start()` runs until a
 * handler returns -1 or a signal interrupts the poll (zhelpers' s_catch_signals), as zloop_start does.
 * Underneath it is a Poller rebuilt whenever the readers change, as zloop rebuilds its poll set.
 */
import { Poller, type Socket } from "@zmq-ts/core"
import { isInterrupted } from "@zmq-ts/zhelpers"

/** A reader's handler; -1 ends the reactor (zloop_fn). */
export type ReaderHandler = (reactor: Reactor, socket: Socket) => number | Promise<number>

export class Reactor {
  readonly #readers = new Map<Socket, ReaderHandler>()

  /** zloop_reader: calls `handler` each time `socket` has input. */
  reader(socket: Socket, handler: ReaderHandler): void {
    this.#readers.set(socket, handler)
  }

  /** zloop_reader_end: stops reading `socket`. */
  readerEnd(socket: Socket): void {
    this.#readers.delete(socket)
  }

  /** zloop_start: runs until a handler returns -1 (resolves -1) or a signal interrupts it (resolves 0). */
  async start(): Promise<number> {
    for (;;) {
      const poller = new Poller<Socket>()
      for (const socket of this.#readers.keys()) poller.add(socket)
      let ready
      try {
        ready = await poller.poll()
      } catch (error) {
        if (isInterrupted(error)) return 0
        throw error
      }
      for (const { socket } of ready) {
        // A handler earlier in this round may have cancelled this reader (zloop skips it too).
        const handler = this.#readers.get(socket)
        if (handler !== undefined && (await handler(this, socket)) === -1) return -1
      }
    }
  }
}
