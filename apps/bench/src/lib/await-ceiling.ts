/**
 * The plain-JavaScript ceiling for the inproc case: a PUSH/PULL pair with the same `await send()` and
 * `for await` shapes, over nothing but an array. No routing, no high-water mark, no pipes: what is left is
 * the cost of the two loops themselves (an await per send, a promise and a result object per received
 * message): about what an inproc implementation with those loops can reach in one thread.
 */
type Message = Buffer[]

export class CeilingPull implements AsyncIterable<Message> {
  readonly #queue: Message[] = []
  #head = 0
  #waiting: ((message: Message | undefined) => void) | undefined
  #closed = false

  deliver(message: Message): void {
    const waiting = this.#waiting
    if (waiting !== undefined) {
      this.#waiting = undefined
      waiting(message)
    } else this.#queue.push(message)
  }

  close(): void {
    this.#closed = true
    this.#waiting?.(undefined)
  }

  [Symbol.asyncIterator](): AsyncIterator<Message, undefined> {
    return {
      next: () => {
        if (this.#head < this.#queue.length) {
          const value = this.#queue[this.#head++]!
          if (this.#head === this.#queue.length) {
            this.#queue.length = 0
            this.#head = 0
          }
          return Promise.resolve({ value, done: false })
        }
        if (this.#closed) return Promise.resolve({ value: undefined, done: true })
        // Woken through a second promise, as a receive() behind an iterator is: a receiver woken in the
        // same microtask as the send takes one message per wake-up and runs several times slower.
        return new Promise<Message | undefined>((resolve) => (this.#waiting = resolve)).then((value) =>
          value === undefined ? { value: undefined, done: true as const } : { value, done: false as const },
        )
      },
    }
  }
}

const resolved = Promise.resolve()

export class CeilingPush {
  constructor(private readonly pull: CeilingPull) {}

  send(frame: Buffer): Promise<void> {
    this.pull.deliver([frame])
    return resolved
  }
}
