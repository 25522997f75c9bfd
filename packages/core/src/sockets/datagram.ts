import { zmqError } from "../common/errors.js"
import type { ReceiveOptionProperties, SendOptionProperties, WritableOptions } from "../common/options.js"
import type { Frames } from "../pipes/message.js"
import type { PipeEnd } from "../pipes/pipe.js"
import type { Message } from "../socket/message-like.js"
import { defineSocketOptions, RECEIVED, Socket, type CommonSocketOptions } from "../socket/socket-base.js"

export interface DatagramOptions extends CommonSocketOptions, WritableOptions<SendOptionProperties & ReceiveOptionProperties> {}

/**
 * DGRAM (libzmq's draft ZMQ_DGRAM, zeromq.js's `Datagram`): raw udp datagrams, bound with `udp://host:port`
 * (it cannot connect: ENOCOMPATPROTO). Every message is two frames: the peer's address, "ip:port" (received
 * ones end with a NUL, as libzmq writes them), and the datagram's bytes. One endpoint only: the pipe of a
 * second bind is closed, as libzmq's dgram_t keeps its first.
 */
export class Datagram extends Socket {
  /** `receive()` resolves to [address, body], as zeromq.js types it. */
  declare readonly [RECEIVED]?: [Message, Message]
  #pipe: PipeEnd | undefined

  constructor(options?: DatagramOptions) {
    super("DGRAM", options)
    this.applyOptions(options)
  }

  /** Binds a `udp://` endpoint: libzmq's DGRAM is a udp socket (ENOCOMPATPROTO for any other transport). */
  override bind(address: string): Promise<void> {
    if (typeof address === "string" && !address.startsWith("udp://") && address.includes("://")) {
      return Promise.reject(zmqError("ENOCOMPATPROTO", "a Datagram binds udp:// endpoints only", address))
    }
    // With the caller's arguments, so a wrong count is the base's TypeError.
    return Reflect.apply(super.bind, this, arguments) as Promise<void>
  }

  /** A Datagram never connects: it sends to the address each message names (ENOCOMPATPROTO, as libzmq). */
  override connect(address: string): void {
    if (typeof address === "string" && !address.startsWith("udp://") && address.includes("://")) {
      throw zmqError("ENOCOMPATPROTO", "a Datagram binds udp:// endpoints only, and never connects", address)
    }
    Reflect.apply(super.connect, this, arguments)
  }

  protected xattach(pipe: PipeEnd): void {
    if (this.#pipe !== undefined) {
      pipe.close()
      return
    }
    this.#pipe = pipe
  }

  protected xdetach(pipe: PipeEnd): void {
    if (this.#pipe === pipe) this.#pipe = undefined
  }

  protected xsend(message: Frames): boolean {
    // libzmq's dgram_t: an address part with more, then a body part without.
    if (message.length !== 2) throw zmqError("EINVAL", `a Datagram message is [address, body], got ${message.length} frame(s)`)
    const pipe = this.#pipe
    return pipe !== undefined && pipe.write(message)
  }

  protected xreceive(): Frames | undefined {
    return this.#pipe?.read()
  }

  protected xwritable(): boolean {
    return this.#pipe?.writable ?? false
  }

  protected xreadable(): boolean {
    return this.#pipe?.hasIncoming ?? false
  }
}

// eslint-disable-next-line @typescript-eslint/no-empty-interface, @typescript-eslint/no-unsafe-declaration-merging
export interface Datagram extends SendOptionProperties, ReceiveOptionProperties {}
defineSocketOptions(Datagram, "DGRAM")
