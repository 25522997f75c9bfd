/**
 * Joins a `node:net` socket to a sans-IO `ZmtpConnection`, so tests can talk CURVE to libzmq (zeromq.js)
 * with no socket layer of ours, and records every byte each way:
 *
 *   net.Socket ──data──▶ connection.receiveData() ──events──▶ queue ──▶ next()
 *        ▲                                                      │
 *        └──────────────── connection.dataToSend() ◀────────────┘ (after construction and every call)
 *
 * On an `error` event the driver writes what the codec queued (an ERROR, if any) and ends the socket.
 */
import { createConnection, createServer, type Socket } from "node:net"
import { ZmtpConnection, type AuthenticationResult, type ZmtpConnectionOptions, type ZmtpEvent } from "@zmq-ts/zmtp"
import { concat } from "./pair.js"

type EventType = ZmtpEvent["type"]
type EventOf<T extends EventType> = Extract<ZmtpEvent, { readonly type: T }>

export class Driver {
  readonly connection: ZmtpConnection
  readonly socket: Socket
  readonly closed: Promise<void>
  readonly #received: Uint8Array[] = []
  readonly #sent: Uint8Array[] = []
  readonly #queue: ZmtpEvent[] = []
  #wake: (() => void) | undefined
  /** Called for each event as it arrives (before it is queued), e.g. to answer `authenticate`. */
  onEvent: ((event: ZmtpEvent, driver: Driver) => void) | undefined

  constructor(socket: Socket, options: ZmtpConnectionOptions, onEvent?: (event: ZmtpEvent, driver: Driver) => void) {
    this.socket = socket
    this.onEvent = onEvent
    socket.setNoDelay(true)
    this.connection = new ZmtpConnection(options)
    this.closed = new Promise((resolve) => socket.once("close", () => resolve()))
    socket.on("close", () => this.#wake?.())
    socket.on("error", () => undefined) // ECONNRESET from a peer that hung up: seen as close
    socket.on("data", (chunk: Buffer) => {
      const bytes = new Uint8Array(chunk)
      this.#received.push(bytes)
      const state = this.connection.state
      if (state === "failed" || state === "closed") return
      this.#dispatch(this.connection.receiveData(bytes))
    })
    this.#flush()
  }

  /** Every byte the peer sent us, and every byte we sent it. */
  get received(): Uint8Array {
    return concat(this.#received)
  }

  get sent(): Uint8Array {
    return concat(this.#sent)
  }

  get events(): readonly ZmtpEvent[] {
    return this.#queue
  }

  /** The first queued event of `type` (removing it), waiting up to `timeoutMs`. */
  async next<T extends EventType>(type: T, timeoutMs = 3000): Promise<EventOf<T>> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const index = this.#queue.findIndex((event) => event.type === type)
      if (index >= 0) return this.#queue.splice(index, 1)[0] as EventOf<T>
      const error = this.#queue.find((event) => event.type === "error")
      if (error?.type === "error" && type !== "error") throw error.error
      if (this.socket.destroyed) throw new Error(`socket closed while waiting for ${type}`)
      if (Date.now() > deadline) throw new Error(`no ${type} event within ${timeoutMs} ms (have ${this.#queue.map((e) => e.type).join(", ") || "none"})`)
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 20)
        this.#wake = () => {
          clearTimeout(timer)
          resolve()
        }
      })
    }
  }

  send(frames: readonly Uint8Array[]): void {
    this.connection.send(frames)
    this.#flush()
  }

  subscribe(topic: Uint8Array): void {
    this.connection.subscribe(topic)
    this.#flush()
  }

  ping(ttl = 0, context?: Uint8Array): void {
    this.connection.ping(ttl, context)
    this.#flush()
  }

  resolveAuthentication(result: AuthenticationResult): void {
    this.#dispatch(this.connection.resolveAuthentication(result))
  }

  async close(): Promise<void> {
    this.connection.close()
    this.socket.destroy()
    await this.closed
  }

  #dispatch(events: readonly ZmtpEvent[]): void {
    this.#flush()
    for (const event of events) {
      this.onEvent?.(event, this)
      this.#queue.push(event)
    }
    this.#wake?.()
    if (events.some((event) => event.type === "error")) this.socket.end()
  }

  #flush(): void {
    const bytes = this.connection.dataToSend()
    if (bytes.length === 0 || this.socket.destroyed || !this.socket.writable) return
    const copy = new Uint8Array(bytes)
    this.#sent.push(copy)
    this.socket.write(copy)
  }
}

/** We connect to libzmq at `endpoint` ("tcp://127.0.0.1:PORT"). */
export async function connect(endpoint: string, options: ZmtpConnectionOptions, onEvent?: Driver["onEvent"]): Promise<Driver> {
  const [, host, port] = /^tcp:\/\/(.+):(\d+)$/.exec(endpoint) ?? []
  const socket = createConnection({ host: host!, port: Number(port) })
  await new Promise<void>((resolve, reject) => {
    socket.once("error", reject)
    socket.once("connect", () => {
      socket.off("error", reject)
      resolve()
    })
  })
  return new Driver(socket, options, onEvent)
}

export interface Listener {
  readonly endpoint: string
  /** Every connection accepted so far (libzmq reconnects after a failed handshake). */
  readonly drivers: readonly Driver[]
  first(): Promise<Driver>
  close(): Promise<void>
}

/** We listen on 127.0.0.1 (an ephemeral port); libzmq connects. Each connection gets `options()`. */
export async function listen(options: () => ZmtpConnectionOptions, onEvent?: Driver["onEvent"]): Promise<Listener> {
  const drivers: Driver[] = []
  const server = createServer((socket) => drivers.push(new Driver(socket, options(), onEvent)))
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const address = server.address()
  if (address === null || typeof address === "string") throw new Error("no tcp address")
  return {
    endpoint: `tcp://127.0.0.1:${address.port}`,
    drivers,
    async first() {
      const deadline = Date.now() + 3000
      while (drivers.length === 0) {
        if (Date.now() > deadline) throw new Error("no connection within 3000 ms")
        await new Promise((resolve) => setTimeout(resolve, 10))
      }
      return drivers[0]!
    },
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()))
      await Promise.all(drivers.map((driver) => driver.close()))
      await closed
    },
  }
}
