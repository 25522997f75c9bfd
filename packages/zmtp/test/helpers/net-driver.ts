/**
 * A tiny test driver that joins a `node:net` socket to a sans-IO `ZmtpConnection`, so tests can talk ZMTP to
 * real peers (libzmq through zeromq.js) without any socket layer of ours:
 *
 *   net.Socket ──data──▶ connection.receiveData() ──events──▶ queue ──▶ nextEvent()
 *        ▲                                                     │
 *        └──────────────── connection.dataToSend() ◀───────────┘ (after construction and every call)
 *
 * On an `error` event the driver writes what the codec queued (an ERROR command, if any) and ends the
 * socket, as a session would. Everything here is test scaffolding: no reconnects, no high-water marks.
 *
 * `stagedGreeting` sends our greeting the way libzmq sends its own: the first 11 octets (signature and major
 * version), then the rest only once the peer's greeting is complete. libzmq judges the mechanism as soon as it
 * holds our 64 octets and hangs up at once, before its own greeting has left its buffer; staging ours makes it
 * send all of its greeting first, so that our codec can see (and report) the mismatch itself.
 */
import { createConnection, createServer, type Server, type Socket } from "node:net"
import { ZmtpConnection } from "../../src/index.js"
import type { AuthenticationResult, ZmtpConnectionOptions, ZmtpEvent } from "../../src/index.js"

export type ZmtpEventType = ZmtpEvent["type"]
export type ZmtpEventOf<T extends ZmtpEventType> = Extract<ZmtpEvent, { readonly type: T }>

/** Connection options, or a factory for them when one listener may accept several connections. */
export type DriverOptions = ZmtpConnectionOptions | (() => ZmtpConnectionOptions)

export interface DriverSettings {
  /** Send the first 11 greeting octets, and the rest once the peer's greeting is in. Default false. */
  readonly stagedGreeting?: boolean
}

export const DEFAULT_EVENT_TIMEOUT = 2000

/** Signature (10 octets) and major version: what libzmq needs from us before it sends the rest of its greeting. */
const GREETING_FIRST_STAGE = 11

interface Waiter {
  readonly type: ZmtpEventType | undefined
  readonly resolve: (event: ZmtpEvent) => void
  readonly reject: (error: Error) => void
}

export class NetDriver {
  readonly connection: ZmtpConnection
  readonly socket: Socket
  /** Resolves once the TCP socket has closed, whoever closed it. */
  readonly closed: Promise<void>
  /** Socket-level errors (ECONNRESET and the like); kept, never thrown. */
  readonly socketErrors: Error[] = []
  readonly #queue: ZmtpEvent[] = []
  readonly #waiters = new Set<Waiter>()
  #isClosed = false
  #peerEnded = false
  #heldGreeting: Uint8Array | undefined

  constructor(socket: Socket, options: ZmtpConnectionOptions, settings: DriverSettings = {}) {
    this.socket = socket
    socket.setNoDelay(true)
    this.connection = new ZmtpConnection(options)
    this.closed = new Promise((resolve) => {
      socket.once("close", () => {
        this.#isClosed = true
        for (const waiter of this.#waiters) {
          waiter.reject(new Error(`socket closed while waiting for ${waiter.type ?? "any"} event`))
        }
        this.#waiters.clear()
        resolve()
      })
    })
    socket.on("data", (chunk: Buffer) => this.#onData(chunk))
    socket.on("end", () => {
      this.#peerEnded = true
    })
    socket.on("error", (error) => {
      this.socketErrors.push(error)
    })
    if (settings.stagedGreeting === true) {
      const greeting = this.connection.dataToSend()
      this.#write(greeting.subarray(0, GREETING_FIRST_STAGE))
      this.#heldGreeting = greeting.subarray(GREETING_FIRST_STAGE)
    }
    this.#flush()
  }

  /** True once the TCP socket has closed. */
  get isClosed(): boolean {
    return this.#isClosed
  }

  /** True once the peer has half-closed or closed its side (FIN received). */
  get peerEnded(): boolean {
    return this.#peerEnded
  }

  /** Events received but not yet taken by `nextEvent`, in arrival order. */
  get pendingEvents(): readonly ZmtpEvent[] {
    return [...this.#queue]
  }

  /**
   * The first queued event of `type` (any type when omitted), waiting up to `timeoutMs` for one. Events of
   * other types stay queued. Rejects early with the codec's error when an `error` event arrives instead, or
   * when the socket closes first.
   */
  nextEvent(type?: undefined, timeoutMs?: number): Promise<ZmtpEvent>
  nextEvent<T extends ZmtpEventType>(type: T, timeoutMs?: number): Promise<ZmtpEventOf<T>>
  nextEvent(type?: ZmtpEventType, timeoutMs = DEFAULT_EVENT_TIMEOUT): Promise<ZmtpEvent> {
    const queued = this.#take(type)
    if (queued !== undefined) return queued
    if (this.#isClosed) return Promise.reject(new Error(`socket closed while waiting for ${type ?? "any"} event`))
    return new Promise<ZmtpEvent>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters.delete(waiter)
        reject(new Error(`no ${type ?? "any"} event within ${timeoutMs} ms; pending: ${describeEvents(this.#queue)}`))
      }, timeoutMs)
      const waiter: Waiter = {
        type,
        resolve: (event) => {
          clearTimeout(timer)
          resolve(event)
        },
        reject: (error) => {
          clearTimeout(timer)
          reject(error)
        },
      }
      this.#waiters.add(waiter)
    })
  }

  /** Takes every queued event. */
  takeEvents(): ZmtpEvent[] {
    return this.#queue.splice(0)
  }

  send(frames: readonly Uint8Array[]): void {
    this.connection.send(frames)
    this.#flush()
  }

  subscribe(topic: Uint8Array | string): void {
    this.connection.subscribe(typeof topic === "string" ? Buffer.from(topic) : topic)
    this.#flush()
  }

  ping(ttl?: number, context?: Uint8Array): void {
    this.connection.ping(ttl, context)
    this.#flush()
  }

  /** Answers an `authenticate` event (a `plainServer()` without an `authenticate` callback). */
  resolveAuthentication(result: AuthenticationResult): void {
    this.#dispatch(this.connection.resolveAuthentication(result))
  }

  /** Closes the codec and destroys the socket; resolves once it has closed. Safe to call twice. */
  async close(): Promise<void> {
    this.connection.close()
    this.socket.destroy()
    await this.closed
  }

  #onData(chunk: Buffer): void {
    const state = this.connection.state
    if (state === "failed" || state === "closed") return
    // A plain Uint8Array view, so that frames compare equal to Uint8Array expectations.
    this.#dispatch(this.connection.receiveData(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength)))
  }

  #dispatch(events: readonly ZmtpEvent[]): void {
    this.#flush()
    for (const event of events) this.#push(event)
    if (events.some((event) => event.type === "error")) this.socket.end()
  }

  #push(event: ZmtpEvent): void {
    for (const waiter of this.#waiters) {
      if (waiter.type === undefined || waiter.type === event.type) {
        this.#waiters.delete(waiter)
        waiter.resolve(event)
        return
      }
      if (event.type === "error") {
        this.#waiters.delete(waiter)
        waiter.reject(event.error)
      }
    }
    this.#queue.push(event)
  }

  #take(type: ZmtpEventType | undefined): Promise<ZmtpEvent> | undefined {
    const index = this.#queue.findIndex((event) => type === undefined || event.type === type)
    if (index >= 0) return Promise.resolve(this.#queue.splice(index, 1)[0]!)
    const error = this.#queue.find((event) => event.type === "error")
    if (error !== undefined && error.type === "error") return Promise.reject(error.error)
    return undefined
  }

  #flush(): void {
    const held = this.#heldGreeting
    if (held !== undefined) {
      const state = this.connection.state
      if (state === "greeting") return
      this.#heldGreeting = undefined
      // A peer whose greeting we refused gets nothing more.
      if (state !== "failed") this.#write(held)
    }
    this.#write(this.connection.dataToSend())
  }

  #write(data: Uint8Array): void {
    if (data.length > 0 && !this.socket.destroyed && this.socket.writable) this.socket.write(data)
  }
}

function describeEvents(events: readonly ZmtpEvent[]): string {
  return events.length === 0 ? "none" : events.map((event) => event.type).join(", ")
}

function resolveOptions(options: DriverOptions): ZmtpConnectionOptions {
  return typeof options === "function" ? options() : options
}

/** We connect to `endpoint` ("tcp://127.0.0.1:PORT"), where libzmq has bound. */
export async function connectTo(
  endpoint: string,
  options: DriverOptions,
  settings: DriverSettings = {},
): Promise<NetDriver> {
  const match = /^tcp:\/\/(.+):(\d+)$/.exec(endpoint)
  if (match === null) throw new Error(`not a tcp endpoint: ${endpoint}`)
  const host = match[1]!
  const port = Number(match[2])
  const socket = createConnection({ host, port })
  await new Promise<void>((resolve, reject) => {
    const onError = (error: Error): void => {
      socket.destroy()
      reject(error)
    }
    socket.once("error", onError)
    socket.once("connect", () => {
      socket.off("error", onError)
      resolve()
    })
  })
  return new NetDriver(socket, resolveOptions(options), settings)
}

export interface Listener {
  readonly port: number
  readonly endpoint: string
  /** The first accepted connection. */
  readonly accepted: Promise<NetDriver>
  /** Every accepted connection so far (a libzmq peer reconnects after a failed handshake). */
  readonly connections: readonly NetDriver[]
  /** Stops listening and closes every accepted connection. */
  close(): Promise<void>
}

/** We bind a TCP server on 127.0.0.1 and an ephemeral port; libzmq connects to it. */
export async function listen(options: DriverOptions, settings: DriverSettings = {}): Promise<Listener> {
  const connections: NetDriver[] = []
  let resolveAccepted!: (driver: NetDriver) => void
  let rejectAccepted!: (error: Error) => void
  const accepted = new Promise<NetDriver>((resolve, reject) => {
    resolveAccepted = resolve
    rejectAccepted = reject
  })
  // Keep a listener that was closed before any connection from turning into an unhandled rejection.
  accepted.catch(() => undefined)
  const server: Server = createServer((socket) => {
    const driver = new NetDriver(socket, resolveOptions(options), settings)
    connections.push(driver)
    if (connections.length === 1) resolveAccepted(driver)
  })
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => {
      server.off("error", reject)
      resolve()
    })
  })
  const address = server.address()
  if (address === null || typeof address === "string") throw new Error("server has no TCP address")
  const port = address.port
  return {
    port,
    endpoint: `tcp://127.0.0.1:${port}`,
    accepted,
    connections,
    async close() {
      const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()))
      rejectAccepted(new Error("listener closed before any connection"))
      await Promise.all(connections.map((driver) => driver.close()))
      await serverClosed
    },
  }
}
