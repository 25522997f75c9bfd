import { remoteError, ZmtpErrorCode } from "./errors.js"
import type { Mechanism, MechanismHost } from "./mechanism.js"

/**
 * NULL (RFC 23 §"The NULL Security Mechanism"): each side sends READY with its metadata and the handshake is
 * complete when the peer's READY has been accepted. No authentication, no encryption.
 */
class NullMechanism implements Mechanism {
  readonly name = "NULL"
  readonly asServer = false
  #readyReceived = false

  start(host: MechanismHost): void {
    host.sendCommand("READY", host.localMetadata())
  }

  processCommand(name: string, data: Uint8Array, host: MechanismHost): void {
    if (name !== "READY" || this.#readyReceived) {
      throw remoteError(ZmtpErrorCode.UNEXPECTED_COMMAND, `unexpected ${name} command in NULL handshake`)
    }
    this.#readyReceived = true
    host.acceptPeerMetadata(data, "READY")
    host.complete()
  }
}

/** A fresh NULL mechanism state machine (one per connection). */
export function nullMechanism(): Mechanism {
  return new NullMechanism()
}
