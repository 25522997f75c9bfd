/**
 * A FIFO with O(1) push and shift and no per-item allocation: a growable ring buffer. It holds what waits in
 * order (blocked send and receive calls, monitor events, XPUB's subscriptions), where a long queue must stay
 * cheap.
 */
export class Fifo<T> {
  #items: Array<T | undefined>
  #head = 0
  #length = 0

  constructor(capacity = 16) {
    this.#items = new Array<T | undefined>(capacity)
  }

  get length(): number {
    return this.#length
  }

  push(item: T): void {
    if (this.#length === this.#items.length) this.#grow()
    this.#items[(this.#head + this.#length) % this.#items.length] = item
    this.#length++
  }

  shift(): T | undefined {
    if (this.#length === 0) return undefined
    const item = this.#items[this.#head]
    this.#items[this.#head] = undefined
    this.#head = (this.#head + 1) % this.#items.length
    this.#length--
    return item
  }

  peek(): T | undefined {
    return this.#length === 0 ? undefined : this.#items[this.#head]
  }

  /** Removes every item, newest last, and returns them (used to drop or hand over a queue). */
  drain(): T[] {
    const out: T[] = []
    for (let item = this.shift(); item !== undefined; item = this.shift()) out.push(item)
    return out
  }

  clear(): void {
    this.#items = new Array<T | undefined>(16)
    this.#head = 0
    this.#length = 0
  }

  #grow(): void {
    const items = new Array<T | undefined>(this.#items.length * 2)
    for (let i = 0; i < this.#length; i++) items[i] = this.#items[(this.#head + i) % this.#items.length]
    this.#items = items
    this.#head = 0
  }
}
