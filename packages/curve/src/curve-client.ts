import { ZmtpError, ZmtpErrorCode, type FrameTransform, type Mechanism, type MechanismHost } from "@zmq-ts/zmtp"
import { CurveMessageTransform } from "./curve-encoding.js"
import { checkKey } from "./keys.js"
import { assertLoaded, KEY_BYTES, open, randomBytes, seal, SecretKey } from "./primitives.js"
import { concat, NoncePrefix, nonce, readShortNonce, SHORT_NONCE_BYTES, wipe, writeShortNonce } from "./wire.js"

/**
 * The CURVE client (RFC 26 CurveZMQ over RFC 25 ZMTP-CURVE; libzmq's curve_client.cpp and
 * curve_client_tools.hpp, whose byte layout this follows exactly):
 *
 *   C: HELLO    version(1.0) padding(72) C' nonce(1) Box[64 zeros](C'→S)                   200 bytes
 *   S: WELCOME  nonce(16) Box[S' cookie](S→C')                                              168 bytes
 *   C: INITIATE cookie nonce(2) Box[C vouch-nonce(16) Box[C' S](C→S') metadata](C'→S')  ≥ 257 bytes
 *   S: READY    nonce(1) Box[metadata](S'→C')                                             ≥ 30 bytes
 *
 * (sizes include the command name). Keys: C/c our long-term pair, S the server's long-term public key,
 * C'/c' our short-term pair (fresh per connection), S' the server's. After READY, frames travel as MESSAGE
 * commands (see CurveMessageTransform) boxed with the key of C'/S', numbered from 3.
 *
 * A key agreement that gives the all-zero secret (a null or low-order server key) fails with
 * CRYPTOGRAPHIC, as libsodium's crypto_box does in libzmq: at HELLO for the server's long-term key, at
 * WELCOME for its short-term one (where libzmq asserts).
 */
export interface CurveClientOptions {
  /** ZMQ_CURVE_PUBLICKEY: our long-term public key C, 32 bytes (see `decodeCurveKey` for Z85). */
  readonly publicKey: Uint8Array
  /** ZMQ_CURVE_SECRETKEY: our long-term secret key c, 32 bytes. */
  readonly secretKey: Uint8Array
  /** ZMQ_CURVE_SERVERKEY: the server's long-term public key S, 32 bytes. */
  readonly serverKey: Uint8Array
}

/** HELLO's command data after the name: version 2, padding 72, C' 32, short nonce 8, box 80. */
const HELLO_DATA_BYTES = 194
/** WELCOME's command data after the name: nonce 16, box 144. */
const WELCOME_DATA_BYTES = 160
/** READY's command data after the name, at least: short nonce 8, MAC 16. */
const MIN_READY_DATA_BYTES = 24

class CurveClient implements Mechanism {
  readonly name = "CURVE"
  readonly asServer = false
  readonly #publicKey: Uint8Array
  readonly #secretKey: SecretKey
  readonly #serverKey: Uint8Array
  /** The caller's array of S, which keys node:crypto's KeyObject cache (the same for a socket's connections). */
  readonly #serverKeyOrigin: Uint8Array
  #state: "hello" | "welcome" | "ready" | "done" | "failed" = "hello"
  /** c', while the handshake needs it. */
  #shortSecret: SecretKey | undefined
  #shortPublic: Uint8Array | undefined
  /** crypto_box_beforenm(S, c'): HELLO's box and WELCOME's. */
  #helloKey: Uint8Array | undefined
  /** crypto_box_beforenm(S', c'): INITIATE, READY and every MESSAGE. */
  #sessionKey: Uint8Array | undefined
  /** The vouch's 16-byte nonce, drawn with c'. */
  #vouchNonce: Uint8Array | undefined
  /** Our next short nonce: HELLO 1, INITIATE 2, then MESSAGEs. */
  #nonce = 1
  #transform: CurveMessageTransform | undefined

  constructor(options: CurveClientOptions) {
    this.#publicKey = checkKey(options.publicKey, "publicKey")
    // The caller's arrays key the KeyObject cache: a socket's connections import its keys once.
    this.#secretKey = new SecretKey(checkKey(options.secretKey, "secretKey"), options.secretKey)
    this.#serverKey = checkKey(options.serverKey, "serverKey")
    this.#serverKeyOrigin = options.serverKey
  }

  start(host: MechanismHost): void {
    // One draw for c' and the vouch's nonce (WELCOME): each call to the platform's CSPRNG costs ~5–10 µs.
    const random = randomBytes(KEY_BYTES + 16)
    const shortSecret = new SecretKey(random.subarray(0, KEY_BYTES))
    random.fill(0, 0, KEY_BYTES) // the SecretKey has its own copy
    this.#vouchNonce = random.subarray(KEY_BYTES)
    this.#shortSecret = shortSecret
    const shortPublic = shortSecret.publicKey()
    this.#shortPublic = shortPublic
    const helloKey = shortSecret.boxKey(this.#serverKey, this.#serverKeyOrigin)
    if (helloKey === undefined) {
      // Our own configuration: the server key is null or of low order; libzmq fails producing HELLO.
      throw this.#fail(ZmtpErrorCode.CRYPTOGRAPHIC, "CURVE server key gives an all-zero shared secret (null or low-order key)", "local")
    }
    this.#helloKey = helloKey
    const data = new Uint8Array(HELLO_DATA_BYTES)
    data[0] = 1 // CurveZMQ version 1.0; 72 bytes of anti-amplification padding follow
    data.set(shortPublic, 74)
    const shortNonce = data.subarray(106, 114)
    writeShortNonce(shortNonce, 0, this.#nonce++)
    data.set(seal(new Uint8Array(64), nonce(NoncePrefix.HELLO, shortNonce), helloKey), 114)
    host.sendCommand("HELLO", data)
    this.#state = "welcome"
  }

  processCommand(name: string, data: Uint8Array, host: MechanismHost): void {
    if (this.#state === "welcome" && name === "WELCOME") {
      this.#onWelcome(data, host)
      return
    }
    if (this.#state === "ready" && name === "READY") {
      this.#onReady(data, host)
      return
    }
    throw this.#fail(ZmtpErrorCode.UNEXPECTED_COMMAND, `unexpected ${name} command in CURVE handshake (client)`)
  }

  dataTransform(): FrameTransform | undefined {
    return this.#transform
  }

  dispose(): void {
    this.#wipe()
    this.#transform?.dispose()
  }

  #onWelcome(data: Uint8Array, host: MechanismHost): void {
    if (data.length !== WELCOME_DATA_BYTES) {
      throw this.#fail(ZmtpErrorCode.MALFORMED_COMMAND_WELCOME, `CURVE WELCOME of ${data.length + 8} bytes is not 168`)
    }
    const welcome = open(data.subarray(16), nonce(NoncePrefix.WELCOME, data.subarray(0, 16)), this.#helloKey!)
    if (welcome === undefined) throw this.#fail(ZmtpErrorCode.CRYPTOGRAPHIC, "CURVE WELCOME box does not verify")
    const serverShort = welcome.subarray(0, KEY_BYTES)
    const cookie = welcome.subarray(KEY_BYTES, KEY_BYTES + 96)
    const shortSecret = this.#shortSecret!
    const sessionKey = shortSecret.boxKey(serverShort)
    // The vouch, Box[C' S](C→S'), proves that the holder of c made C'.
    const vouchKey = this.#secretKey.boxKey(serverShort)
    if (sessionKey === undefined || vouchKey === undefined) {
      wipe(welcome, sessionKey, vouchKey)
      throw this.#fail(ZmtpErrorCode.CRYPTOGRAPHIC, "CURVE server short-term key gives an all-zero shared secret")
    }
    this.#sessionKey = sessionKey
    const vouchNonce = this.#vouchNonce!
    this.#vouchNonce = undefined
    const vouchPlaintext = concat(this.#shortPublic!, this.#serverKey)
    const vouch = seal(vouchPlaintext, nonce(NoncePrefix.VOUCH, vouchNonce), vouchKey)
    const plaintext = concat(this.#publicKey, vouchNonce, vouch, host.localMetadata())
    const shortNonce = new Uint8Array(SHORT_NONCE_BYTES)
    writeShortNonce(shortNonce, 0, this.#nonce++)
    const box = seal(plaintext, nonce(NoncePrefix.INITIATE, shortNonce), sessionKey)
    host.sendCommand("INITIATE", concat(cookie, shortNonce, box))
    // c' and the HELLO key have done their work; the session key is all that remains.
    wipe(welcome, vouchKey, vouchPlaintext, plaintext, this.#helloKey)
    this.#helloKey = undefined
    shortSecret.wipe()
    this.#shortSecret = undefined
    this.#state = "ready"
  }

  #onReady(data: Uint8Array, host: MechanismHost): void {
    if (data.length < MIN_READY_DATA_BYTES) {
      throw this.#fail(ZmtpErrorCode.MALFORMED_COMMAND_READY, `CURVE READY of ${data.length + 6} bytes is shorter than 30`)
    }
    const shortNonce = data.subarray(0, SHORT_NONCE_BYTES)
    const metadata = open(data.subarray(SHORT_NONCE_BYTES), nonce(NoncePrefix.READY, shortNonce), this.#sessionKey!)
    if (metadata === undefined) throw this.#fail(ZmtpErrorCode.CRYPTOGRAPHIC, "CURVE READY box does not verify")
    try {
      host.acceptPeerMetadata(metadata, "READY")
    } catch (error) {
      this.#wipe()
      throw error
    }
    this.#transform = new CurveMessageTransform(
      this.#sessionKey!,
      NoncePrefix.MESSAGE_FROM_CLIENT,
      NoncePrefix.MESSAGE_FROM_SERVER,
      this.#nonce,
      readShortNonce(shortNonce, 0),
    )
    this.#sessionKey = undefined // the transform owns it now
    this.#secretKey.wipe()
    this.#state = "done"
    host.complete()
  }

  /** Everything secret is zeroed before a failure is reported: the connection is over. */
  #fail(code: ZmtpErrorCode, message: string, origin: "local" | "remote" = "remote"): ZmtpError {
    this.#state = "failed"
    this.#wipe()
    return new ZmtpError(code, origin, message)
  }

  #wipe(): void {
    this.#secretKey.wipe()
    this.#shortSecret?.wipe()
    wipe(this.#helloKey, this.#sessionKey)
    this.#shortSecret = undefined
    this.#helloKey = undefined
    this.#sessionKey = undefined
  }
}

/**
 * A CURVE client state machine (one per connection). Call after `loadCurve()` has resolved. Keys are
 * copied; the copies are zeroed as soon as the handshake no longer needs them, and on `dispose()`.
 */
export function curveClient(options: CurveClientOptions): Mechanism {
  assertLoaded("curveClient()")
  return new CurveClient(options)
}
