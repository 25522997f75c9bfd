type Listener = (...args: never[]) => void

/**
 * The part of Node's EventEmitter that the Observer's event emitter mode gives its users (zeromq.js returns
 * the emitter from `on()`): listeners by name, called in order with `this` the emitter; `once`; an "error"
 * with no listener throws, as Node's.
 */
export class EventEmitter {
  readonly #listeners = new Map<string | symbol, Listener[]>()

  on(name: string | symbol, listener: Listener): this {
    const list = this.#listeners.get(name)
    if (list === undefined) this.#listeners.set(name, [listener])
    else list.push(listener)
    return this
  }

  addListener(name: string | symbol, listener: Listener): this {
    return this.on(name, listener)
  }

  once(name: string | symbol, listener: Listener): this {
    const wrapped = (...args: never[]): void => {
      this.off(name, wrapped)
      listener.apply(this, args)
    }
    ;(wrapped as { listener?: Listener }).listener = listener
    return this.on(name, wrapped)
  }

  /** Removes the most recently added instance of `listener`, as Node's. */
  off(name: string | symbol, listener: Listener): this {
    const list = this.#listeners.get(name)
    if (list === undefined) return this
    for (let i = list.length - 1; i >= 0; i--) {
      const entry = list[i]!
      if (entry === listener || (entry as { listener?: Listener }).listener === listener) {
        list.splice(i, 1)
        break
      }
    }
    if (list.length === 0) this.#listeners.delete(name)
    return this
  }

  removeListener(name: string | symbol, listener: Listener): this {
    return this.off(name, listener)
  }

  removeAllListeners(name?: string | symbol): this {
    if (name === undefined) this.#listeners.clear()
    else this.#listeners.delete(name)
    return this
  }

  emit(name: string | symbol, ...args: unknown[]): boolean {
    const list = this.#listeners.get(name)
    if (list === undefined || list.length === 0) {
      if (name === "error") throw args[0] instanceof Error ? args[0] : new Error(`Unhandled error. (${String(args[0])})`)
      return false
    }
    // A copy: a listener may remove itself (once) or others while we call them.
    for (const listener of [...list]) (listener as (...values: unknown[]) => void).apply(this, args)
    return true
  }

  listenerCount(name: string | symbol): number {
    return this.#listeners.get(name)?.length ?? 0
  }

  listeners(name: string | symbol): Listener[] {
    return (this.#listeners.get(name) ?? []).map((entry) => (entry as { listener?: Listener }).listener ?? entry)
  }

  eventNames(): (string | symbol)[] {
    return [...this.#listeners.keys()]
  }
}
