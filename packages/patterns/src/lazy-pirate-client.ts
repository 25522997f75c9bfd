/**
 * The Lazy Pirate client (the Guide, chapter 4, "Client-Side Reliability"): reliable request-reply from the
 * client side alone. Rather than a blocking receive, the client
 *
 *   - polls its REQ socket and receives only when a reply has arrived,
 *   - resends the request if no reply came within `timeout`,
 *   - abandons the request after `retries` sends without a reply.
 *
 * A REQ socket that sent and got no reply is stuck in its lockstep (EFSM for a second send), so, as the Guide
 * does, every resend goes out on a NEW socket: the old one is closed with linger 0. The new socket has a new
 * routing id, so a late reply to the old one has nowhere to go; a reply is only ever taken for the request
 * that the socket sent — the client never returns a reply to a different request.
 */
import { Poller, Request, type Context, type Message, type MessageLike, type RequestOptions } from "@zmq-ts/core"
import { localError, PatternErrorCode } from "./errors.js"
import { checkCount, checkTimeout, closedOr, deadlineAfter, remaining } from "./wait.js"

/** The Guide's REQUEST_TIMEOUT: how long to wait for each reply, in ms. */
export const LAZY_PIRATE_TIMEOUT = 2500
/** The Guide's REQUEST_RETRIES: how many times a request is sent in all before it is abandoned. */
export const LAZY_PIRATE_RETRIES = 3

/** What the client did, reported synchronously to `onEvent` (the Guide's lpclient prints each). */
export type LazyPirateEvent =
  /** No reply within `timeout`: the socket was closed and reopened, and the request is sent again. */
  | { readonly type: "retry"; readonly attempt: number; readonly retriesLeft: number }
  /** A reply came that `matches` rejected (the Guide's "malformed reply from server"); it was dropped. */
  | { readonly type: "mismatch"; readonly reply: Message[] }
  /** No reply after `retries` sends: the request is abandoned (`request()` rejects with ERR_PATTERN_TIMEOUT). */
  | { readonly type: "abandon"; readonly attempts: number }

export interface LazyPirateClientOptions {
  /** The server's (or queue's) endpoint, which the REQ socket connects to (the Guide: "tcp://localhost:5555"). */
  readonly endpoint: string
  /** REQUEST_TIMEOUT: ms to wait for a reply before resending. Default 2500 (the Guide: "> 1000!"). */
  readonly timeout?: number
  /** REQUEST_RETRIES: how many sends in all before abandoning; at least 1. Default 3. */
  readonly retries?: number
  /** The context of the sockets. Default: the shared context. */
  readonly context?: Context
  /**
   * Options of each REQ socket. No `routingId`: each socket must have a fresh one, or late replies to an
   * abandoned socket could reach its successor. `linger` is always 0 (a dead server must not hold close()).
   */
  readonly requestOptions?: Omit<RequestOptions, "context" | "routingId" | "linger" | "relaxed">
  /**
   * Whether `reply` answers `request` (the Guide's lpclient checks that the server echoed its sequence
   * number). A reply that does not match is dropped (`mismatch` event) and the client waits on, as the
   * Guide's does. Default: every reply matches.
   */
  readonly matches?: (reply: Message[], request: Message[]) => boolean
  /** Called synchronously on every `LazyPirateEvent`. */
  readonly onEvent?: (event: LazyPirateEvent) => void
}

function toFrames(request: MessageLike | readonly MessageLike[]): Message[] {
  const list: readonly MessageLike[] = Array.isArray(request) ? request : [request as MessageLike]
  return list.map((frame) => {
    if (typeof frame === "string") return Buffer.from(frame, "utf8")
    if (Buffer.isBuffer(frame)) return frame
    if (ArrayBuffer.isView(frame)) return Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength)
    if (frame instanceof ArrayBuffer || frame instanceof SharedArrayBuffer) return Buffer.from(frame)
    if (frame === null) return Buffer.alloc(0)
    return Buffer.from(String(frame), "utf8")
  })
}

/**
 * A REQ client that survives a server that crashes, restarts, runs slowly or loses replies: each request
 * resolves with its reply, or rejects with `PatternError` ERR_PATTERN_TIMEOUT once `retries` sends got none
 * (ERR_PATTERN_CLOSED if `close()` came first).
 *
 * ```ts
 * const client = new LazyPirateClient({ endpoint: "tcp://localhost:5555", timeout: 2500, retries: 3 })
 * try {
 *   const [reply] = await client.request("1")
 * } catch (error) {
 *   if (PatternError.isInstance(error) && error.code === PatternErrorCode.TIMEOUT) console.log("server seems to be offline")
 * }
 * client.close()
 * ```
 *
 * Requests are sent one at a time (REQ lockstep): calls made while one is outstanding wait their turn. After
 * an abandoned request the client stays usable; the next request goes out on a fresh socket.
 */
export class LazyPirateClient implements AsyncDisposable {
  readonly #options: LazyPirateClientOptions
  readonly #timeout: number
  readonly #retries: number
  #socket: Request | undefined
  #closed = false
  #turn: Promise<unknown> = Promise.resolve()

  constructor(options: LazyPirateClientOptions) {
    if (typeof options.endpoint !== "string" || options.endpoint.length === 0) {
      throw localError(PatternErrorCode.INVALID_OPTION, "endpoint must be a non-empty string")
    }
    this.#options = options
    this.#timeout = checkTimeout("timeout", options.timeout ?? LAZY_PIRATE_TIMEOUT)
    if (this.#timeout < 0) throw localError(PatternErrorCode.INVALID_OPTION, "timeout must not be -1 (forever): that is a plain REQ")
    this.#retries = checkCount("retries", options.retries ?? LAZY_PIRATE_RETRIES, 1)
  }

  /** The REQ socket in use now (undefined before the first request and after a timeout or `close()`). */
  get socket(): Request | undefined {
    return this.#socket
  }

  /** True once `close()` was called. */
  get closed(): boolean {
    return this.#closed
  }

  /**
   * Sends `request` (one frame or several) and resolves with the reply's frames. Rejects with
   * ERR_PATTERN_TIMEOUT after `retries` sends without a (matching) reply, ERR_PATTERN_CLOSED on `close()`.
   */
  request(request: MessageLike | readonly MessageLike[]): Promise<Message[]> {
    if (this.#closed) return Promise.reject(localError(PatternErrorCode.CLOSED, "client is closed"))
    const frames = toFrames(request)
    const result = this.#turn.then(() => this.#exchange(frames))
    this.#turn = result.catch(() => {})
    return result
  }

  /**
   * Makes a connected REQ socket. The hook where a socket is made: tests override it (with `reopen`) to
   * check that a client which keeps its stuck socket is caught.
   */
  protected createSocket(): Request {
    const context = this.#options.context === undefined ? {} : { context: this.#options.context }
    const socket = new Request({ ...this.#options.requestOptions, ...context, linger: 0 })
    socket.connect(this.#options.endpoint)
    return socket
  }

  /**
   * The Guide's brute-force recovery: close the confused socket (linger 0, so nothing it queued goes out
   * later) and open a new one. `previous` is undefined for the first request.
   */
  protected reopen(previous: Request | undefined): Request {
    previous?.close()
    return this.createSocket()
  }

  async #exchange(request: Message[]): Promise<Message[]> {
    const { matches, onEvent } = this.#options
    for (let attempt = 1; ; attempt++) {
      if (this.#closed) throw localError(PatternErrorCode.CLOSED, "client was closed while waiting for a reply")
      const socket = this.#socket ?? (this.#socket = this.reopen(undefined))
      // The send is queued at once (the REQ connects in the background); if the socket is closed before the
      // send went through, its rejection means nothing more than the timeout that caused the close.
      socket.send(request).catch(() => {})
      const deadline = deadlineAfter(this.#timeout)
      const poller = new Poller().add(socket)
      for (;;) {
        let ready: boolean
        try {
          ready = socket.readable || (await poller.poll(remaining(deadline))).length > 0
        } catch (error) {
          throw closedOr(error, this.#closed || socket.closed, "client was closed while waiting for a reply")
        }
        if (!ready) break
        let reply: Message[]
        try {
          reply = await socket.receive()
        } catch (error) {
          throw closedOr(error, this.#closed || socket.closed, "client was closed while waiting for a reply")
        }
        if (matches === undefined || matches(reply, request)) return reply
        onEvent?.({ type: "mismatch", reply })
        // A strict REQ has taken its one reply: nothing more comes on this socket, so this waits out the
        // timeout and then retries on a fresh socket, as the Guide's lpclient does.
      }
      if (this.#closed) throw localError(PatternErrorCode.CLOSED, "client was closed while waiting for a reply")
      if (attempt >= this.#retries) {
        socket.close()
        if (this.#socket === socket) this.#socket = undefined
        onEvent?.({ type: "abandon", attempts: attempt })
        throw localError(PatternErrorCode.TIMEOUT, `no reply after ${attempt} attempts of ${this.#timeout} ms each`)
      }
      onEvent?.({ type: "retry", attempt, retriesLeft: this.#retries - attempt })
      this.#socket = this.reopen(socket)
    }
  }

  /** Closes the socket; a request waiting for its reply rejects with ERR_PATTERN_CLOSED. */
  close(): void {
    if (this.#closed) return
    this.#closed = true
    this.#socket?.close()
    this.#socket = undefined
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.close()
  }
}
