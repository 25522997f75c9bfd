import type { MessagePort } from "node:worker_threads"
import { MessageChannel } from "#platform/threads"
import { ContextHub, type HubLink, type HubNotice, type ThreadRequest } from "./context-hub.js"
import { zmqError, type ErrorCode } from "../../common/errors.js"
import { holdAlive, releaseAlive } from "../../common/keep-alive.js"
import type { WirePeer } from "./thread-pipe.js"

export type AcceptHandler = (name: string, port: MessagePort, peer: WirePeer, credit: number) => void

/**
 * One thread's connection to its shared context's hub: the thread that shared the context talks to the hub
 * directly, every other thread over the MessagePort it was handed. The port never holds its thread open;
 * a bind waiting for the hub's answer does (keep-alive.ts), as any operation in progress.
 */
export class ThreadLink {
  readonly #send: (request: ThreadRequest, transfer?: MessagePort[]) => void
  readonly #hub: ContextHub | undefined
  readonly #port: MessagePort | undefined
  readonly #requests = new Map<number, { resolve: () => void; reject: (error: Error) => void }>()
  #nextRequest = 1
  #nextConnect = 1
  /** The hub's thread is gone (it exited): cross-thread binds and connects fail from now on. */
  #hubGone = false
  #terminated = false
  readonly #onTerminate: () => void
  /** A connect from another thread reached a name bound in this one. */
  readonly #onAccept: AcceptHandler

  private constructor(
    onTerminate: () => void,
    onAccept: AcceptHandler,
    hub: ContextHub | undefined,
    port: MessagePort | undefined,
  ) {
    this.#onTerminate = onTerminate
    this.#onAccept = onAccept
    this.#hub = hub
    this.#port = port
    if (hub !== undefined) {
      // The hub's own thread: the same requests and notices, as calls on a later microtask.
      const link: HubLink = {
        notify: (notice) => queueMicrotask(() => this.#receive(notice)),
        close: () => {},
      }
      hub.addLink(link)
      this.#send = (request) => queueMicrotask(() => hub.handle(link, request))
    } else {
      const hubPort = port!
      this.#send = (request, transfer) => hubPort.postMessage(request, transfer)
      hubPort.on("message", (notice: HubNotice) => this.#receive(notice))
      hubPort.on("close", () => {
        this.#hubGone = true
        for (const request of this.#requests.values()) request.reject(hubGoneError())
        this.#requests.clear()
      })
      hubPort.unref()
    }
  }

  /** The link of the thread that shares the context: it hosts the hub. */
  static hosting(onTerminate: () => void, onAccept: AcceptHandler): ThreadLink {
    return new ThreadLink(onTerminate, onAccept, new ContextHub(), undefined)
  }

  /** The link of a thread given a handle by `share()`. */
  static joining(port: MessagePort, onTerminate: () => void, onAccept: AcceptHandler): ThreadLink {
    return new ThreadLink(onTerminate, onAccept, undefined, port)
  }

  /** A new handle for another thread: a port whose other end the hub listens on. */
  share(): MessagePort {
    this.#assertUsable()
    const { port1, port2 } = new MessageChannel()
    if (this.#hub !== undefined) this.#hub.addPort(port1)
    else this.#send({ op: "share", port: port1 }, [port1])
    return port2
  }

  /** Claims `name` across every thread of the context; EADDRINUSE if another thread has it. */
  bind(name: string): Promise<void> {
    this.#assertUsable()
    const request = this.#nextRequest++
    holdAlive()
    return new Promise<void>((resolve, reject) => {
      this.#requests.set(request, { resolve, reject })
      this.#send({ op: "bind", name, request })
    }).finally(releaseAlive)
  }

  unbind(name: string): void {
    if (!this.#hubGone && !this.#terminated) this.#send({ op: "unbind", name })
  }

  /** Asks the thread that binds `name` (now or later) to join the pipe whose other end is `port`. */
  connect(name: string, port: MessagePort, peer: WirePeer, credit: number): number {
    this.#assertUsable()
    const id = this.#nextConnect++
    this.#send({ op: "connect", name, id, port, peer, credit }, [port])
    return id
  }

  cancel(id: number): void {
    if (!this.#hubGone && !this.#terminated) this.#send({ op: "cancel", id })
  }

  /** The context was terminated in this thread: tell every other thread. */
  terminate(): void {
    if (this.#terminated) return
    this.#terminated = true
    if (this.#hub !== undefined) this.#hub.terminate(undefined)
    else if (!this.#hubGone) this.#send({ op: "terminate" })
    this.#port?.close()
  }

  #receive(notice: HubNotice): void {
    switch (notice.op) {
      case "reply": {
        const request = this.#requests.get(notice.request)
        if (request === undefined) return
        this.#requests.delete(notice.request)
        if (notice.error === undefined) request.resolve()
        else request.reject(zmqError(notice.error as ErrorCode, errorText(notice.error)))
        return
      }
      case "accept":
        if (this.#terminated) notice.port.close()
        else this.#onAccept(notice.name, notice.port, notice.peer, notice.credit)
        return
      case "terminate":
        if (this.#terminated) return
        this.#terminated = true
        this.#port?.close()
        this.#onTerminate()
    }
  }

  #assertUsable(): void {
    if (this.#terminated) throw zmqError("ETERM", "context was terminated")
    if (this.#hubGone) throw hubGoneError()
  }

}

function hubGoneError(): Error {
  return zmqError("ETERM", "the thread that shared this context has exited")
}

function errorText(code: string): string {
  return code === "EADDRINUSE" ? "the name is already bound in another thread of this context" : "context was terminated"
}
