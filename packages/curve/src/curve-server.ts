import {
  ZmtpError,
  ZmtpErrorCode,
  type AuthenticationRequest,
  type AuthenticationResult,
  type Authenticator,
  type FrameTransform,
  type Mechanism,
  type MechanismHost,
} from "@zmq-ts/zmtp"
import { CurveMessageTransform } from "./curve-encoding.js"
import { checkKey } from "./keys.js"
import { assertLoaded, equalBytes, KEY_BYTES, open, randomBytes, seal, SecretKey, secretOpen, secretSeal } from "./primitives.js"
import { concat, NoncePrefix, nonce, readShortNonce, SHORT_NONCE_BYTES, wipe, writeShortNonce, type ShortNonce } from "./wire.js"

/**
 * The CURVE server (RFC 26, RFC 25; libzmq's curve_server.cpp, whose checks, order and error kinds this
 * follows): see curve-client.ts for the four commands.
 *
 * - HELLO: exactly 200 bytes and version 1.0, else MALFORMED_COMMAND_HELLO. A box that does not open (the
 *   client has the wrong server key) is CRYPTOGRAPHIC, and the peer is dropped without an ERROR.
 * - WELCOME carries S' and a cookie, Box[C' s'](K), under a cookie key K made fresh for this connection
 *   (libzmq keeps no shared, rotated key either); INITIATE must bring the cookie back.
 * - INITIATE: at least 257 bytes, else MALFORMED_COMMAND_INITIATE; cookie, box and vouch must open
 *   (CRYPTOGRAPHIC); the vouch must name C' (KEY_EXCHANGE); its S half is not checked, as in libzmq.
 *   Then the server always asks for authentication with the client's long-term key C (libzmq sends its
 *   ZAP request here, before it parses the metadata), so the owner decides, e.g. allow-all without a ZAP
 *   handler (libzmq's "Stonehouse"). Allowed: READY, numbered 1. Denied: ERROR with the status for 400
 *   and 500; 300 disconnects silently (zap_client.cpp, RFC 27).
 */
export interface CurveServerOptions {
  /** ZMQ_CURVE_SECRETKEY: our long-term secret key s, 32 bytes (see `decodeCurveKey` for Z85). */
  readonly secretKey: Uint8Array
  /**
   * Decides each client's long-term key synchronously. Omit it to answer asynchronously: the connection
   * then emits an `authenticate` event (mechanism "CURVE", `publicKey` = C) and waits for
   * `connection.resolveAuthentication(result)`.
   */
  readonly authenticate?: Authenticator
}

const HELLO_DATA_BYTES = 194
/** INITIATE's command data after the name, at least: cookie 96, short nonce 8, box of 128 + MAC 16. */
const MIN_INITIATE_DATA_BYTES = 248
const COOKIE_BYTES = 96

class CurveServer implements Mechanism {
  readonly name = "CURVE"
  readonly asServer = true
  readonly #secretKey: SecretKey
  readonly #authenticate: Authenticator | undefined
  #state: "hello" | "initiate" | "authenticating" | "done" | "failed" = "hello"
  /** C', from HELLO. */
  #clientShort: Uint8Array | undefined
  /** s', ours for this connection. */
  #shortSecret: SecretKey | undefined
  /** The cookie's secretbox key, for this connection only. */
  #cookieKey: Uint8Array | undefined
  /** crypto_box_beforenm(C', s'): INITIATE, READY and every MESSAGE. */
  #sessionKey: Uint8Array | undefined
  #peerNonce: ShortNonce = { high: 0, low: 0 }
  /** Set once the INITIATE metadata is accepted: a decision can only be applied then. */
  #metadataAccepted = false
  #decision: AuthenticationResult | undefined
  #transform: CurveMessageTransform | undefined

  constructor(options: CurveServerOptions) {
    // The caller's array keys the KeyObject cache: a socket's connections import its key once.
    this.#secretKey = new SecretKey(checkKey(options.secretKey, "secretKey"), options.secretKey)
    this.#authenticate = options.authenticate
  }

  start(): void {
    // The server speaks only when the client has said HELLO.
  }

  processCommand(name: string, data: Uint8Array, host: MechanismHost): void {
    if (this.#state === "hello" && name === "HELLO") {
      this.#onHello(data, host)
      return
    }
    if (this.#state === "initiate" && name === "INITIATE") {
      this.#onInitiate(data, host)
      return
    }
    throw this.#fail(ZmtpErrorCode.UNEXPECTED_COMMAND, `unexpected ${name} command in CURVE handshake (server)`)
  }

  resolveAuthentication(result: AuthenticationResult, host: MechanismHost): void {
    if (this.#state !== "authenticating" || this.#decision !== undefined) {
      throw new ZmtpError(ZmtpErrorCode.INVALID_STATE, "local", "no CURVE authentication is pending")
    }
    this.#decision = result
    // An answer given from inside the `authenticate` event (a receiver callback) waits for the metadata.
    if (this.#metadataAccepted) this.#decide(host)
  }

  dataTransform(): FrameTransform | undefined {
    return this.#transform
  }

  dispose(): void {
    this.#wipe()
    this.#transform?.dispose()
  }

  #onHello(data: Uint8Array, host: MechanismHost): void {
    if (data.length !== HELLO_DATA_BYTES) {
      throw this.#fail(ZmtpErrorCode.MALFORMED_COMMAND_HELLO, `CURVE HELLO of ${data.length + 6} bytes is not 200`)
    }
    if (data[0] !== 1 || data[1] !== 0) {
      throw this.#fail(ZmtpErrorCode.MALFORMED_COMMAND_HELLO, `CURVE HELLO version ${data[0]}.${data[1]} is not 1.0`)
    }
    const clientShort = new Uint8Array(data.subarray(74, 106))
    const shortNonce = data.subarray(106, 114)
    const helloKey = this.#secretKey.boxKey(clientShort)
    const signature = helloKey === undefined ? undefined : open(data.subarray(114), nonce(NoncePrefix.HELLO, shortNonce), helloKey)
    if (helloKey === undefined || signature === undefined) {
      wipe(helloKey)
      throw this.#fail(ZmtpErrorCode.CRYPTOGRAPHIC, "CURVE HELLO box does not open: the client has another server key")
    }
    this.#clientShort = clientShort
    this.#peerNonce = readShortNonce(shortNonce, 0)

    // One draw for s', the cookie key and both nonces: each call to the platform's CSPRNG costs ~5–10 µs.
    const random = randomBytes(KEY_BYTES + KEY_BYTES + 16 + 16)
    const shortSecret = new SecretKey(random.subarray(0, KEY_BYTES))
    random.fill(0, 0, KEY_BYTES) // the SecretKey has its own copy
    this.#shortSecret = shortSecret
    const cookieKey = random.subarray(KEY_BYTES, 2 * KEY_BYTES)
    this.#cookieKey = cookieKey
    const cookieNonce = random.subarray(2 * KEY_BYTES, 2 * KEY_BYTES + 16)
    const cookiePlaintext = concat(clientShort, shortSecret.bytes)
    const cookieBox = secretSeal(cookiePlaintext, nonce(NoncePrefix.COOKIE, cookieNonce), cookieKey)
    const welcomePlaintext = concat(shortSecret.publicKey(), cookieNonce, cookieBox)
    const welcomeNonce = random.subarray(2 * KEY_BYTES + 16)
    const welcomeBox = seal(welcomePlaintext, nonce(NoncePrefix.WELCOME, welcomeNonce), helloKey)
    wipe(helloKey, cookiePlaintext, welcomePlaintext)
    host.sendCommand("WELCOME", concat(welcomeNonce, welcomeBox))
    this.#state = "initiate"
  }

  #onInitiate(data: Uint8Array, host: MechanismHost): void {
    if (data.length < MIN_INITIATE_DATA_BYTES) {
      throw this.#fail(ZmtpErrorCode.MALFORMED_COMMAND_INITIATE, `CURVE INITIATE of ${data.length + 9} bytes is shorter than 257`)
    }
    const clientShort = this.#clientShort!
    const shortSecret = this.#shortSecret!
    const cookie = secretOpen(data.subarray(16, COOKIE_BYTES), nonce(NoncePrefix.COOKIE, data.subarray(0, 16)), this.#cookieKey!)
    if (cookie === undefined) throw this.#fail(ZmtpErrorCode.CRYPTOGRAPHIC, "CURVE INITIATE cookie does not open")
    const cookieMatches = equalBytes(cookie.subarray(0, KEY_BYTES), clientShort) && equalBytes(cookie.subarray(KEY_BYTES), shortSecret.bytes)
    wipe(cookie)
    if (!cookieMatches) throw this.#fail(ZmtpErrorCode.CRYPTOGRAPHIC, "CURVE INITIATE cookie is not this connection's")

    const shortNonce = data.subarray(COOKIE_BYTES, COOKIE_BYTES + SHORT_NONCE_BYTES)
    const sessionKey = shortSecret.boxKey(clientShort)
    if (sessionKey === undefined) throw this.#fail(ZmtpErrorCode.CRYPTOGRAPHIC, "CURVE client short-term key gives an all-zero shared secret")
    this.#sessionKey = sessionKey
    const plaintext = open(data.subarray(COOKIE_BYTES + SHORT_NONCE_BYTES), nonce(NoncePrefix.INITIATE, shortNonce), sessionKey)
    if (plaintext === undefined) throw this.#fail(ZmtpErrorCode.CRYPTOGRAPHIC, "CURVE INITIATE box does not verify")

    const clientKey = new Uint8Array(plaintext.subarray(0, KEY_BYTES))
    const vouchKey = shortSecret.boxKey(clientKey)
    const vouch = vouchKey === undefined ? undefined : open(plaintext.subarray(48, 128), nonce(NoncePrefix.VOUCH, plaintext.subarray(32, 48)), vouchKey)
    wipe(vouchKey)
    if (vouch === undefined) throw this.#fail(ZmtpErrorCode.CRYPTOGRAPHIC, "CURVE INITIATE vouch does not open")
    const vouched = equalBytes(vouch.subarray(0, KEY_BYTES), clientShort)
    wipe(vouch)
    if (!vouched) throw this.#fail(ZmtpErrorCode.KEY_EXCHANGE, "CURVE vouch does not name the client's short-term key")
    this.#peerNonce = readShortNonce(shortNonce, 0)
    // s' and the cookie key have done their work; the session key is all that remains.
    shortSecret.wipe()
    this.#shortSecret = undefined
    wipe(this.#cookieKey)
    this.#cookieKey = undefined
    this.#secretKey.wipe()

    this.#state = "authenticating"
    const request: AuthenticationRequest = {
      mechanism: "CURVE",
      publicKey: clientKey,
      ...(host.peerAddress === undefined ? {} : { peerAddress: host.peerAddress }),
    }
    if (this.#authenticate === undefined) host.requestAuthentication(request)
    else this.#decision = this.#authenticate(request)
    try {
      host.acceptPeerMetadata(plaintext.subarray(128), "INITIATE")
    } catch (error) {
      this.#state = "failed"
      this.#wipe()
      throw error
    }
    this.#metadataAccepted = true
    if (this.#decision !== undefined) this.#decide(host)
  }

  #decide(host: MechanismHost): void {
    const result = this.#decision!
    if (!result.allow) {
      const statusCode = result.statusCode ?? 400
      const text = result.statusText === undefined ? "" : `: ${result.statusText}`
      const error = new ZmtpError(ZmtpErrorCode.AUTHENTICATION_FAILED, "remote", `CURVE client key denied with status ${statusCode}${text}`, {
        reason: String(statusCode),
      })
      this.#state = "failed"
      this.#wipe()
      // 300 is a temporary failure: the client is dropped without an ERROR (zap_client.cpp).
      if (statusCode === 300) host.fail(error)
      else host.fail(error, String(statusCode))
      return
    }
    const sessionKey = this.#sessionKey!
    const shortNonce = new Uint8Array(SHORT_NONCE_BYTES)
    writeShortNonce(shortNonce, 0, 1)
    const box = seal(host.localMetadata(), nonce(NoncePrefix.READY, shortNonce), sessionKey)
    host.sendCommand("READY", concat(shortNonce, box))
    this.#transform = new CurveMessageTransform(sessionKey, NoncePrefix.MESSAGE_FROM_SERVER, NoncePrefix.MESSAGE_FROM_CLIENT, 2, this.#peerNonce)
    this.#sessionKey = undefined // the transform owns it now
    this.#state = "done"
    host.complete(result.userId)
  }

  #fail(code: ZmtpErrorCode, message: string): ZmtpError {
    this.#state = "failed"
    this.#wipe()
    return new ZmtpError(code, "remote", message)
  }

  #wipe(): void {
    this.#secretKey.wipe()
    this.#shortSecret?.wipe()
    wipe(this.#cookieKey, this.#sessionKey)
    this.#shortSecret = undefined
    this.#cookieKey = undefined
    this.#sessionKey = undefined
  }
}

/**
 * A CURVE server state machine (one per connection). Call after `loadCurve()` has resolved. The secret key
 * is copied; the copy is zeroed as soon as the handshake no longer needs it, and on `dispose()`. The
 * server's public key is never needed (libzmq's server takes only its secret key).
 */
export function curveServer(options: CurveServerOptions): Mechanism {
  assertLoaded("curveServer()")
  return new CurveServer(options)
}
