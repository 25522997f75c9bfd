import { Buffer } from "#platform/buffer"

/** A message: one or more frames. */
export type Frames = Buffer[]

/** A subscription as it travels in a pipe (and on the wire to ZMTP 3.0 peers): 0x01/0x00 + topic. */
export function subscriptionMessage(kind: 0 | 1, topic: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(topic.length + 1)
  out[0] = kind
  out.set(topic, 1)
  return out
}

/**
 * A SUBSCRIBE or CANCEL command's body (RFC 23 §"Commands": name size, name, topic), as libzmq's session hands
 * it to a socket that takes no subscriptions: its application reads the command's body as a message.
 */
export function subscriptionCommandBody(kind: 0 | 1, topic: Uint8Array): Buffer {
  const name = kind === 1 ? "SUBSCRIBE" : "CANCEL"
  const out = Buffer.allocUnsafe(1 + name.length + topic.length)
  out[0] = name.length
  out.write(name, 1, "latin1")
  out.set(topic, 1 + name.length)
  return out
}
