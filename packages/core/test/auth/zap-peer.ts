/**
 * Plays libzmq's session towards a ZAP handler (zap_client.cpp): a DEALER in the handler's context,
 * connected to inproc://zeromq.zap.01, sending "" + the RFC 27 request frames and reading the reply.
 *
 *   ZapPeer (DEALER) ── "", "1.0", id, domain, address, identity, mechanism, creds… ──▶ Authenticator (ROUTER)
 *                    ◀── "", "1.0", id, status, text, user id, metadata ──────────────
 */
import { Buffer } from "node:buffer"
import { Context, Dealer } from "../../src/index.js"
import { ZAP_ENDPOINT } from "../../src/auth.js"

export interface RequestFields {
  version?: string
  requestId?: string
  domain?: string
  address?: string
  identity?: string
  mechanism?: string
  credentials?: Array<string | Uint8Array>
}

/** A reply's six frames after the delimiter, as text (user id and metadata too: tests compare them so). */
export interface Reply {
  frames: string[]
  version: string
  requestId: string
  status: string
  text: string
  userId: string
  metadata: string
}

export class ZapPeer implements AsyncDisposable {
  readonly dealer: Dealer
  #next = 0

  constructor(readonly context: Context) {
    this.dealer = new Dealer({ context, receiveTimeout: 5000, linger: 0 })
    this.dealer.connect(ZAP_ENDPOINT)
  }

  /** Sends a well-formed request (fields default to a NULL request from 127.0.0.1) and returns the reply. */
  async request(fields: RequestFields = {}): Promise<Reply> {
    const requestId = fields.requestId ?? String(++this.#next)
    return this.raw([
      fields.version ?? "1.0",
      requestId,
      fields.domain ?? "",
      fields.address ?? "127.0.0.1",
      fields.identity ?? "",
      fields.mechanism ?? "NULL",
      ...(fields.credentials ?? []),
    ])
  }

  /** Sends "" + `frames` and returns the reply, checking its envelope and frame count. */
  async raw(frames: Array<string | Uint8Array>): Promise<Reply> {
    await this.dealer.send(["", ...frames])
    return this.receive()
  }

  async receive(): Promise<Reply> {
    const message = await this.dealer.receive()
    if (message.length !== 7 || message[0]!.length !== 0) {
      throw new Error(`expected "" and six ZAP frames, got ${message.length} frames: ${message.map((f) => f.toString("hex")).join(" ")}`)
    }
    const frames = message.slice(1).map((frame) => Buffer.from(frame).toString("latin1"))
    const [version, requestId, status, text, userId, metadata] = frames as [string, string, string, string, string, string]
    return { frames, version, requestId, status, text, userId, metadata }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.dealer.close()
  }
}

/** PLAIN credentials frames. */
export function plain(username: string, password: string): string[] {
  return [username, password]
}
