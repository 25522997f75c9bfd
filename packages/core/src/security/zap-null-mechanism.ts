import { ZmtpError, ZmtpErrorCode, type AuthenticationResult, type Mechanism, type MechanismHost } from "@zmq-ts/zmtp"

/**
 * NULL (RFC 23 §"The NULL Security Mechanism") for a socket with ZMQ_ZAP_DOMAIN set, as libzmq 4.3.5's
 * null_mechanism.cpp runs it: before sending its READY, each side asks its own ZAP handler about the peer
 * (mechanism "NULL", no credentials), whichever side connected. The peer's READY may arrive meanwhile; its
 * metadata is checked at once and the handshake completes when both READYs have passed.
 *
 *   start ── authenticate ──▶ allow: send READY ──▶ (peer's READY) ──▶ complete
 *                         └─▶ deny 400/500: send ERROR with the status, fail
 *                         └─▶ deny 300: fail without a word (the engine handles it; see stream-engine.ts)
 *
 * Without a domain, sockets use the codec's `nullMechanism()`, which asks no one.
 */
class ZapNullMechanism implements Mechanism {
  readonly name = "NULL"
  readonly asServer = false
  #authenticating = true
  #readySent = false
  #peerReady = false
  #userId: string | undefined

  start(host: MechanismHost): void {
    host.requestAuthentication({ mechanism: "NULL" })
  }

  processCommand(name: string, data: Uint8Array, host: MechanismHost): void {
    if (name !== "READY" || this.#peerReady) {
      throw new ZmtpError(ZmtpErrorCode.UNEXPECTED_COMMAND, "remote", `unexpected ${name} command in NULL handshake`)
    }
    this.#peerReady = true
    host.acceptPeerMetadata(data, "READY")
    if (this.#readySent) host.complete(this.#userId)
  }

  resolveAuthentication(result: AuthenticationResult, host: MechanismHost): void {
    if (!this.#authenticating) {
      throw new ZmtpError(ZmtpErrorCode.INVALID_STATE, "local", "no NULL authentication is pending")
    }
    this.#authenticating = false
    if (!result.allow) {
      const status = result.statusCode ?? 400
      const text = result.statusText === undefined ? "" : `: ${result.statusText}`
      const error = new ZmtpError(ZmtpErrorCode.AUTHENTICATION_FAILED, "remote", `NULL peer denied by the ZAP handler with status ${status}${text}`, {
        reason: String(status),
      })
      // 300 is a temporary failure: a silent disconnect (RFC 27, libzmq); 400 and 500 go to the peer.
      host.fail(error, status === 300 ? undefined : String(status))
      return
    }
    this.#userId = result.userId
    host.sendCommand("READY", host.localMetadata())
    this.#readySent = true
    if (this.#peerReady) host.complete(this.#userId)
  }
}

/** A NULL mechanism that asks the ZAP handler before its READY (one per connection). */
export function zapNullMechanism(): Mechanism {
  return new ZapNullMechanism()
}
