import { encodeShortString, readShortString } from "./command.js"
import { localError, remoteError, ZmtpErrorCode } from "./errors.js"
import type {
  AuthenticationResult,
  Authenticator,
  Mechanism,
  MechanismHost,
} from "./mechanism.js"
import { toBytes, utf8Decode } from "./text.js"

/**
 * PLAIN (RFC 24): the client sends HELLO with a username and password in clear text; the server answers
 * WELCOME or ERROR; the client sends INITIATE with its metadata and the server answers READY with its own.
 *
 *   C: HELLO username password      S: WELCOME | ERROR
 *   C: INITIATE metadata            S: READY metadata
 *
 * The server's ERROR reason is the three-digit ZAP status code, as libzmq sends it.
 */

export interface PlainClientOptions {
  readonly username: string | Uint8Array
  readonly password: string | Uint8Array
}

class PlainClient implements Mechanism {
  readonly name = "PLAIN"
  readonly asServer = false
  readonly #hello: Uint8Array
  #state: "hello" | "welcome" | "ready" | "done" = "hello"

  constructor(options: PlainClientOptions) {
    const username = encodeShortString(toBytes(options.username), "PLAIN username")
    const password = encodeShortString(toBytes(options.password), "PLAIN password")
    this.#hello = new Uint8Array(username.length + password.length)
    this.#hello.set(username, 0)
    this.#hello.set(password, username.length)
  }

  start(host: MechanismHost): void {
    host.sendCommand("HELLO", this.#hello)
    this.#state = "welcome"
  }

  processCommand(name: string, data: Uint8Array, host: MechanismHost): void {
    if (this.#state === "welcome" && name === "WELCOME") {
      if (data.length !== 0) throw remoteError(ZmtpErrorCode.MALFORMED_COMMAND, "PLAIN WELCOME has a body")
      host.sendCommand("INITIATE", host.localMetadata())
      this.#state = "ready"
      return
    }
    if (this.#state === "ready" && name === "READY") {
      host.acceptPeerMetadata(data, "READY")
      this.#state = "done"
      host.complete()
      return
    }
    throw remoteError(ZmtpErrorCode.UNEXPECTED_COMMAND, `unexpected ${name} command in PLAIN handshake (client)`)
  }
}

export interface PlainServerOptions {
  /**
   * Decides each client's credentials synchronously. Omit it to answer asynchronously instead: the
   * connection then emits an `authenticate` event and waits for `connection.resolveAuthentication(result)`.
   */
  readonly authenticate?: Authenticator
}

class PlainServer implements Mechanism {
  readonly name = "PLAIN"
  readonly asServer = true
  readonly #authenticate: Authenticator | undefined
  #state: "hello" | "authenticating" | "initiate" | "done" = "hello"
  #userId: string | undefined

  constructor(options: PlainServerOptions) {
    this.#authenticate = options.authenticate
  }

  start(): void {
    // The server speaks only when the client has said HELLO.
  }

  processCommand(name: string, data: Uint8Array, host: MechanismHost): void {
    if (this.#state === "hello" && name === "HELLO") {
      const [username, afterUsername] = readShortString(data, 0, "HELLO", "username")
      const [password, end] = readShortString(data, afterUsername, "HELLO", "password")
      if (end !== data.length) {
        throw remoteError(ZmtpErrorCode.MALFORMED_COMMAND, `HELLO has ${data.length - end} trailing bytes`)
      }
      this.#state = "authenticating"
      const request = {
        mechanism: "PLAIN",
        username: utf8Decode(username),
        password: utf8Decode(password),
        ...(host.peerAddress === undefined ? {} : { peerAddress: host.peerAddress }),
      }
      if (this.#authenticate === undefined) {
        host.requestAuthentication(request)
      } else {
        this.resolveAuthentication(this.#authenticate(request), host)
      }
      return
    }
    if (this.#state === "initiate" && name === "INITIATE") {
      host.acceptPeerMetadata(data, "INITIATE")
      host.sendCommand("READY", host.localMetadata())
      this.#state = "done"
      host.complete(this.#userId)
      return
    }
    throw remoteError(ZmtpErrorCode.UNEXPECTED_COMMAND, `unexpected ${name} command in PLAIN handshake (server)`)
  }

  resolveAuthentication(result: AuthenticationResult, host: MechanismHost): void {
    if (this.#state !== "authenticating") {
      throw localError(ZmtpErrorCode.INVALID_STATE, "no PLAIN authentication is pending")
    }
    if (result.allow) {
      this.#userId = result.userId
      this.#state = "initiate"
      host.sendCommand("WELCOME", new Uint8Array(0))
      return
    }
    const statusCode = result.statusCode ?? 400
    const text = result.statusText === undefined ? "" : `: ${result.statusText}`
    host.fail(
      remoteError(ZmtpErrorCode.AUTHENTICATION_FAILED, `PLAIN credentials denied with status ${statusCode}${text}`, {
        reason: String(statusCode),
      }),
      String(statusCode),
    )
  }
}

/** A PLAIN client state machine (one per connection). */
export function plainClient(options: PlainClientOptions): Mechanism {
  return new PlainClient(options)
}

/** A PLAIN server state machine (one per connection). */
export function plainServer(options: PlainServerOptions = {}): Mechanism {
  return new PlainServer(options)
}
