import { zmqError } from "../common/errors.js"
import type { FairQueue } from "../pipes/fair-queue.js"
import type { Frames } from "../pipes/message.js"
import type { MessageLike } from "../socket/message-like.js"

/**
 * The draft types (libzmq's thread-safe sockets) carry single-part messages only: a multipart send fails
 * with EINVAL, as ZMQ_SNDMORE does on them in libzmq.
 */
export function refuseMultipart(message: Frames | readonly unknown[]): void {
  if (message.length > 1) throw zmqError("EINVAL", "this socket type sends single-part messages only")
}

/** The one frame of a message given to a draft type's `send()` (a one-element array is that element). */
export function onlyPart(message: MessageLike | readonly MessageLike[]): MessageLike {
  if (!Array.isArray(message)) return message as MessageLike
  refuseMultipart(message)
  return message[0] as MessageLike
}

/** The next single-part message from `queue`; a multipart one that arrives is dropped whole (client.cpp). */
export function readSinglePart(queue: FairQueue): Frames | undefined {
  for (let message = queue.read(); message !== undefined; message = queue.read()) {
    if (message.length === 1) return message
  }
  return undefined
}
