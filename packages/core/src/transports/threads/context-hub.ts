import type { MessagePort } from "node:worker_threads"
import type { WirePeer } from "./thread-pipe.js"

/** What a thread asks of the hub. Ports travel in the transfer list. */
export type ThreadRequest =
  | { readonly op: "bind"; readonly name: string; readonly request: number }
  | { readonly op: "unbind"; readonly name: string }
  | {
      readonly op: "connect"
      readonly name: string
      readonly id: number
      readonly port: MessagePort
      readonly peer: WirePeer
      readonly credit: number
    }
  | { readonly op: "cancel"; readonly id: number }
  | { readonly op: "share"; readonly port: MessagePort }
  | { readonly op: "terminate" }

/** What the hub tells a thread. */
export type HubNotice =
  | { readonly op: "reply"; readonly request: number; readonly error?: string }
  | {
      readonly op: "accept"
      readonly name: string
      readonly port: MessagePort
      readonly peer: WirePeer
      readonly credit: number
    }
  | { readonly op: "terminate" }

/** The hub's view of one thread of the context. */
export interface HubLink {
  notify(notice: HubNotice): void
  close(): void
}

interface PendingConnect {
  readonly link: HubLink
  readonly id: number
  readonly port: MessagePort
  readonly peer: WirePeer
  readonly credit: number
}

/**
 * The inproc namespace of a context shared across worker threads. It lives in the thread that first shared
 * the context and answers the others over MessagePorts: who bound which name, and which connects wait for a
 * bind. It only introduces: once a connect meets its bind, the two threads talk over the pipe's own port and
 * the hub is out of the data path.
 */
export class ContextHub {
  readonly #links = new Set<HubLink>()
  readonly #bound = new Map<string, HubLink>()
  readonly #pending = new Map<string, PendingConnect[]>()
  #terminated = false

  get terminated(): boolean {
    return this.#terminated
  }

  /** A thread joined over `port` (a worker given a `share()` handle). */
  addPort(port: MessagePort): void {
    const link: HubLink = {
      notify: (notice) => {
        if (notice.op === "accept") port.postMessage(notice, [notice.port])
        else port.postMessage(notice)
      },
      close: () => port.close(),
    }
    this.#links.add(link)
    port.on("message", (request: ThreadRequest) => this.handle(link, request))
    // A thread that exits or crashes closes its port: forget what it had bound and what it waited for.
    port.on("close", () => this.#forget(link))
    // The hub never keeps a thread alive by itself; sockets and bindings do.
    port.unref()
    if (this.#terminated) link.notify({ op: "terminate" })
  }

  /** The hub's own thread. */
  addLink(link: HubLink): void {
    this.#links.add(link)
  }

  handle(link: HubLink, request: ThreadRequest): void {
    switch (request.op) {
      case "bind": {
        const error = this.#terminated ? "ETERM" : this.#bound.has(request.name) ? "EADDRINUSE" : undefined
        if (error === undefined) this.#bound.set(request.name, link)
        link.notify({ op: "reply", request: request.request, ...(error === undefined ? {} : { error }) })
        if (error === undefined) this.#deliverPending(request.name, link)
        return
      }
      case "unbind":
        if (this.#bound.get(request.name) === link) this.#bound.delete(request.name)
        return
      case "connect": {
        const pending: PendingConnect = { link, ...request }
        if (this.#terminated) {
          request.port.close()
          return
        }
        const binder = this.#bound.get(request.name)
        if (binder !== undefined) this.#accept(binder, request.name, pending)
        else {
          let list = this.#pending.get(request.name)
          if (list === undefined) this.#pending.set(request.name, (list = []))
          list.push(pending)
        }
        return
      }
      case "cancel":
        for (const [name, list] of this.#pending) {
          const index = list.findIndex((entry) => entry.link === link && entry.id === request.id)
          if (index < 0) continue
          list[index]!.port.close()
          list.splice(index, 1)
          if (list.length === 0) this.#pending.delete(name)
          return
        }
        return
      case "share":
        this.addPort(request.port)
        return
      case "terminate":
        this.terminate(link)
    }
  }

  /** Terminates the context in every thread but `origin` (which did it itself). */
  terminate(origin: HubLink | undefined): void {
    if (this.#terminated) return
    this.#terminated = true
    for (const link of this.#links) if (link !== origin) link.notify({ op: "terminate" })
    for (const list of this.#pending.values()) for (const entry of list) entry.port.close()
    this.#pending.clear()
    this.#bound.clear()
  }

  #accept(binder: HubLink, name: string, connect: PendingConnect): void {
    binder.notify({ op: "accept", name, port: connect.port, peer: connect.peer, credit: connect.credit })
  }

  #deliverPending(name: string, binder: HubLink): void {
    const list = this.#pending.get(name)
    if (list === undefined) return
    this.#pending.delete(name)
    for (const connect of list) this.#accept(binder, name, connect)
  }

  #forget(link: HubLink): void {
    this.#links.delete(link)
    for (const [name, binder] of this.#bound) if (binder === link) this.#bound.delete(name)
    for (const [name, list] of this.#pending) {
      const kept = list.filter((entry) => {
        if (entry.link !== link) return true
        entry.port.close()
        return false
      })
      if (kept.length === 0) this.#pending.delete(name)
      else this.#pending.set(name, kept)
    }
  }
}
