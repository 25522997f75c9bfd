import type { Buffer } from "#platform/buffer"
import { unrefTimer } from "#platform/timers"
import type { MessagePort } from "node:worker_threads"
import { zmqError } from "../../common/errors.js"
import type { PipeEnd } from "../../pipes/pipe.js"
import { pipeAtConnect, zmtpTypeOf, type SocketHost } from "../../pipes/socket-host.js"
import { ThreadLink } from "../threads/thread-link.js"
import type { WirePeer } from "../threads/thread-pipe.js"
import type { Transport, TransportBinding, TransportConnection } from "../transport.js"
import { acceptFromThread, connectAcrossThreads } from "./inproc-across-threads.js"
import { parseInprocEndpoint, type InprocEndpoint } from "./inproc-endpoint.js"
import { earlyPipe, joinInproc, type PendingConnect } from "./inproc-pipe.js"
import { openZapChannel } from "./inproc-zap.js"
import { ZAP_NAME, type ZapChannel, type ZapChannelListener } from "../../engine/zap-channel.js"

/**
 * inproc: sockets of one Context joined by pipes directly. One instance per context holds its namespace:
 * the names bound, and the connects waiting for a bind (libzmq's `ctx_t` endpoints and pending
 * connections). Connecting before the name is bound works: the connecter gets its pipe at once, and the
 * binder its end on bind.
 *
 * A context shared with worker threads (`share()`, `join()`) also claims each bound name in its hub, so a
 * connect from another thread finds it; that pipe crosses the threads as two ThreadPipes over a MessagePort.
 */
export class InprocTransport implements Transport<InprocEndpoint> {
  readonly #bindings = new Map<string, SocketHost>()
  readonly #pending = new Map<string, Set<PendingConnect>>()
  /** The link to the context's other threads, once it is shared. */
  #link: ThreadLink | undefined

  parse(address: string, rest: string): InprocEndpoint {
    return parseInprocEndpoint(address, rest)
  }

  async bind(host: SocketHost, endpoint: InprocEndpoint): Promise<TransportBinding> {
    zmtpTypeOf(host, endpoint.address) // inproc joins pipes of messages: no STREAM
    const bindings = this.#bindings
    if (bindings.has(endpoint.name)) throw zmqError("EADDRINUSE", `${endpoint.address} is already bound`, endpoint.address)
    bindings.set(endpoint.name, host)
    const pending = this.#pending.get(endpoint.name)
    if (pending !== undefined) {
      this.#pending.delete(endpoint.name)
      for (const connect of pending) joinInproc(connect, host, endpoint)
    }
    const link = this.#link
    if (link !== undefined) {
      try {
        await link.bind(endpoint.name)
      } catch (error) {
        if (bindings.get(endpoint.name) === host) {
          bindings.delete(endpoint.name)
          link.unbind(endpoint.name)
        }
        throw zmqError((error as { code?: "EADDRINUSE" }).code ?? "ETERM", `${endpoint.address}: ${(error as Error).message}`, endpoint.address)
      }
    }
    return {
      endpoint: endpoint.address,
      close: async () => {
        if (bindings.get(endpoint.name) !== host) return
        bindings.delete(endpoint.name)
        this.#link?.unbind(endpoint.name)
      },
    }
  }

  connect(host: SocketHost, endpoint: InprocEndpoint, routingId: Buffer | undefined): TransportConnection {
    zmtpTypeOf(host, endpoint.address)
    const binder = this.#bindings.get(endpoint.name)
    if (binder !== undefined) {
      joinInproc({ host, endpoint, routingId, early: undefined }, binder, endpoint)
      return { close: () => {} }
    }
    const link = this.#link
    if (link !== undefined) return connectAcrossThreads(host, endpoint, routingId, link)
    // Not bound yet: queue sends on a pipe whose far end waits for the bind.
    let early: [PipeEnd, PipeEnd] | undefined
    if (pipeAtConnect(host, routingId)) early = earlyPipe(host, endpoint, routingId)
    const pendingByName = this.#pending
    let pending = pendingByName.get(endpoint.name)
    if (pending === undefined) {
      pending = new Set()
      pendingByName.set(endpoint.name, pending)
    }
    const entry: PendingConnect = { host, endpoint, routingId, early }
    pending.add(entry)
    const forget = (): void => {
      pending?.delete(entry)
      if (pending?.size === 0) pendingByName.delete(endpoint.name)
    }
    return {
      close: (linger) => {
        if (entry.acrossThreads !== undefined) {
          if (!entry.acrossThreads.attached) entry.acrossThreads.abort()
          return
        }
        // With messages queued and linger ≠ 0, stay pending so a later bind still receives them.
        if (early === undefined || !early[1].hasIncoming || linger === 0) {
          forget()
          return
        }
        if (linger > 0) unrefTimer(setTimeout(forget, linger))
      },
    }
  }

  /**
   * A pipe to this context's ZAP handler, the socket bound at inproc://zeromq.zap.01 in this thread, for a
   * tcp or ipc session authenticating its peer (RFC 27); undefined when there is none.
   */
  connectZap(listener: ZapChannelListener): ZapChannel | undefined {
    return openZapChannel(this.#bindings.get(ZAP_NAME), listener)
  }

  /**
   * A handle for another thread (see `Context.share()`). The first call makes this thread the hub's: names
   * bound so far are claimed there, and connects still waiting for a bind now wait at the hub, so a bind in
   * any thread (this one included) answers them; their early pipes, and what is queued in them, move over
   * as they are.
   */
  share(onTerminate: () => void): MessagePort {
    if (this.#link === undefined) {
      const link = ThreadLink.hosting(onTerminate, this.#onAccept)
      this.#link = link
      for (const name of this.#bindings.keys()) void link.bind(name)
      for (const pending of this.#pending.values()) {
        for (const connect of pending) {
          if (connect.host.closed && (connect.early === undefined || !connect.early[1].hasIncoming)) continue
          const { pipe } = connectAcrossThreads(connect.host, connect.endpoint, connect.routingId, link, connect.early?.[1])
          connect.acrossThreads = pipe
        }
      }
      this.#pending.clear()
    }
    return this.#link.share()
  }

  /** This context is another thread's, shared through `handle` (see `Context.attach()`). */
  join(handle: MessagePort, onTerminate: () => void): void {
    this.#link = ThreadLink.joining(handle, onTerminate, this.#onAccept)
  }

  terminate(): void {
    this.#link?.terminate()
  }

  readonly #onAccept = (name: string, port: MessagePort, peer: WirePeer, credit: number): void =>
    acceptFromThread(this.#bindings.get(name), name, port, peer, credit)
}
