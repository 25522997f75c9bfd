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
