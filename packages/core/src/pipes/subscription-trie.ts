/**
 * libzmq's `mtrie`: subscriptions (byte prefixes) and who holds them, with a count per holder, so that
 * subscribing twice needs two cancels (RFC 29) — or, with `counted` false, a set of holders per topic as in
 * libzmq's XPUB, where one cancel removes a pipe's subscription (its XSUB did the counting). Matching a message walks its first frame byte by byte and
 * visits every holder of every prefix on the way: the cost grows with the topic's length, not with the
 * number of subscriptions.
 */
class TrieNode<K> {
  children: Map<number, TrieNode<K>> | undefined
  holders: Map<K, number> | undefined
}

export class SubscriptionTrie<K> {
  readonly #root = new TrieNode<K>()
  #size = 0
  /** Topics with at least one holder (libzmq's num_prefixes, ZMQ_TOPICS_COUNT). */
  #topics = 0

  constructor(readonly counted = true) {}

  /** Distinct (topic, holder) subscriptions. */
  get size(): number {
    return this.#size
  }

  /** Distinct topics held by anyone (ZMQ_TOPICS_COUNT). */
  get topicCount(): number {
    return this.#topics
  }

  /** Adds one subscription of `holder` to `topic`. Returns true if nobody held `topic` before. */
  add(topic: Uint8Array, holder: K): boolean {
    let node = this.#root
    for (let i = 0; i < topic.length; i++) {
      const byte = topic[i]!
      node.children ??= new Map()
      let child = node.children.get(byte)
      if (child === undefined) {
        child = new TrieNode<K>()
        node.children.set(byte, child)
      }
      node = child
    }
    node.holders ??= new Map()
    const wasEmpty = node.holders.size === 0
    const count = node.holders.get(holder) ?? 0
    if (count === 0) this.#size++
    if (wasEmpty) this.#topics++
    node.holders.set(holder, this.counted ? count + 1 : 1)
    return wasEmpty
  }

  /**
   * Removes one subscription of `holder` to `topic`. Returns true if that was the last subscription to
   * `topic` by anyone; false if others (or more of this holder's) remain, or there was none.
   */
  remove(topic: Uint8Array, holder: K): boolean {
    const path: Array<[TrieNode<K>, number]> = []
    let node = this.#root
    for (let i = 0; i < topic.length; i++) {
      const child = node.children?.get(topic[i]!)
      if (child === undefined) return false
      path.push([node, topic[i]!])
      node = child
    }
    const count = node.holders?.get(holder)
    if (count === undefined) return false
    if (count > 1) {
      node.holders!.set(holder, count - 1)
      return false
    }
    node.holders!.delete(holder)
    this.#size--
    const last = node.holders!.size === 0
    if (last) {
      this.#topics--
      this.#prune(path, node)
    }
    return last
  }

  /** Removes every subscription of `holder`; calls `onLast` with each topic nobody holds any more. */
  removeHolder(holder: K, onLast?: (topic: Uint8Array) => void): void {
    const emptied: Uint8Array[] = []
    this.#visitAll(this.#root, [], (node, topic) => {
      if (node.holders?.delete(holder) === true) {
        this.#size--
        if (node.holders.size === 0) {
          this.#topics--
          emptied.push(Uint8Array.from(topic))
        }
      }
    })
    for (const topic of emptied) {
      // Prune by walking again; topics are few compared with messages.
      const path: Array<[TrieNode<K>, number]> = []
      let node = this.#root
      for (const byte of topic) {
        path.push([node, byte])
        node = node.children!.get(byte)!
      }
      this.#prune(path, node)
      onLast?.(topic)
    }
  }

  /** True if some subscription is a prefix of `data`. */
  matches(data: Uint8Array): boolean {
    let node: TrieNode<K> | undefined = this.#root
    for (let i = 0; ; i++) {
      if (node.holders !== undefined && node.holders.size > 0) return true
      if (i >= data.length) return false
      node = node.children?.get(data[i]!)
      if (node === undefined) return false
    }
  }

  /** Calls `visit` once for each holder of any subscription that is a prefix of `data`. */
  match(data: Uint8Array, visit: (holder: K) => void): void {
    let node: TrieNode<K> | undefined = this.#root
    let seen: Set<K> | undefined
    let matchedNodes = 0
    for (let i = 0; ; i++) {
      const holders = node.holders
      if (holders !== undefined && holders.size > 0) {
        matchedNodes++
        // A holder subscribed to several prefixes of this message is visited once.
        if (matchedNodes > 1) seen ??= new Set()
        for (const holder of holders.keys()) {
          if (seen !== undefined) {
            if (seen.has(holder)) continue
            seen.add(holder)
          }
          visit(holder)
        }
        if (matchedNodes === 1 && node.children !== undefined) {
          seen = new Set(holders.keys())
        }
      }
      if (i >= data.length) return
      node = node.children?.get(data[i]!)
      if (node === undefined) return
    }
  }

  /** Every (topic, holder, count) subscription, e.g. to resend them after a reconnect. */
  *entries(): IterableIterator<[Uint8Array, K, number]> {
    const out: Array<[Uint8Array, K, number]> = []
    this.#visitAll(this.#root, [], (node, topic) => {
      if (node.holders !== undefined) for (const [holder, count] of node.holders) out.push([Uint8Array.from(topic), holder, count])
    })
    yield* out
  }

  #visitAll(node: TrieNode<K>, topic: number[], visit: (node: TrieNode<K>, topic: number[]) => void): void {
    visit(node, topic)
    if (node.children === undefined) return
    for (const [byte, child] of node.children) {
      topic.push(byte)
      this.#visitAll(child, topic, visit)
      topic.pop()
    }
  }

  #prune(path: Array<[TrieNode<K>, number]>, leaf: TrieNode<K>): void {
    let node = leaf
    for (let i = path.length - 1; i >= 0; i--) {
      if ((node.holders?.size ?? 0) > 0 || (node.children?.size ?? 0) > 0) return
      const [parent, byte] = path[i]!
      parent.children!.delete(byte)
      node = parent
    }
  }
}
