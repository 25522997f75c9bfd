import { Buffer } from "#platform/buffer"
import { randomBytes } from "#platform/random"
import { zmqError } from "../common/errors.js"
import { toFrame, type MessageLike } from "../socket/message-like.js"

/**
 * The routing ids libzmq gives peers that bring none (ROUTER) and STREAM connections: 5 bytes, a zero byte
 * then a 32-bit big-endian counter from a random start (router.cpp, stream.cpp), skipping ids in use.
 */
export class RoutingIdGenerator {
  #next = randomBytes(4).readUInt32BE(0)

  /** The next id whose latin1 key `inUse` does not know. */
  next(inUse: (key: string) => boolean): Buffer {
    for (;;) {
      const id = Buffer.alloc(5)
      id.writeUInt32BE(this.#next >>> 0, 1)
      this.#next = (this.#next + 1) >>> 0
      if (!inUse(id.toString("latin1"))) return id
    }
  }
}

/**
 * ZMQ_CONNECT_ROUTING_ID as `connect(address, { routingId })` gives it: undefined for none (an empty one is
 * none, as zeromq.js takes it); EINVAL beyond 255 bytes or when in use, and, where generated ids start with
 * a zero byte (STREAM), for one that does too.
 */
export function connectRoutingId(
  value: MessageLike | undefined,
  address: string,
  inUse: (key: string) => boolean,
  refuseLeadingZero: boolean,
): Buffer | undefined {
  if (value === undefined || value === "" || (value instanceof Uint8Array && value.length === 0)) return undefined
  const id = Buffer.from(toFrame(value, 0)) // a copy: the caller may reuse its buffer
  if (id.length > 255) throw zmqError("EINVAL", "routingId must be 1 to 255 bytes", address)
  if (refuseLeadingZero && id[0] === 0) throw zmqError("EINVAL", "routingId must not start with a zero byte: generated routing ids do", address)
  if (inUse(id.toString("latin1"))) throw zmqError("EINVAL", "routingId is already in use", address)
  return id
}
